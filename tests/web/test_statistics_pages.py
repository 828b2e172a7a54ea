"""The admins' statistics dashboard and its downloads, on the portal of
tests/services/test_statistics.py (North and South, all registered in March 2026)."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Region, Role, Sex
from portal.reporting.tables import SUPPRESSED_MARKER
from tests.conftest import Factory, WebClient
from tests.services.test_statistics import (  # noqa: F401 - the fixture
    _people,
    portal,
)

pytestmark = pytest.mark.usefixtures("portal")
MARCH = "from_month=2026-03&to_month=2026-03"
DASHBOARD = "/admin/statistics"


@pytest.fixture
def admin(client: WebClient, make: Factory) -> WebClient:
    client.login(make.user(Role.ADMIN).email)
    return client


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.WORKER, Role.PROVIDER, Role.EMPLOYER], ids=str)
def test_only_admins_see_the_statistics_or_download_them(
    client: WebClient, make: Factory, role: Role
) -> None:
    client.login(make.user(role).email)

    assert client.get(f"{DASHBOARD}?{MARCH}").status_code == 403
    assert client.get(f"{DASHBOARD}/export.csv?{MARCH}").status_code == 403


def test_tables_and_charts_are_shown_with_withheld_cells_marked(admin: WebClient) -> None:
    response = admin.get(f"{DASHBOARD}?{MARCH}&by=region")

    page = _text(response)
    assert response.status_code == 200
    assert (
        '<caption id="caption-registered_by_region">Workers registered, by region and sex</caption>'
        in page
    )
    assert '<th scope="row">North</th>' in page
    assert 'role="img" viewBox=' in page
    assert (
        'aria-labelledby="chart-registered_by_region-title chart-registered_by_region-desc"' in page
    )
    assert (
        '<title id="chart-registered_by_region-title">Workers registered, by region and sex</title>'
        in page
    )
    assert SUPPRESSED_MARKER in page
    assert "Counts from 1 to 9 are not shown" in page
    assert "style=" not in page


def test_the_gender_gaps_and_time_to_placement_are_shown(admin: WebClient) -> None:
    page = _text(admin.get(f"{DASHBOARD}?{MARCH}"))

    gaps = page[page.index('id="gender-gaps"') : page.index('id="placement-measures"')]
    # with skills: 11 of 18 women, 17 of 18 men; the ratio 0.65 is a gap
    assert re.search(r"with skills</th>\s*<td[^>]*>11</td><td[^>]*>18</td><td[^>]*>0.61</td>", gaps)
    assert "below 0.8" in gaps
    measures = page[page.index('id="placement-measures"') : page.index('id="tables-heading"')]
    assert "Median days to placement" in measures and SUPPRESSED_MARKER in measures


def test_a_bad_month_and_an_unknown_dimension_re_render_the_form_with_messages(
    admin: WebClient,
) -> None:
    response = admin.get(f"{DASHBOARD}?from_month=2026-13&to_month=2026-03&by=colour")

    page = _text(response)
    assert response.status_code == 400
    assert 'id="from_month-error"' in page and "Enter a month like 2026-03." in page
    assert 'id="by-error"' in page
    assert 'value="2026-13"' in page
    assert "<caption" not in page


def test_a_period_without_registrations_says_no_data(admin: WebClient) -> None:
    page = _text(admin.get(f"{DASHBOARD}?from_month=2024-01&to_month=2024-12"))

    assert "No data for this period." in page
    assert "<caption" not in page


def test_the_export_of_an_empty_period_answers_with_a_message_not_a_file(
    admin: WebClient,
) -> None:
    response = admin.get(
        f"{DASHBOARD}/export.csv?from_month=2024-01&to_month=2024-12", follow_redirects=True
    )

    assert response.status_code == 200
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert "nothing to download" in _text(response)


def _download(admin: WebClient, file_format: str) -> tuple[str, bytes]:
    """The file's media type and bytes; the response is closed, as a server would close it."""
    url = f"{DASHBOARD}/export.{file_format}?{MARCH}&by=sector&region=North"
    with admin.get(url) as response:
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and f".{file_format}" in disposition
        return response.mimetype or "", response.get_data()


def test_the_csv_download_reads_back(admin: WebClient) -> None:
    mimetype, data = _download(admin, "csv")

    assert mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert ["Workers registered, by sector and sex"] in rows
    assert ["sector", "female", "male", "other", "not-stated", "total"] in rows


def test_the_csv_download_is_in_the_pages_language(admin: WebClient, app: Flask) -> None:
    with app.app_context(), force_locale("uk"):
        total = gettext("total")
    assert total != "total"  # the Ukrainian catalogue has the word

    url = f"{DASHBOARD}/export.csv?{MARCH}&by=sector&region=North"
    with admin.get(url, headers={"Accept-Language": "uk"}) as response:
        rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))

    headers = [row for row in rows if row[:1] == ["sector"] or row[-1:] == [total]]
    assert headers and all(row[-1] == total for row in headers)


def test_the_xlsx_download_opens_without_formulas(admin: WebClient) -> None:
    mimetype, data = _download(admin, "xlsx")

    assert mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(data))
    formulas = [
        cell.coordinate
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert book.worksheets and formulas == []


def test_the_json_download_loads(admin: WebClient) -> None:
    mimetype, data = _download(admin, "json")

    assert mimetype == "application/json"
    assert "registered_by_sector" in json.dumps(json.loads(data))


def _region(session: Session, name: str) -> Region:
    return session.scalars(select(Region).where(Region.name == name)).one()


def _registered(page: str) -> int:
    """The total of workers registered, as the page shows it."""
    table = page.split('id="caption-registered_by_region"', 1)[1].split("</table>", 1)[0]
    totals = table.split("<tfoot>", 1)[1]
    return int(re.findall(r'<td class="number">([^<]*)</td>', totals)[-1])


def test_the_page_says_when_its_figures_were_counted_and_counts_again_when_asked(
    admin: WebClient, session: Session
) -> None:
    view = f"{DASHBOARD}?{MARCH}&by=region"
    before = _text(admin.get(view))
    assert "Counted " in before and "counting took" in before
    assert "The page counts again once they are more than 10 minutes old." in before
    _people(session, _region(session, "North"), Sex.FEMALE, 10)

    kept = _text(admin.get(view))  # younger than ten minutes: as counted before
    response = admin.post(f"{DASHBOARD}/recount?{MARCH}&by=region", page=view)
    back = urlsplit(response.headers["Location"])
    after = _text(admin.get(response.headers["Location"]))

    assert _registered(kept) == _registered(before) == 36
    assert response.status_code == 302
    assert back.path == DASHBOARD and parse_qs(back.query) == parse_qs(f"{MARCH}&by=region")
    assert "The statistics were counted again." in after
    assert _registered(after) == 46


def test_counting_again_needs_the_form_s_csrf_token(admin: WebClient) -> None:
    response = admin.client.post(f"{DASHBOARD}/recount?{MARCH}&by=region")

    assert response.status_code == 400


def test_counting_again_with_a_bad_filter_goes_back_to_the_page_with_its_message(
    admin: WebClient,
) -> None:
    response = admin.post(
        f"{DASHBOARD}/recount?from_month=2026-13&to_month=2026-03", page=DASHBOARD
    )

    assert response.status_code == 302
    page = admin.get(response.headers["Location"])
    assert page.status_code == 400
    assert "Enter a month like 2026-03." in _text(page)
