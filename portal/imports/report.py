"""Files people open in a spreadsheet: error reports and upload templates.

Every cell goes through `safe_cell`, so nothing we write starts a formula (Excel and LibreOffice
run cells beginning with = + - @, tab or CR, in CSV as in XLSX). Our reader undoes the apostrophe,
so a report or template read back gives the values that were written.

Writers take `translate`, which turns the core's messages into the reader's language; without
it they write English.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence

from portal.imports.tabular import FORMULA_STARTS, RowProblem
from portal.text import N_, Message, Translate

REPORT_HEADER = (
    Message(N_("line")),
    Message(N_("column")),
    Message(N_("value")),
    Message(N_("problem")),
)
NOTES_TITLE = Message(N_("Columns"))
NOTES_HEADER = (Message(N_("column")), Message(N_("what to write")))
# control characters, and the code points XML (so XLSX) cannot hold at all
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def safe_cell(value: object) -> object:
    """`value` as a spreadsheet should show it: text that could start a formula gets a leading
    apostrophe, control characters (which no spreadsheet can hold) become �; None is empty."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("\ufffd", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_bytes(header: Sequence[object], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV file in UTF-8 with a BOM (so that Excel reads accents and scripts right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def xlsx_bytes(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    sheet_title: str = "Sheet1",
    notes: Sequence[tuple[str, str]] = (),
    translate: Translate = str,
) -> bytes:
    """A workbook: `header` and `rows` on the first sheet; `notes` (name, what it means), if any,
    on a second sheet, so that an upload (which reads the first sheet) is not disturbed."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(str(name)) + 4)
    sheet.append([safe_cell(cell) for cell in header])
    for row in rows:
        sheet.append([safe_cell(cell) for cell in row])
    if notes:
        help_sheet = workbook.create_sheet(translate(NOTES_TITLE))
        help_sheet.column_dimensions["A"].width = 22
        help_sheet.column_dimensions["B"].width = 100
        help_sheet.append([safe_cell(translate(word)) for word in NOTES_HEADER])
        for name, meaning in notes:
            help_sheet.append([safe_cell(name), safe_cell(meaning)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems_csv(problems: Iterable[RowProblem], *, translate: Translate = str) -> bytes:
    """The error report: one line per problem, as line, column, value, problem."""
    return csv_bytes(
        [translate(word) for word in REPORT_HEADER],
        (
            (problem.line, translate(problem.column), problem.value, translate(problem.message))
            for problem in problems
        ),
    )
