"""Reading uploaded tables: formats, line numbers, and the files that are refused as a whole."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from portal.imports.tabular import (
    FORMULA_MESSAGE,
    MAX_CELL,
    Row,
    TableProblem,
    column_name,
    read_table,
)

COLUMNS = ("id", "name", "note")


def read(data: bytes | Path, **options) -> list[Row]:
    return list(read_table(data, columns=COLUMNS, **options).rows)


def cells(rows: list[Row]) -> list[tuple[int, dict[str, str]]]:
    return [(row.line, dict(row.cells)) for row in rows]


def workbook(*rows: list[object]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"id,name,note\r\n1,Ana,x\r\n",
        b"\xef\xbb\xbfid;name;note\n1;Ana;x\n",
        b"sep=;\nid;name;note\n1;Ana;x\n",
        b"id\tname\tnote\n1\tAna\tx\n",
    ],
    ids=["comma", "semicolon with BOM", "Excel sep line", "tab"],
)
def test_csv_with_any_of_the_usual_delimiters_is_read(data: bytes) -> None:
    [row] = read(data)
    assert dict(row.cells) == {"id": "1", "name": "Ana", "note": "x"}


def test_a_semicolon_file_with_commas_in_values_keeps_them() -> None:
    [row] = read(b"id;name;note\n1;Popescu, Ana;a, b\n")
    assert (row["name"], row["note"]) == ("Popescu, Ana", "a, b")


def test_line_numbers_are_the_physical_lines_where_records_start() -> None:
    data = b'id,name,note\r\n1,Ana,"two\r\nlines"\r\n\r\n2,Ion,x\r\n,,\r\n3,Eva,y\r\n'
    assert [row.line for row in read(data)] == [2, 5, 7]


def test_the_header_may_be_in_any_order_and_any_case() -> None:
    [row] = read(b"Note, NAME ,Id\n x ,Ana,1\n")
    assert dict(row.cells) == {"id": "1", "name": "Ana", "note": "x"}


def test_column_names_are_normalised() -> None:
    assert column_name("\ufeff External ID ") == "external_id"
    assert column_name("given-name") == "given_name"


def test_short_rows_are_padded_and_extra_cells_are_problems() -> None:
    short, extra = read(b"id,name,note\n1,Ana\n2,Ion,x,surprise\n")
    assert dict(short.cells) == {"id": "1", "name": "Ana", "note": ""}
    assert [(p.line, str(p.column), p.value) for p in extra.problems] == [
        (3, "column 4", "surprise")
    ]


def test_formulas_and_control_characters_are_problems_of_their_cells() -> None:
    [row] = read(b"id,name,note\n1,=1+2,a\x1bb\n")
    assert [(p.column, p.value, p.message == FORMULA_MESSAGE) for p in row.problems] == [
        ("name", "=1+2", True),
        ("note", "a\x1bb", False),
    ]
    assert (row["name"], row["note"]) == ("", "")


def test_the_apostrophe_our_writers_add_is_taken_off_again() -> None:
    [row] = read(b"id,name,note\n'-1,'+44 20,'s-Hertogenbosch\n")
    assert dict(row.cells) == {"id": "-1", "name": "+44 20", "note": "'s-Hertogenbosch"}


def test_a_path_is_read_like_bytes(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_bytes(b"id,name,note\n1,Ana,x\n")
    assert cells(read(path)) == [(2, {"id": "1", "name": "Ana", "note": "x"})]


def test_optional_columns_may_be_left_out() -> None:
    [row] = read(b"id,name\n1,Ana\n", required={"id"})
    assert row["note"] == ""


# --- XLSX ----------------------------------------------------------------------------------------


def test_xlsx_cells_read_as_people_see_them() -> None:
    data = workbook(
        ["id", "name", "note"],
        [1, "Ana", datetime(2026, 3, 1)],
        [],
        [2.0, True, 2.5],
        [3, "Eva", date(2026, 4, 5)],
    )
    assert cells(read(data)) == [
        (2, {"id": "1", "name": "Ana", "note": "2026-03-01"}),
        (4, {"id": "2", "name": "TRUE", "note": "2.5"}),
        (5, {"id": "3", "name": "Eva", "note": "2026-04-05"}),
    ]


def test_xlsx_formula_cells_are_problems_not_their_results() -> None:
    [row] = read(workbook(["id", "name", "note"], [1, "=A2*2", "ok"]))
    assert [(p.column, p.value, p.message) for p in row.problems] == [
        ("name", "=A2*2", FORMULA_MESSAGE)
    ]


def test_xlsx_values_outside_the_header_name_their_column_letter() -> None:
    [row] = read(workbook(["id", "name", "note"], [1, "Ana", "x", None, "lost?"]))
    assert [str(p.column) for p in row.problems] == ["column E"]


def test_only_the_first_sheet_is_read() -> None:
    book = Workbook()
    book.active.append(["id", "name", "note"])
    book.active.append([1, "Ana", "x"])
    book.create_sheet("Help").append(["something", "else"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert [row["name"] for row in read(buffer.getvalue())] == ["Ana"]


# --- refused files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf \r\n", "The file is empty."),
        (b"id,name,note\r\n", "no rows below it"),
        (b"id,name,note,name\n1,2,3,4\n", "names name more than once"),
        (b"id,name,colour\n1,2,3\n", "Unknown columns: colour. Missing columns: note."),
        (b"1,Ana,x\n", "Is the header line missing?"),
        ("id,name,note\n1,Jörg,x\n".encode("cp1252"), "not in UTF-8: line 2"),
        ("id,name,note\n".encode("utf-16"), "UTF-16"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old Excel file (.xls)"),
        (b"%PDF-1.7\n", "not a CSV or an XLSX file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV or an XLSX file"),
        (b"PK\x03\x04 not really a zip", "not an XLSX workbook"),
        (b'id,name,note\n1,"Ana,x\n2,Ion,y\n', "Line 2: the line cannot be read as CSV"),
    ],
)
def test_unusable_files_are_refused_with_a_message(data: bytes, message: str) -> None:
    with pytest.raises(TableProblem) as refused:
        read(data)
    assert message in refused.value.message


def test_every_message_about_the_header_shows_the_expected_one() -> None:
    with pytest.raises(TableProblem, match="in any order: id, name, note"):
        read(b"id,nom,note\n1,2,3\n")


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<office:document/>")
    with pytest.raises(TableProblem, match="not an XLSX workbook"):
        read(buffer.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("portal.imports.tabular.MAX_XLSX_UNPACKED", 10_000)
    data = workbook(["id", "name", "note"], *([n, "x" * 100, "y"] for n in range(200)))
    with pytest.raises(TableProblem, match="unpacks to more data"):
        read(data)


def test_too_many_rows_are_refused_naming_the_limit() -> None:
    data = b"id,name,note\n" + b"".join(b"%d,a,b\n" % n for n in range(11))
    assert len(read(data, max_rows=11)) == 11
    with pytest.raises(TableProblem, match="more than 10 rows below the header"):
        read(data, max_rows=10)


def test_a_cell_over_the_limit_is_refused_with_line_and_column() -> None:
    data = b"id,name,note\n1,a,b\n2,a," + b"x" * (MAX_CELL + 1) + b"\n"
    with pytest.raises(TableProblem, match=f"Line 3, column note: the cell has {MAX_CELL + 1:,}"):
        read(data)


def test_a_megabyte_cell_in_a_workbook_is_refused_too() -> None:
    data = workbook(["id", "name", "note"], [1, "a", "x" * 30_000])
    with pytest.raises(TableProblem, match="Line 2, column note"):
        read(data)


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    data = b"id,name,note\n" + b"1,a,b\n" * 100
    with pytest.raises(TableProblem, match="can be uploaded at once"):
        read(data, max_bytes=100)
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    with pytest.raises(TableProblem, match="Split it into smaller files"):
        read(path, max_bytes=100)


def test_reading_leaves_the_csv_field_size_limit_as_it_was() -> None:
    import csv

    before = csv.field_size_limit()
    read(b"id,name,note\n1,a," + b"x" * 200_000 + b"\n", max_cell=300_000)
    assert csv.field_size_limit() == before
