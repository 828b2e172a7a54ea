"""Property tests of the worker and vacancy uploads: whatever file comes in, the reader either
reads it or refuses it with one TableProblem; the import never raises; every problem names a
line where a record starts and a column of the file; a row is stored whole or not at all; a dry
run reports what the import does and stores nothing; and the same file imported twice leaves the
database as the first import did.

Generated CSV files vary what spreadsheets vary: the header's order and spelling, the delimiter,
a BOM, Excel's "sep=" line, quoting, line endings, blank lines, cells outside the header, huge
and empty cells, and text in any script (right-to-left marks, combining characters, emoji).
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from portal.imports.tabular import MAX_CELL, TableProblem
from portal.models import Role, User, Vacancy, Worker
from portal.services import regions, vacancies, vacancy_import, worker_import
from tests.conftest import Factory
from tests.reliability.conftest import (
    RELIABILITY,
    database_state,
    examples,
    fresh_session,
    undone,
)
from tests.services.test_worker_import import worker_row

pytestmark = pytest.mark.usefixtures("stored_taxonomy")

START = date.today() + timedelta(days=40)


# --- the two kinds of upload ---------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One upload: its columns, a good row, values that are wrong in a known column, the
    columns free text may go in, and how to read, import and find what was stored."""

    name: str
    columns: tuple[str, ...]
    good: Callable[[str], dict[str, str]]
    bad: dict[str, tuple[str, ...]]
    free: tuple[str, ...]
    max_cell: int
    read: Callable[[bytes], Any]
    title: str  # a column stored as typed (spaces collapsed), to check a stored row is whole

    def run(self, session: Session, actor: User, rows: Any, *, dry_run: bool) -> Any:
        if self.name == "workers":
            return worker_import.import_workers(
                session,
                actor,
                actor.organisation,
                rows,
                dry_run=dry_run,
                consent_confirmed=True,
            )
        return vacancy_import.import_vacancies(
            session, actor, actor.organisation, rows, dry_run=dry_run
        )

    def stored(self, session: Session, actor: User) -> dict[str, str]:
        """external_id → the stored value of `title`, for the actor's organisation."""
        if self.name == "workers":
            rows = session.execute(
                select(Worker.external_id, Worker.family_name).where(
                    Worker.provider_id == actor.organisation_id
                )
            )
        else:
            rows = session.execute(
                select(Vacancy.external_id, Vacancy.title).where(
                    Vacancy.organisation_id == actor.organisation_id
                )
            )
        return {external_id: value for external_id, value in rows}


def _vacancy_row(external_id: str) -> dict[str, str]:
    return {
        "external_id": external_id,
        "title": "Forklift drivers, night shift",
        "occupation": "forklift driver",
        "description": "Loading lorries.",
        "essential_skills": "operate a forklift;follow health and safety rules",
        "optional_skills": "stack pallets",
        "positions": "12",
        "region": "North",
        "start_date": START.isoformat(),
        "end_date": (START + timedelta(days=90)).isoformat(),
        "hours_per_week": "40",
        "pay_amount": "14.50",
        "pay_currency": "EUR",
        "pay_period": "hour",
        "accommodation": "yes",
        "transport": "no",
        "languages": "en:A2",
        "no_fee_pledge": "yes",
    }


WORKERS = Kind(
    name="workers",
    columns=worker_import.COLUMNS,
    good=worker_row,
    bad={
        "external_id": ("", "x" * 101),
        "given_name": ("n" * 101,),
        "email": ("not an email", "a@b@c"),
        "phone": ("call me",),
        "sex": ("sometimes",),
        "birth_year": ("19x0", "1850"),
        "country_of_origin": ("QQ",),
        "region": ("Atlantis",),
        "willing_to_relocate": ("Atlantis",),
        "languages": ("english", "en:Z9"),
        "occupation": ("12",),
        "experience_years": ("-1", "many", "80"),
        "skills": ("s" * 201,),
        "available_from": ("31/02/2026", "2026-13-01", "2099-01-01"),
    },
    free=("given_name", "family_name", "skills", "occupation"),
    max_cell=MAX_CELL,
    read=worker_import.read_worker_file,
    title="family_name",
)
VACANCIES = Kind(
    name="vacancies",
    columns=vacancy_import.COLUMNS,
    good=_vacancy_row,
    bad={
        "external_id": ("",),
        "title": ("", "t" * 201),
        "occupation": ("12",),
        "essential_skills": ("s" * 201,),
        "positions": ("0", "lots", "10001"),
        "region": ("", "Atlantis"),
        "start_date": ("", "31/02/2027"),
        "end_date": ((START - timedelta(days=1)).isoformat(),),
        "hours_per_week": ("forty", "100"),
        "pay_amount": ("a lot", "-5"),
        "pay_currency": ("XYZ",),
        "pay_period": ("fortnight",),
        "accommodation": ("maybe",),
        "transport": ("maybe",),
        "languages": ("english",),
        "no_fee_pledge": ("maybe",),
    },
    free=("title", "description", "essential_skills", "optional_skills", "occupation"),
    max_cell=vacancies.DESCRIPTION_MAX,
    read=vacancy_import.read_vacancy_file,
    title="title",
)
KINDS = {"workers": WORKERS, "vacancies": VACANCIES}


@pytest.fixture(params=sorted(KINDS))
def kind(request: pytest.FixtureRequest) -> Kind:
    return KINDS[request.param]


@pytest.fixture
def uploader(kind: Kind, make: Factory, session: Session) -> User:
    """A provider or employer of a verified organisation, with the regions rows name."""
    regions.add_regions(session, ["North", "South"])
    return make.user(Role.PROVIDER if kind.name == "workers" else Role.EMPLOYER)


# --- text in any script --------------------------------------------------------------------------

SPECIAL = (
    "\u200f",  # right-to-left mark
    "\u200e",
    "\u202e",  # right-to-left override
    "\u2066",
    "\u0301",  # combining acute
    "\u0308",
    "\u064b",  # Arabic fathatan
    "\u0640",  # tatweel
    "\ufeff",
    "\u00a0",
    "\u2028",
    "ﬁ",
    "İ",
    "ß",
    "й",
    "ї",
    "مرحبا",
    "😀",
    "'",
    '"',
    ";",
    ",",
    ":",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "=",
    "+",
    "-",
    "@",
    "\x07",
    "\x1b",
    " ",
)
any_text = st.lists(
    st.one_of(st.characters(codec="utf-8", exclude_characters="\x00"), st.sampled_from(SPECIAL)),
    max_size=20,
).map("".join)


# --- generated CSV files -------------------------------------------------------------------------


@dataclass
class Record:
    """One record of a generated file: its cells in header order, and what is known of it."""

    cells: list[str]
    external_id: str
    expected: set[str] = field(default_factory=set)  # columns that must have a problem
    clean: bool = True  # every cell valid: the row must be accepted (if its id is unique)
    line: int = 0  # the physical line it starts on


@dataclass
class CsvFile:
    data: bytes
    header: tuple[str, ...]  # column names in the file's order
    records: list[Record]
    huge: tuple[int, str] | None  # (line, column) of a cell over the limit


def _breaks(text: str) -> int:
    return len(re.findall(r"\r\n|\r|\n", text))


def _spelling(draw: st.DrawFn, name: str) -> str:
    """A header cell people might write for `name`: "External ID", "external-id" ..."""
    separator = draw(st.sampled_from(["_", " ", "-", "  "]))
    text = name.replace("_", separator)
    text = "".join(c.upper() if draw(st.booleans()) else c for c in text)
    return draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " "]))


@st.composite
def csv_files(draw: st.DrawFn, kind: Kind) -> CsvFile:
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    quote_all = draw(st.booleans())
    header = tuple(draw(st.permutations(kind.columns)))

    def quoted(cell: str) -> str:
        if quote_all or any(c in cell for c in (delimiter, '"', "\r", "\n")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    records: list[Record] = []
    for number in range(draw(st.integers(1, 6))):
        external_id = f"R-{number}"
        values = kind.good(external_id)
        record = Record([], external_id)
        mode = draw(st.sampled_from(["clean", "clean", "bad", "noise", "outside", "copy"]))
        if mode == "bad":
            column = draw(st.sampled_from(sorted(kind.bad)))
            values[column] = draw(st.sampled_from(kind.bad[column]))
            if column == "external_id":
                record.external_id = values[column]
            record.expected.add(column)
            record.clean = False
        elif mode == "noise":
            column = draw(st.sampled_from(kind.free))
            values[column] = draw(any_text)
            record.clean = False
        elif mode == "copy" and records:
            original = draw(st.sampled_from(records))
            values["external_id"] = record.external_id = original.external_id
            original.expected.add("external_id")
            original.clean = False
            record.expected.add("external_id")
            record.clean = False
        record.cells = [values[name] for name in header]
        if mode == "outside":
            record.cells += [""] * draw(st.integers(0, 2)) + [draw(st.sampled_from(["x", "1"]))]
            record.expected.add(f"column {len(record.cells)}")
            record.clean = False
        records.append(record)
    huge = None
    if draw(st.integers(0, 9)) == 0:  # now and then one cell over the limit
        record = draw(st.sampled_from(records))
        index = draw(st.integers(0, len(header) - 1))
        record.cells[index] = "h" * (kind.max_cell + 1)
        huge = (-1, header[index])
        record.clean = False

    lines: list[str] = []
    line = 1
    if draw(st.integers(0, 4)) == 0:  # Excel's hint line
        lines.append(f"sep={delimiter}{newline}")
        line += 1
    header_text = delimiter.join(quoted(_spelling(draw, name)) for name in header)
    lines.append(header_text + newline)
    line += _breaks(header_text) + 1
    for record in records:
        for _blank in range(draw(st.integers(0, 1))):
            lines.append(draw(st.sampled_from([newline, delimiter * 3 + newline])))
            line += 1
        text = delimiter.join(quoted(cell) for cell in record.cells)
        lines.append(text + newline)
        record.line = line
        line += _breaks(text) + 1
        if huge is not None and any(len(cell) > kind.max_cell for cell in record.cells):
            huge = (record.line, huge[1])
    text = "".join(lines)
    if draw(st.booleans()):
        text = text[: -len(newline)]  # no line break after the last record
    bom = codecs.BOM_UTF8 if draw(st.booleans()) else b""
    return CsvFile(bom + text.encode(), header, records, huge)


ANY_COLUMN = re.compile(r"column \d+")


def _check_problems_name_lines_and_columns(report: Any, data: CsvFile) -> None:
    starts = {record.line for record in data.records}
    for problem in report.problems:
        assert problem.line in starts, problem
        assert str(problem.column) in data.header or ANY_COLUMN.fullmatch(str(problem.column))
        assert str(problem.message)
    found = {(problem.line, str(problem.column)) for problem in report.problems}
    for record in data.records:
        for column in record.expected:
            assert (record.line, column) in found, (record, report.problems)
        if record.clean:
            assert record.line not in {line for line, _column in found}, (record, found)


def _check_stored_whole(kind: Kind, stored: dict[str, str], report: Any, data: CsvFile) -> None:
    """An accepted row is stored with its values; a rejected one is not stored at all."""
    rejected = {problem.line for problem in report.problems}
    title = data.header.index(kind.title)
    for record in data.records:
        if record.line in rejected:
            assert record.external_id not in stored, record
        else:
            assert stored[record.external_id] == " ".join(record.cells[title].split())


@settings(RELIABILITY, max_examples=examples(30))
@given(data=st.data())
def test_a_generated_csv_file_is_read_checked_and_stored_row_by_row(
    app: Flask, connection: Connection, kind: Kind, uploader: User, data: st.DataObject
) -> None:
    upload = data.draw(csv_files(kind), label="file")
    if upload.huge is not None:
        with pytest.raises(TableProblem) as refused:
            kind.read(upload.data)
        line, column = upload.huge
        assert f"Line {line}, column {column}:" in refused.value.message
        return
    table = kind.read(upload.data)
    assert [row.line for row in table.rows] == [record.line for record in upload.records]
    with undone(connection):
        with fresh_session(app) as session:
            before = database_state(session)
            checked = kind.run(session, uploader, table.rows, dry_run=True)
            assert database_state(session) == before
            report = kind.run(session, uploader, table.rows, dry_run=False)
            assert (checked.problems, checked.created, checked.updated) == (
                report.problems,
                report.created,
                report.updated,
            )
            assert report.rejected + report.created + report.updated <= report.rows
            _check_problems_name_lines_and_columns(report, upload)
            _check_stored_whole(kind, kind.stored(session, uploader), report, upload)
            after_first = database_state(session)
        with fresh_session(app) as session:
            again = kind.run(session, uploader, kind.read(upload.data).rows, dry_run=False)
            assert (again.created, again.updated, again.problems) == (0, 0, report.problems)
            assert database_state(session) == after_first


# --- any bytes, any text -------------------------------------------------------------------------


def _header_line(kind: Kind) -> st.SearchStrategy[bytes]:
    return st.builds(
        lambda names, delimiter: (delimiter.join(names) + "\r\n").encode(),
        st.permutations(kind.columns),
        st.sampled_from([",", ";", "\t"]),
    )


def _read_and_import(app: Flask, connection: Connection, kind: Kind, uploader: User, data: bytes):
    """Read `data`; refused only as a whole (TableProblem), else imported without error."""
    try:
        table = kind.read(data)
    except TableProblem as problem:
        assert problem.message.strip()
        return
    lines = {row.line for row in table.rows}
    with undone(connection), fresh_session(app) as session:
        for dry_run in (True, False):
            report = kind.run(session, uploader, table.rows, dry_run=dry_run)
            assert {problem.line for problem in report.problems} <= lines


@settings(RELIABILITY, max_examples=examples(40))
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.tuples(st.sampled_from([b"", codecs.BOM_UTF8]), st.binary(max_size=300)).map(b"".join),
        st.data(),
    )
)
def test_any_bytes_are_read_or_refused_as_a_whole_and_never_break_the_import(
    app: Flask, connection: Connection, kind: Kind, uploader: User, data: Any
) -> None:
    if isinstance(data, st.DataObject):  # the right header, then anything
        data = data.draw(_header_line(kind)) + data.draw(st.binary(max_size=300))
    _read_and_import(app, connection, kind, uploader, data)


unicode_text = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(SPECIAL),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
    ),
    max_size=120,
).map("".join)


@settings(RELIABILITY, max_examples=examples(40))
@given(text=unicode_text, bom=st.booleans(), with_header=st.booleans())
def test_any_text_is_read_or_refused_as_a_whole(
    app: Flask,
    connection: Connection,
    kind: Kind,
    uploader: User,
    text: str,
    bom: bool,
    with_header: bool,
) -> None:
    if with_header:
        text = ",".join(kind.columns) + "\n" + text
    # a lone surrogate cannot be UTF-8: written as the bytes a careless encoder leaves
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8", "surrogatepass")
    has_surrogate = any(0xD800 <= ord(char) <= 0xDFFF for char in text)
    if has_surrogate:
        with pytest.raises(TableProblem):
            kind.read(data)
        return
    _read_and_import(app, connection, kind, uploader, data)


# --- workbooks -----------------------------------------------------------------------------------


def _as_spreadsheet_value(text: str) -> object:
    """A good cell as a spreadsheet stores it: numbers as numbers, days as dates."""
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d+\.\d+", text):
        return float(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    return text


xml_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")).filter(
        lambda char: char not in "\ufffe\uffff"
    ),
    max_size=30,
)


@st.composite
def workbooks(draw: st.DrawFn, kind: Kind) -> tuple[bytes, list[tuple[int, bool, str]]]:
    """A workbook with the columns in any order; rows of typed good values, some with free text.
    Returns the file and, per row, (row number, clean, external_id)."""
    header = list(draw(st.permutations(kind.columns)))
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    rows = []
    for number in range(draw(st.integers(1, 4))):
        values = kind.good(f"X-{number}")
        clean = draw(st.booleans())
        if not clean:
            values[draw(st.sampled_from(kind.free))] = draw(xml_text)
        sheet.append([_as_spreadsheet_value(values[name]) for name in header])
        rows.append((number + 2, clean, f"X-{number}"))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), rows


@settings(RELIABILITY, max_examples=examples(10))
@given(data=st.data())
def test_a_workbook_with_typed_cells_is_read_like_the_csv(
    app: Flask, connection: Connection, kind: Kind, uploader: User, data: st.DataObject
) -> None:
    content, rows = data.draw(workbooks(kind), label="workbook")
    table = kind.read(content)
    assert table.file_format == "xlsx"
    with undone(connection), fresh_session(app) as session:
        report = kind.run(session, uploader, table.rows, dry_run=False)
        rejected = {problem.line for problem in report.problems}
        stored = kind.stored(session, uploader)
        for line, clean, external_id in rows:
            if clean:
                assert line not in rejected, report.problems
            assert (external_id in stored) == (line not in rejected)
