"""Exports of published tables: CSV, XLSX (one sheet per table and a metadata sheet) and JSON.

Writers take only `SuppressedTable`s, so nothing unsuppressed leaves. In CSV and XLSX every text
cell goes through `safe_cell` (no cell starts a formula, control characters replaced) and numbers
stay numbers. JSON is data, not a spreadsheet: its text is written as it is. A withheld figure is
the marker "[c]" in all three formats (in JSON a string among numbers, named in the metadata).

Writers take `translate` (the caller's, for its reader; English by default): titles, definitions,
labels, headers and metadata are in the reader's language, while JSON keys, table names and
dimension ids stay the same in every language, so that programs can read any of them.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from portal.imports.report import safe_cell
from portal.reporting.disclosure import describe_rule
from portal.reporting.labels import label
from portal.reporting.tables import SUPPRESSED_MARKER, TOTAL_LABEL, Cell, SuppressedTable
from portal.text import N_, Message, Text, Translate

SHEET_TITLE_LIMIT = 31
METADATA_SHEET = N_("metadata")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
"""Characters XML cannot hold (beyond the controls `safe_cell` replaces): left in, they make a
workbook that Excel and openpyxl refuse to open."""


@dataclass(frozen=True, kw_only=True)
class ExportMetadata:
    """What a reader needs to use the figures right: when, for what, how defined and protected."""

    generated_at: datetime
    taxonomy_version: Text
    k: int
    filters: Mapping[str, Text] = field(default_factory=dict)
    definitions: Mapping[str, Text] = field(default_factory=dict)
    rule: Text = ""
    """The suppression rule in words; empty means the standard wording for k."""

    @property
    def rule_text(self) -> Text:
        return self.rule or describe_rule(self.k)


def write_csv(
    tables: Sequence[SuppressedTable],
    metadata: ExportMetadata,
    out: IO[str],
    *,
    translate: Translate = str,
) -> None:
    """One CSV stream: a block per table (title, header, rows, totals), a blank line between,
    then the metadata block. Written row by row. Open `out` with encoding "utf-8-sig" for Excel."""
    _check_k(tables, metadata)
    writer = csv.writer(out, lineterminator="\r\n")
    for table in tables:
        for line in _table_lines(table, translate):
            writer.writerow([safe_cell(value) for value in line])
        writer.writerow([])
    writer.writerow([safe_cell(translate(Message(METADATA_SHEET)))])
    for key, value in _metadata_lines(tables, metadata, translate):
        writer.writerow([safe_cell(key), safe_cell(value)])


def write_xlsx(
    tables: Sequence[SuppressedTable],
    metadata: ExportMetadata,
    out: IO[bytes],
    *,
    translate: Translate = str,
) -> None:
    """A workbook with one sheet per table (named after it) and a "metadata" sheet."""
    from openpyxl import Workbook

    _check_k(tables, metadata)
    workbook = Workbook(write_only=True)
    metadata_title = sheet_title(translate(Message(METADATA_SHEET)), set())
    taken: set[str] = {metadata_title.casefold()}
    for table in tables:
        title = sheet_title(table.name, taken)
        taken.add(title.casefold())
        sheet = workbook.create_sheet(title)
        sheet.column_dimensions["A"].width = 28
        for line in _table_lines(table, translate):
            sheet.append([safe_cell(value) for value in line])
    sheet = workbook.create_sheet(metadata_title)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 100
    sheet.append(
        [safe_cell(translate(Message(N_("key")))), safe_cell(translate(Message(N_("value"))))]
    )
    for key, value in _metadata_lines(tables, metadata, translate):
        sheet.append([safe_cell(key), safe_cell(value)])
    workbook.save(out)


def write_json(
    tables: Sequence[SuppressedTable],
    metadata: ExportMetadata,
    out: IO[str],
    *,
    translate: Translate = str,
) -> None:
    """{"metadata": {...}, "tables": [...]}; withheld figures are the marker string."""
    _check_k(tables, metadata)
    document = {
        "metadata": {
            "generated_at": metadata.generated_at.isoformat(),
            "taxonomy_version": translate(metadata.taxonomy_version),
            "k": metadata.k,
            "suppression_rule": translate(metadata.rule_text),
            "suppressed_marker": SUPPRESSED_MARKER,
            "filters": {name: translate(value) for name, value in metadata.filters.items()},
            "definitions": {name: translate(text) for name, text in metadata.definitions.items()},
        },
        "tables": [_table_document(table, translate) for table in tables],
    }
    json.dump(document, out, ensure_ascii=False, allow_nan=False, indent=2)
    out.write("\n")


def sheet_title(name: str, taken: set[str]) -> str:
    """A sheet title Excel accepts: no []:*?/\\ or control characters, no apostrophe at either
    end, at most 31 characters, and not one of `taken` (compared ignoring case, as Excel does)."""
    base = _SHEET_FORBIDDEN.sub("_", name).strip("'")[:SHEET_TITLE_LIMIT] or "table"
    if base.casefold() == "history":  # reserved by Excel
        base = "history_"
    title, number = base, 1
    while title.casefold() in taken:
        number += 1
        suffix = f"~{number}"
        title = base[: SHEET_TITLE_LIMIT - len(suffix)].rstrip("'") + suffix
    return title


def _check_k(tables: Sequence[SuppressedTable], metadata: ExportMetadata) -> None:
    """The metadata states one rule; a table protected with another k would make it untrue."""
    for table in tables:
        if table.k != metadata.k:
            raise ValueError(
                f"table {table.name} was suppressed with k={table.k}, not {metadata.k}"
            )


def _table_lines(table: SuppressedTable, translate: Translate) -> Iterator[list[Any]]:
    def word(name: str) -> str:
        return translate(label(name))

    yield [translate(table.title)]
    yield [word(table.row_dimension), *map(word, table.columns), word(TOTAL_LABEL)]
    for row, line, total in zip(table.rows, table.cells, table.row_totals, strict=True):
        yield [word(row), *_shown(line), total.shown()]
    yield [word(TOTAL_LABEL), *_shown(table.column_totals), table.total.shown()]


def _shown(cells: Sequence[Cell]) -> list[int | float | str]:
    return [cell.shown() for cell in cells]


def _metadata_lines(
    tables: Sequence[SuppressedTable], metadata: ExportMetadata, translate: Translate
) -> Iterator[tuple[str, Any]]:
    def key(template: str, **params: object) -> str:
        return translate(Message(template, params))

    yield key(N_("generated at")), metadata.generated_at.isoformat()
    yield key(N_("taxonomy version")), translate(metadata.taxonomy_version)
    yield key(N_("suppression rule")), translate(metadata.rule_text)
    yield "k", metadata.k
    yield key(N_("withheld figures are shown as")), SUPPRESSED_MARKER
    for name, value in metadata.filters.items():
        yield key(N_("filter: %(name)s"), name=label(name)), translate(value)
    for name, text in metadata.definitions.items():
        yield key(N_("definition: %(name)s"), name=label(name)), translate(text)
    for table in tables:
        if table.definition:
            yield (
                key(N_("definition of table: %(name)s"), name=table.name),
                translate(table.definition),
            )


def _table_document(table: SuppressedTable, translate: Translate) -> dict[str, Any]:
    return {
        "name": table.name,
        "title": translate(table.title),
        "definition": translate(table.definition),
        "row_dimension": table.row_dimension,
        "column_dimension": table.column_dimension,
        "rows": [translate(label(row)) for row in table.rows],
        "columns": [translate(label(column)) for column in table.columns],
        "cells": [_shown(line) for line in table.cells],
        "row_totals": _shown(table.row_totals),
        "column_totals": _shown(table.column_totals),
        "total": table.total.shown(),
    }
