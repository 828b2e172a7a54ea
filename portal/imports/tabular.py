"""Read an uploaded table into rows: CSV (UTF-8 with or without BOM; comma, semicolon or tab) or
XLSX (the first sheet).

Line numbers are what a person sees: the header is line 1; in a CSV a row's line is the physical
line where its record starts, in a workbook its row number. A file that cannot be read as a whole
raises one `TableProblem` saying how to fix it; a cell that is wrong in itself (a formula, a
control character, a value outside the header's columns) becomes a `RowProblem` of its row, and the
caller decides what to do with that row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import Any, Literal

from portal.text import N_, Message, Number, Text, lazy_ngettext

MAX_BYTES = 16 * 1024 * 1024  # the web upload limit (MAX_CONTENT_LENGTH) by default
MAX_ROWS = 20_000
MAX_CELL = 2_000  # characters
MAX_XLSX_UNPACKED = 200 * 1024 * 1024  # a zip bomb is refused before it is unpacked
MAX_XLSX_MEMBERS = 10_000

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Characters with which a spreadsheet may start a formula; writers escape them (report.py)."""

FORMULA_MESSAGE = Message(N_("looks like a spreadsheet formula; type the value instead"))
ERROR_CELL_MESSAGE = Message(N_("the cell shows a spreadsheet error; type the value instead"))
CONTROL_MESSAGE = Message(
    N_("contains a control character that cannot be stored; type the value again")
)
OUTSIDE_MESSAGE = Message(
    N_("is in a column that has no name in the header line; move it to its column, or delete it")
)
SAVE_AS_CSV_UTF8 = Message(
    N_("In your spreadsheet choose “Save as” and “CSV UTF-8”, or save it as XLSX.")
)
EMPTY_FILE = Message(N_("The file is empty."))

FileFormat = Literal["csv", "xlsx"]
_RawCell = tuple[str, Message | None]  # (text, problem of the cell itself)
_RawLine = tuple[int, list[_RawCell]]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SEP_LINE = re.compile(r"sep=(.)\s*$", re.IGNORECASE)  # Excel's "sep=;" first line


class TableProblem(Exception):
    """The file cannot be used at all; the sentences say why and how to fix it."""

    def __init__(self, *sentences: Text) -> None:
        self.sentences = sentences
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The sentences in English; translate `sentences` to tell someone."""
        return " ".join(str(sentence) for sentence in self.sentences)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong with one cell (or one row): reported as line, column, value, message.

    `column` is the column's name, or "column 7" (a Message) for a cell outside the header."""

    line: int
    column: Text
    value: str
    message: Text


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: every expected column's text ("" when empty or unusable)."""

    line: int
    cells: Mapping[str, str]
    problems: tuple[RowProblem, ...] = ()

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]  # the columns the file has, normalised, in its order
    rows: tuple[Row, ...]
    file_format: FileFormat
    columns: tuple[str, ...] = field(default=())  # the columns that were expected


def column_name(text: str) -> str:
    """A header cell as a column name: "External ID" → "external_id"."""
    return re.sub(r"[\s\-]+", "_", text.replace("\ufeff", "").strip().casefold())


def read_table(
    source: bytes | Path,
    *,
    columns: Sequence[str],
    required: Collection[str] | None = None,
    max_rows: int = MAX_ROWS,
    max_cell: int = MAX_CELL,
    max_bytes: int = MAX_BYTES,
) -> Table:
    """The header and rows of a CSV or XLSX file whose header names `columns` (in any order).

    Every column in `required` (default: all of `columns`) must be in the header; no other may be.
    Fully empty rows are skipped. Raises TableProblem for a file that cannot be used as a whole.
    """
    data = _load(source, max_bytes)
    file_format = _detect_format(data)
    build = partial(
        _build,
        columns=tuple(columns),
        required=set(columns if required is None else required),
        max_rows=max_rows,
        max_cell=max_cell,
        file_format=file_format,
    )
    if file_format == "xlsx":
        return build(_xlsx_lines(data), column_label=_letter)
    text = _decode(data)
    with _csv_field_size_limit(len(text) + 1):
        return build(_csv_lines(text), column_label=lambda index: _column(str(index + 1)))


# --- the bytes -----------------------------------------------------------------------------------


def _column(name: str) -> Message:
    """How a problem names a column: "column skills", "column 7", "column G"."""
    return Message(N_("column %(name)s"), {"name": name})


def _megabytes(size: int) -> Number:
    return Number(size / (1024 * 1024), decimals=1)


def _load(source: bytes | Path, max_bytes: int) -> bytes:
    if isinstance(source, Path):
        size = source.stat().st_size
        if size > max_bytes:
            raise _too_large(size, max_bytes)
        data = source.read_bytes()
    else:
        data = source
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise TableProblem(EMPTY_FILE)
    return data


def _too_large(size: int, max_bytes: int) -> TableProblem:
    return TableProblem(
        Message(
            N_(
                "The file is %(size)s MB; at most %(max)s MB can be uploaded at once. Split it "
                "into smaller files."
            ),
            {"size": _megabytes(size), "max": _megabytes(max_bytes)},
        )
    )


def _detect_format(data: bytes) -> FileFormat:
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableProblem(
            Message(N_("This is an old Excel file (.xls), which cannot be read.")),
            SAVE_AS_CSV_UTF8,
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TableProblem(
            Message(N_("The file is in UTF-16 (“Unicode text”), not UTF-8.")), SAVE_AS_CSV_UTF8
        )
    if data.startswith(b"%PDF") or b"\x00" in data[:8192]:
        raise TableProblem(Message(N_("This is not a CSV or an XLSX file.")), SAVE_AS_CSV_UTF8)
    return "csv"


def _decode(data: bytes) -> str:
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
        line = data.count(b"\n", 0, offset) + 1
        raise TableProblem(
            Message(
                N_(
                    "The file is not in UTF-8: line %(line)s has a character that cannot be read "
                    "(byte 0x%(byte)s; the file was probably saved as “CSV” in a local encoding "
                    "such as Windows-1252 or Latin-1)."
                ),
                {"line": line, "byte": f"{data[offset]:02X}"},
            ),
            SAVE_AS_CSV_UTF8,
        ) from None


# --- CSV -----------------------------------------------------------------------------------------

_field_limit_lock = threading.Lock()


@contextmanager
def _csv_field_size_limit(limit: int) -> Iterator[None]:
    """Raise the csv module's (process-wide) field size limit while one file is read.

    The default (128 KiB) would stop at an over-long cell without saying which column it is in;
    cells are limited by `max_cell` instead, with a message naming line and column.
    """
    with _field_limit_lock:
        before = csv.field_size_limit()
        csv.field_size_limit(max(before, limit))
        try:
            yield
        finally:
            csv.field_size_limit(before)


def _delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _csv_lines(text: str) -> Iterator[_RawLine]:
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    start = 1
    sep = _SEP_LINE.fullmatch(first_line.lstrip())  # not strip(): "sep=\t" names a tab
    if sep:  # Excel's hint line; the header is on line 2
        delimiter = sep.group(1)
        text = re.sub(r"^[^\r\n]*(\r\n|\r|\n)?", "", text, count=1)
        start = 2
    else:
        delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    offset = start - 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise TableProblem(
                Message(
                    N_(
                        "Line %(line)s: the line cannot be read as CSV (%(error)s). A value with "
                        "a quote, comma or semicolon in it must be in double quotes, with its own "
                        "quotes doubled."
                    ),
                    {"line": start, "error": str(error)},
                )
            ) from None
        yield start, [(cell, None) for cell in record]
        start = reader.line_num + 1 + offset


# --- XLSX ----------------------------------------------------------------------------------------


def _letter(index: int) -> Message:
    from openpyxl.utils import get_column_letter

    return _column(get_column_letter(index + 1))


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise _not_a_workbook() from None
    if (
        len(members) > MAX_XLSX_MEMBERS
        or sum(member.file_size for member in members) > MAX_XLSX_UNPACKED
    ):
        raise TableProblem(
            Message(
                N_("The workbook unpacks to more data than a spreadsheet of workers can hold.")
            ),
            SAVE_AS_CSV_UTF8,
        )


def _not_a_workbook() -> TableProblem:
    return TableProblem(
        Message(
            N_("This file is not an XLSX workbook (an .ods or .numbers file, or a damaged one?).")
        ),
        SAVE_AS_CSV_UTF8,
    )


def _xlsx_lines(data: bytes) -> Iterator[_RawLine]:
    from openpyxl import load_workbook

    _check_zip(data)
    try:
        # data_only=False: a formula cell is seen as a formula, never as its cached result
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception:  # openpyxl raises many kinds for a zip that is not a workbook
        raise _not_a_workbook() from None
    try:
        if not workbook.worksheets:
            raise _not_a_workbook()
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong dimensions; read every cell there is
        rows = sheet.iter_rows()
        number = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:  # damaged sheet XML
                raise TableProblem(
                    Message(
                        N_(
                            "Row %(row)s of the first sheet cannot be read; the workbook may be "
                            "damaged."
                        ),
                        {"row": number + 1},
                    ),
                    SAVE_AS_CSV_UTF8,
                ) from None
            number += 1
            yield number, [_xlsx_cell(cell) for cell in row]
    finally:
        workbook.close()


def _xlsx_cell(cell: Any) -> _RawCell:
    value = cell.value
    if value is None:
        return "", None
    kind = getattr(cell, "data_type", None)
    if kind == "f":
        return str(getattr(value, "text", value)), FORMULA_MESSAGE
    if kind == "e":
        return str(value), ERROR_CELL_MESSAGE
    return _xlsx_text(value), None


def _xlsx_text(value: object) -> str:
    """A cell's value as the person sees it: 1990 not 1990.0, a date as YYYY-MM-DD."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


# --- from lines to rows --------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Trim, and undo the apostrophe our own writers put before a formula-like start."""
    text = text.strip()
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS and len(text) > 1:
        return text[1:]
    return text


def _build(
    lines: Iterable[_RawLine],
    *,
    columns: tuple[str, ...],
    required: set[str],
    max_rows: int,
    max_cell: int,
    file_format: FileFormat,
    column_label: Callable[[int], Message],
) -> Table:
    remaining = iter(lines)
    for _line, header_cells in remaining:
        if any(text.strip() for text, _ in header_cells):
            break
    else:
        raise TableProblem(EMPTY_FILE)
    header = _check_header(header_cells, columns, required)
    rows: list[Row] = []
    for line, cells in remaining:
        if not any(text.strip() for text, _ in cells):
            continue
        if len(rows) >= max_rows:
            raise TableProblem(
                lazy_ngettext(
                    "The file has more than %(max)s row below the header; at most %(max)s can "
                    "be uploaded at once. Split it into smaller files.",
                    "The file has more than %(max)s rows below the header; at most %(max)s can "
                    "be uploaded at once. Split it into smaller files.",
                    max_rows,
                    max=Number(max_rows),
                )
            )
        rows.append(_row(line, cells, header, columns, max_cell, column_label))
    if not rows:
        raise TableProblem(Message(N_("The file has a header line but no rows below it.")))
    return Table(
        header=tuple(name for name in header if name),
        rows=tuple(rows),
        file_format=file_format,
        columns=columns,
    )


def _check_header(
    cells: list[_RawCell], columns: tuple[str, ...], required: set[str]
) -> list[str | None]:
    names = [column_name(text) or None for text, _ in cells]
    present = [name for name in names if name]
    repeated = sorted({name for name in present if present.count(name) > 1})
    if repeated:
        raise TableProblem(
            Message(
                N_("The header line names %(names)s more than once; name each column once."),
                {"names": ", ".join(repeated)},
            )
        )
    unknown = [name for name in present if name not in columns]
    missing = [name for name in columns if name in required and name not in present]
    if unknown or missing:
        sentences: list[Text] = []
        if unknown:
            sentences.append(
                Message(N_("Unknown columns: %(names)s."), {"names": ", ".join(unknown)})
            )
        if missing:
            sentences.append(
                Message(N_("Missing columns: %(names)s."), {"names": ", ".join(missing)})
            )
        if not set(present) & set(columns):
            sentences.append(Message(N_("Is the header line missing?")))
        sentences.append(
            Message(
                N_(
                    "The first line must name these columns, in any order: %(names)s. The "
                    "template has the right header."
                ),
                {"names": ", ".join(columns)},
            )
        )
        raise TableProblem(*sentences)
    return names


def _row(
    line: int,
    raw_cells: list[_RawCell],
    header: list[str | None],
    columns: tuple[str, ...],
    max_cell: int,
    column_label: Callable[[int], Message],
) -> Row:
    cells = dict.fromkeys(columns, "")
    problems: list[RowProblem] = []
    for index, (raw, cell_problem) in enumerate(raw_cells):
        text = _clean(raw)
        if not text:
            continue
        name = header[index] if index < len(header) else None
        label: Text = name or column_label(index)
        if len(text) > max_cell:
            raise TableProblem(
                lazy_ngettext(
                    "Line %(line)s, %(column)s: the cell has %(length)s character; a cell may "
                    "have at most %(max)s.",
                    "Line %(line)s, %(column)s: the cell has %(length)s characters; a cell may "
                    "have at most %(max)s.",
                    len(text),
                    line=line,
                    column=_column(name) if name else label,
                    length=Number(len(text)),
                    max=Number(max_cell),
                )
            )
        message = cell_problem
        if message is None:
            if name is None:
                message = OUTSIDE_MESSAGE
            elif text.startswith("="):
                message = FORMULA_MESSAGE
            elif _CONTROL.search(text):
                message = CONTROL_MESSAGE
        if message is not None or name is None:
            problems.append(RowProblem(line, label, text, message or OUTSIDE_MESSAGE))
        else:
            cells[name] = text
    return Row(line=line, cells=cells, problems=tuple(problems))
