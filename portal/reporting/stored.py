"""Published tables as JSON and back, to keep computed statistics between requests.

Only what is already suppressed is stored (`SuppressedTable`), and texts stay `Message`s (the
English template and its parameters), so a stored table is shown in each reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.reporting.tables import NOT_APPLICABLE, WITHHELD, Cell, SuppressedTable
from portal.text import Message, Number, Text


def table_to_json(table: SuppressedTable) -> dict[str, Any]:
    return {
        "name": table.name,
        "title": _text_to_json(table.title),
        "row_dimension": table.row_dimension,
        "column_dimension": table.column_dimension,
        "rows": list(table.rows),
        "columns": list(table.columns),
        "cells": [[_cell_to_json(cell) for cell in line] for line in table.cells],
        "row_totals": [_cell_to_json(cell) for cell in table.row_totals],
        "column_totals": [_cell_to_json(cell) for cell in table.column_totals],
        "total": _cell_to_json(table.total),
        "k": table.k,
        "definition": _text_to_json(table.definition),
    }


def table_from_json(stored: Mapping[str, Any]) -> SuppressedTable:
    return SuppressedTable(
        name=stored["name"],
        title=_text_from_json(stored["title"]),
        row_dimension=stored["row_dimension"],
        column_dimension=stored["column_dimension"],
        rows=tuple(stored["rows"]),
        columns=tuple(stored["columns"]),
        cells=tuple(tuple(_cell_from_json(cell) for cell in line) for line in stored["cells"]),
        row_totals=tuple(_cell_from_json(cell) for cell in stored["row_totals"]),
        column_totals=tuple(_cell_from_json(cell) for cell in stored["column_totals"]),
        total=_cell_from_json(stored["total"]),
        k=stored["k"],
        definition=_text_from_json(stored["definition"]),
    )


# A cell is its number, null when withheld, "" when the figure does not exist.


def _cell_to_json(cell: Cell) -> int | float | str | None:
    if cell is NOT_APPLICABLE:
        return ""
    return cell.value


def _cell_from_json(stored: int | float | str | None) -> Cell:
    if stored == "":
        return NOT_APPLICABLE
    if stored is None:
        return WITHHELD
    if isinstance(stored, bool) or not isinstance(stored, int | float):
        raise ValueError(f"not a stored cell: {stored!r}")
    return Cell(stored)


# A text is a string, or {"message": template, "params": {...}, "plural": ..., "context": ...};
# a parameter is a string, a number, a text or {"number": value, "decimals": n}.


def _text_to_json(text: Text) -> str | dict[str, Any]:
    if isinstance(text, str):
        return text
    return {
        "message": text.template,
        "params": {name: _param_to_json(value) for name, value in text.params.items()},
        "plural": text.plural,
        "context": text.context,
    }


def _text_from_json(stored: str | Mapping[str, Any]) -> Text:
    if isinstance(stored, str):
        return stored
    return Message(
        stored["message"],
        {name: _param_from_json(value) for name, value in stored["params"].items()},
        plural=stored["plural"],
        context=stored["context"],
    )


def _param_to_json(value: object) -> Any:
    if isinstance(value, Message):
        return _text_to_json(value)
    if isinstance(value, Number):
        return {"number": value.value, "decimals": value.decimals}
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return value
    raise TypeError(f"a message parameter that cannot be stored: {value!r}")


def _param_from_json(stored: Any) -> object:
    if isinstance(stored, dict):
        if "number" in stored:
            return Number(stored["number"], stored["decimals"])
        return _text_from_json(stored)
    return stored
