"""Files written for spreadsheets: no cell may start a formula, and what we write reads back."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from portal.imports.report import csv_bytes, problems_csv, safe_cell, xlsx_bytes
from portal.imports.tabular import FORMULA_MESSAGE, RowProblem, read_table
from portal.text import Message, Text


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-5, -5),
        (2.5, 2.5),
        ("nul\x00here", "nul\ufffdhere"),
    ],
)
def test_safe_cell_escapes_whatever_could_start_a_formula(value: object, safe: object) -> None:
    assert safe_cell(value) == safe


def test_csv_files_have_a_bom_and_escaped_cells() -> None:
    data = csv_bytes(["a", "=b"], [['=HYPERLINK("x")', "ok"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["a,'=b", '"\'=HYPERLINK(""x"")",ok']


def test_xlsx_files_hold_no_formula_and_the_notes_on_a_second_sheet() -> None:
    data = xlsx_bytes(["a", "b"], [["=1+1", 3]], sheet_title="Data", notes=[("a", "=what")])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Data", "Columns"]
    cell = book["Data"]["A2"]
    assert (cell.value, cell.data_type) == ("'=1+1", "s")
    assert book["Data"]["B2"].value == 3
    assert [c.value for c in book["Columns"][2]] == ["a", "'=what"]


@pytest.mark.parametrize("writer", [csv_bytes, xlsx_bytes])
def test_what_we_write_reads_back_as_it_was(writer) -> None:
    row = ["+40 721 234 567", "-3", "=not a formula"]
    table = read_table(writer(["a", "b", "c"], [row]), columns=("a", "b", "c"))
    [read_row] = table.rows
    assert (read_row["a"], read_row["b"]) == ("+40 721 234 567", "-3")
    assert [problem.value for problem in read_row.problems] == ["=not a formula"]


def test_the_error_report_has_one_line_per_problem() -> None:
    data = problems_csv(
        [
            RowProblem(3, "birth_year", "19x0", "not a year"),
            RowProblem(4, "given_name", "=cmd|' /C calc'!A0", "looks like a formula"),
        ]
    )
    assert data.decode("utf-8-sig").splitlines() == [
        "line,column,value,problem",
        "3,birth_year,19x0,not a year",
        "4,given_name,'=cmd|' /C calc'!A0,looks like a formula",
    ]


def test_the_error_report_translates_its_words_but_never_the_values() -> None:
    def shout(text: Text) -> str:  # a stand-in for a reader's language
        return str(text).upper() if isinstance(text, Message) else text

    data = problems_csv(
        [RowProblem(4, Message("column %(name)s", {"name": "E"}), "=x", FORMULA_MESSAGE)],
        translate=shout,
    )

    assert data.decode("utf-8-sig").splitlines() == [
        "LINE,COLUMN,VALUE,PROBLEM",
        "4,COLUMN E,'=x,LOOKS LIKE A SPREADSHEET FORMULA; TYPE THE VALUE INSTEAD",
    ]
