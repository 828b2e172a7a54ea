"""Exports: every format shows the same figures and the marker, and no cell becomes a formula."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from portal.imports.tabular import FORMULA_STARTS
from portal.reporting.disclosure import suppress
from portal.reporting.tables import SUPPRESSED_MARKER, SuppressedTable, Table
from portal.reporting.writers import (
    ExportMetadata,
    sheet_title,
    write_csv,
    write_json,
    write_xlsx,
)
from portal.text import Message, Text

HOSTILE = ("=SUM(A1:A9)", "+1", "-2+3", "@cmd", "\tlead", "\rlead", '=HYPERLINK("x")')


def make_table(
    rows: tuple[str, ...] = ("North", "South", "East"),
    *,
    name: str = "placed_by_sex_and_region",
    title: str = "Placed workers by sex and region",
    columns: tuple[str, ...] = ("female", "male", "other", "not-stated"),
) -> Table:
    counts = ((3, 50, 60, 70), (20, 40, 0, 12), (30, 30, 30, 30), (1, 2, 3, 4))
    return Table(
        name=name,
        title=title,
        row_dimension="region",
        rows=rows,
        columns=columns,
        counts=tuple(line[: len(columns)] for line in counts[: len(rows)]),
        definition="Workers whose placement started in the period.",
    )


def make_metadata(**changes: object) -> ExportMetadata:
    values: dict[str, object] = {
        "generated_at": datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
        "taxonomy_version": "builtin-2025.1",
        "k": 10,
        "filters": {"period": "2025-01-01 to 2025-02-28"},
        "definitions": {"placed": "A placement in state started."},
    }
    values.update(changes)
    return ExportMetadata(**values)  # type: ignore[arg-type]


def csv_rows(tables: list[SuppressedTable], metadata: ExportMetadata) -> list[list[str]]:
    out = io.StringIO()
    write_csv(tables, metadata, out)
    return list(csv.reader(io.StringIO(out.getvalue(), newline="")))


def xlsx_values(tables: list[SuppressedTable], metadata: ExportMetadata) -> Workbook:
    out = io.BytesIO()
    write_xlsx(tables, metadata, out)
    out.seek(0)
    return load_workbook(out)


def test_csv_has_a_block_per_table_then_the_metadata() -> None:
    table = suppress(make_table())

    rows = csv_rows([table, table], make_metadata())

    assert rows[:6] == [
        ["Placed workers by sex and region"],
        ["region", "female", "male", "other", "not-stated", "total"],
        ["North", "[c]", "[c]", "60", "70", "183"],
        ["South", "[c]", "[c]", "0", "12", "72"],
        ["East", "30", "30", "30", "30", "120"],
        ["total", "53", "120", "90", "112", "375"],
    ]
    assert rows[6] == []
    assert rows[7] == rows[0]
    assert rows[13] == []
    assert rows[14] == ["metadata"]
    metadata = {row[0]: row[1] for row in rows[15:]}
    assert metadata["k"] == "10"
    assert metadata["filter: period"] == "2025-01-01 to 2025-02-28"
    assert metadata["definition of table: placed_by_sex_and_region"].startswith("Workers")
    assert "1 to 9" in metadata["suppression rule"]


def test_csv_escapes_text_that_would_start_a_formula() -> None:
    table = suppress(make_table(HOSTILE[:3], title="=cmd|' /C calc'!A0"))

    rows = csv_rows([table], make_metadata(filters={"region": "@SUM(1)"}))

    assert rows[0] == ["'=cmd|' /C calc'!A0"]
    assert [row[0] for row in rows[2:5]] == ["'=SUM(A1:A9)", "'+1", "'-2+3"]
    assert ["filter: region", "'@SUM(1)"] in rows


def test_xlsx_has_a_sheet_per_table_and_a_metadata_sheet_with_numbers_as_numbers() -> None:
    workbook = xlsx_values([suppress(make_table())], make_metadata())

    assert workbook.sheetnames == ["placed_by_sex_and_region", "metadata"]
    values = [list(row) for row in workbook["placed_by_sex_and_region"].values]
    assert values[2] == ["North", SUPPRESSED_MARKER, SUPPRESSED_MARKER, 60, 70, 183]
    assert values[5] == ["total", 53, 120, 90, 112, 375]
    metadata = dict(workbook["metadata"].values)
    assert metadata["k"] == 10
    assert metadata["taxonomy version"] == "builtin-2025.1"
    assert metadata["generated at"] == "2025-03-01T09:30:00+00:00"


def test_xlsx_holds_no_formula_even_when_labels_start_like_one() -> None:
    table = suppress(make_table(HOSTILE[:4], title=HOSTILE[4], columns=HOSTILE[3:7]))

    workbook = xlsx_values([table], make_metadata(filters={HOSTILE[0]: HOSTILE[1]}))

    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [cell for cell in cells if cell.data_type == "f"] == []
    # XML turns a carriage return into a line feed on reading; the apostrophe stays in front.
    assert {"'=SUM(A1:A9)", "'+1", "'-2+3", "'@cmd", "'\tlead", "'\nlead"} <= {
        cell.value for cell in cells
    }


def test_json_holds_the_figures_with_the_marker_for_withheld_ones() -> None:
    out = io.StringIO()

    write_json([suppress(make_table())], make_metadata(), out)

    document = json.loads(out.getvalue())
    assert document["metadata"]["suppressed_marker"] == SUPPRESSED_MARKER
    assert document["metadata"]["k"] == 10
    assert document["metadata"]["filters"] == {"period": "2025-01-01 to 2025-02-28"}
    (table,) = document["tables"]
    assert table["cells"][0] == [SUPPRESSED_MARKER, SUPPRESSED_MARKER, 60, 70]
    assert table["row_totals"] == [183, 72, 120]
    assert table["column_totals"] == [53, 120, 90, 112]
    assert table["total"] == 375
    assert table["rows"] == ["North", "South", "East"]


@pytest.mark.parametrize("writer", [write_csv, write_json])
def test_a_table_suppressed_with_another_k_is_refused(
    writer: Callable[[list[SuppressedTable], ExportMetadata, IO[str]], None],
) -> None:
    with pytest.raises(ValueError, match="k=12"):
        writer([suppress(make_table(), k=12)], make_metadata(), io.StringIO())


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("placed_by_sex_and_region", set(), "placed_by_sex_and_region"),
        ("a[b]c:d*e?f/g\\h", set(), "a_b_c_d_e_f_g_h"),
        ("x" * 40, set(), "x" * 31),
        ("x" * 40, {"x" * 31}, "x" * 29 + "~2"),
        ("Metadata", {"metadata"}, "Metadata~2"),
        ("'quoted'", set(), "quoted"),
        ("", set(), "table"),
        ("History", set(), "history_"),
    ],
)
def test_sheet_titles_are_ones_excel_accepts(name: str, taken: set[str], expected: str) -> None:
    assert sheet_title(name, taken) == expected


def test_tables_with_the_same_name_get_distinct_sheets() -> None:
    table = suppress(make_table(name="metadata"))

    workbook = xlsx_values([table, table], make_metadata())

    assert workbook.sheetnames == ["metadata~2", "metadata~3", "metadata"]


def test_xlsx_replaces_characters_xml_cannot_hold() -> None:
    table = suppress(make_table(("\ufffe", "b\uffff"), name="n\uffff", title="=\uffff"))

    workbook = xlsx_values([table], make_metadata())

    assert workbook.sheetnames == ["n_", "metadata"]
    assert [row[0] for row in workbook["n_"].values][:4] == [
        "'=\ufffd",
        "region",
        "\ufffd",
        "b\ufffd",
    ]


labels = st.text(
    st.one_of(st.characters(), st.sampled_from("=+-@\t\r\n\x00\x1f\ufffe\uffff")), max_size=12
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(labels, min_size=1, max_size=4, unique=True),
    columns=st.lists(labels, min_size=4, max_size=4, unique=True),
    title=labels,
    name=labels,
    filter_value=labels,
)
def test_no_export_cell_starts_a_formula_whatever_the_labels(
    rows: list[str], columns: list[str], title: str, name: str, filter_value: str
) -> None:
    table = suppress(make_table(tuple(rows), name=name, title=title, columns=tuple(columns)))
    metadata = make_metadata(filters={filter_value: filter_value})

    workbook = xlsx_values([table], metadata)
    text_cells = [cell for row in csv_rows([table], metadata) for cell in row]

    assert all(
        cell.data_type != "f" for sheet in workbook for row in sheet.iter_rows() for cell in row
    )
    assert not any(cell.startswith(FORMULA_STARTS) for cell in text_cells)


def _shout(text: Text) -> str:
    """A stand-in for a reader's language: what is translated comes out in capitals."""
    return str(text).upper() if isinstance(text, Message) else text


def test_words_are_translated_while_data_names_and_json_keys_are_not() -> None:
    table = suppress(make_table(("North", "not stated"), title=Message("Placed workers")))
    metadata = make_metadata(filters={"region": "North"}, rule=Message("Small counts withheld."))
    out = io.StringIO()

    write_csv([table], metadata, out, translate=_shout)
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    write_json([table], metadata, (document := io.StringIO()), translate=_shout)
    (written,) = json.loads(document.getvalue())["tables"]

    assert rows[0] == ["PLACED WORKERS"]
    assert rows[1] == ["REGION", "FEMALE", "MALE", "OTHER", "NOT-STATED", "TOTAL"]
    assert [row[0] for row in rows[2:5]] == ["North", "NOT STATED", "TOTAL"]
    assert ["FILTER: REGION", "North"] in rows
    assert ["SUPPRESSION RULE", "SMALL COUNTS WITHHELD."] in rows
    assert (written["name"], written["row_dimension"], written["title"]) == (
        "placed_by_sex_and_region",
        "region",
        "PLACED WORKERS",
    )
    assert written["rows"] == ["North", "NOT STATED"]
