"""Statistics exports in each format, on the hand-counted portal of test_statistics (k = 5)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from portal.errors import ValidationProblem
from portal.models import Sex
from portal.reporting.tables import SUPPRESSED_MARKER
from portal.services.statistics import NoData
from portal.services.statistics_export import (
    MEDIA_TYPES,
    ExportRequest,
    export_request,
    file_name,
    write_export,
)
from tests.market import region
from tests.services.test_statistics import (  # noqa: F401 - the fixture
    MARCH,
    _people,
    portal,
)

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
C = SUPPRESSED_MARKER

pytestmark = pytest.mark.usefixtures("portal")


def _export(session: Session, file_format: str, *by: str, **options: object) -> bytes:
    request = export_request(file_format, by, k=5, period=MARCH, **options)  # type: ignore[arg-type]
    out = io.BytesIO()
    write_export(session, request, out, now=NOW)
    assert not out.closed
    return out.getvalue()


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_has_a_bom_each_table_and_the_metadata(session: Session) -> None:
    data = _export(session, "csv", "region")
    rows = _csv_rows(data)

    assert data.startswith(b"\xef\xbb\xbf")
    assert ["North", C, C, "0", "0", "27"] in rows
    gaps_title = rows.index(
        ["Gender gaps along the funnel: women's and men's rates from registration"]
    )
    assert rows[gaps_title + 1][:4] == ["stage", "female", "female registered", "female rate"]
    metadata = {row[0]: row[1] for row in rows if len(row) == 2}
    assert metadata["k"] == "5"
    assert "from 1 to 4" in metadata["suppression rule"]
    assert metadata["filter: period"] == "2026-03-01 to 2026-03-31"
    assert metadata["taxonomy version"] == "none"


def test_json_holds_tables_gaps_measures_and_metadata(session: Session) -> None:
    document = json.loads(_export(session, "json", "sex", "region"))
    tables = {table["name"]: table for table in document["tables"]}

    assert document["metadata"]["k"] == 5
    assert document["metadata"]["suppressed_marker"] == C
    assert tables["registered_by_region"]["cells"][0] == [C, C, 0, 0]
    placed = tables["gender_gaps"]["cells"][tables["gender_gaps"]["rows"].index("placed")]
    # women 5 of 18, men 8 of 18: all at least k, so rates, ratio and flag are shown
    assert placed[:2] == [5, 18] and placed[3:5] == [8, 18]
    assert placed[6] == pytest.approx(5 / 8) and placed[7] == 1
    assert tables["gender_gaps"]["total"] == ""
    measures = tables["placement_measures"]
    assert measures["rows"] == ["days_to_placement", "placement_score"]
    assert measures["cells"][0][:2] == [14, 8.5]  # 5 women and 8 men placed
    assert measures["cells"][0][2:] == [C, C]  # nobody of the other columns


def test_sex_alone_gives_the_tables_by_sex_and_the_vacancy_tables(session: Session) -> None:
    document = json.loads(_export(session, "json", "sex"))

    assert [table["name"] for table in document["tables"]] == [
        "vacancies_by_sector",
        "positions_by_sector",
        "vacancies_by_region",
        "positions_by_region",
        "gender_gaps",
        "placement_measures",
    ]


def test_xlsx_has_a_sheet_per_table_and_never_a_formula(session: Session) -> None:
    for name in ("=SUM(A1:A9)", "+1", "-1", "@risk"):
        _people(session, region(session, name), Sex.MALE, 5)
    out = io.BytesIO()
    request = export_request("xlsx", ["region"], k=5, period=MARCH)

    count = write_export(session, request, out, now=NOW)

    workbook = load_workbook(io.BytesIO(out.getvalue()))
    assert len(workbook.sheetnames) == count + 1
    assert workbook.sheetnames[-1] == "metadata"
    cells = [cell for sheet in workbook for line in sheet.iter_rows() for cell in line]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    labels = [row[0] for row in workbook["registered_by_region"].iter_rows(values_only=True)]
    assert "'=SUM(A1:A9)" in labels and "'@risk" in labels
    assert C in [cell.value for cell in cells]


def test_filters_and_media_types_and_file_name() -> None:
    request = export_request(
        "XLSX", "sex,region", filters={"sector": "8", "origin": "ua", "region": ""}
    )

    assert request == ExportRequest(
        file_format="xlsx",
        by=("region",),
        filters={"sector": "8 Plant and machine operators, and assemblers", "origin": "UA"},
    )
    assert file_name(request, NOW) == "statistics-2026-11-28.xlsx"
    assert MEDIA_TYPES["csv"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    ("arguments", "field", "words"),
    [
        ({"file_format": "pdf"}, "file_format", "Unknown format “pdf”: use csv, xlsx or json."),
        ({"by": ["county"]}, "by", "use one of: sector, region, origin, age_band, month"),
        ({"k": 4}, "k", "at least 5"),
        ({"filters": {"sex": "female"}}, "filters", "sector, region, origin, age_band"),
        ({"filters": {"sector": "12"}}, "sector", "0, 1, 2"),
        ({"period": (date(2026, 3, 2), date(2026, 3, 1))}, "period", "ends before it starts"),
    ],
)
def test_bad_requests_name_the_field_and_what_is_allowed(
    arguments: dict[str, object], field: str, words: str
) -> None:
    values: dict[str, object] = {"file_format": "csv", "by": ["region"], **arguments}

    with pytest.raises(ValidationProblem) as problem:
        export_request(**values)  # type: ignore[arg-type]

    assert problem.value.field == field
    assert words in problem.value.message


def test_an_empty_period_is_no_data_and_writes_nothing(session: Session) -> None:
    request = export_request("csv", ["region"], period=(date(2024, 1, 1), date(2024, 12, 31)))
    out = io.BytesIO()

    with pytest.raises(NoData):
        write_export(session, request, out, now=NOW)

    assert out.getvalue() == b""


def test_progress_is_reported_up_to_the_end(session: Session) -> None:
    reports: list[tuple[str, int, int]] = []
    request = export_request("json", ["region"], k=5, period=MARCH)

    count = write_export(session, request, io.BytesIO(), progress=lambda *r: reports.append(r))

    assert reports[-1] == ("writing", count, count)
    assert any(label == "counting" and done == total for label, done, total in reports)
