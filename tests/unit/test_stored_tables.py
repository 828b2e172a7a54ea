"""Published tables through JSON and back: every kind of cell and text comes back equal."""

from __future__ import annotations

import json

import pytest

from portal.reporting.stored import table_from_json, table_to_json
from portal.reporting.tables import NOT_APPLICABLE, WITHHELD, Cell, SuppressedTable
from portal.text import N_, Message, Number, pN_


def _table(**changes: object) -> SuppressedTable:
    title = Message(
        N_("%(indicator)s, by %(dimension)s and sex"),
        {"indicator": Message(N_("Workers placed")), "dimension": Message(N_("region"))},
    )
    values: dict[str, object] = {
        "name": "placed_by_region",
        "title": title,
        "row_dimension": "region",
        "column_dimension": "sex",
        "rows": ("North", "not stated"),
        "columns": ("female", "male"),
        "cells": ((Cell(5), WITHHELD), (Cell(2.75), NOT_APPLICABLE)),
        "row_totals": (WITHHELD, Cell(0)),
        "column_totals": (Cell(12), WITHHELD),
        "total": Cell(31),
        "k": 5,
        "definition": Message(
            N_("%(num)d worker in %(share)s of cases"),
            {"num": 3, "share": Number(12.5, 1), "low": 0.8, "word": "North"},
            plural=N_("%(num)d workers in %(share)s of cases"),
            context=None,
        ),
    }
    values.update(changes)
    return SuppressedTable(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "table",
    [
        _table(),
        _table(title="already in the reader's language", definition=""),
        _table(title=Message(pN_("statistics", "Open"), context="statistics")),
    ],
)
def test_a_table_comes_back_equal_through_json_text(table: SuppressedTable) -> None:
    stored = json.loads(json.dumps(table_to_json(table)))

    back = table_from_json(stored)

    assert back == table
    assert back.cells[1][1] is NOT_APPLICABLE and back.cells[1][1].shown() == ""
    assert back.cells[0][1].suppressed and back.cells[0][1].shown() == "[c]"
    assert str(back.title) == str(table.title) and str(back.definition) == str(table.definition)


def test_a_stored_cell_that_is_not_a_figure_is_refused() -> None:
    stored = table_to_json(_table())
    stored["cells"][0][0] = "12"

    with pytest.raises(ValueError, match="not a stored cell"):
        table_from_json(stored)


def test_a_message_parameter_that_cannot_be_stored_is_refused_when_storing() -> None:
    table = _table(definition=Message(N_("%(when)s"), {"when": object()}))

    with pytest.raises(TypeError, match="cannot be stored"):
        table_to_json(table)
