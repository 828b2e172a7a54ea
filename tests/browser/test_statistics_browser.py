"""An administrator reads the statistics on a phone: changes the rows and the period, sees a
table with its chart, and downloads the CSV; in headless Chromium, at 360 px wide."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Region, Role, Sex
from portal.services import regions
from tests.browser.conftest import LiveServer, log_in
from tests.market import active_worker

pytestmark = pytest.mark.browser
REGISTERED = datetime(2025, 2, 10, 12, tzinfo=UTC)
"""A month no other browser test registers anyone in."""


def _arrange_workers(live_server: LiveServer) -> str:
    place = f"Statistics Valley {uuid.uuid4().hex[:6]}"
    live_server.arrange(lambda s: regions.add_regions(s, [place]))

    def arrange(session: Session) -> None:
        where = session.scalars(select(Region).where(Region.name == place)).one()
        for number in range(24):
            sex = Sex.FEMALE if number % 2 else Sex.MALE
            worker = active_worker(session, where, name=f"S{number}", sex=sex, skills=())
            worker.created_at = REGISTERED
        session.commit()

    live_server.arrange(arrange)
    return place


def test_an_admin_changes_the_rows_and_period_and_downloads_the_csv(
    page, live_server: LiveServer
) -> None:
    place = _arrange_workers(live_server)
    log_in(page, live_server, live_server.user(Role.ADMIN))

    page.get_by_role("link", name="Statistics").click()
    page.get_by_label("From month", exact=True).fill("2025-02")
    page.get_by_label("To month", exact=True).fill("2025-02")
    page.get_by_label("Rows by", exact=True).select_option("age_band")
    page.get_by_label("Region", exact=True).select_option(place)
    page.get_by_role("button", name="Show the statistics").click()
    page.wait_for_load_state()

    table = page.get_by_role("table", name="Workers registered, by age band and sex")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="35-44")).to_be_visible()
    chart = page.locator("#table-registered_by_age_band svg")
    assert chart.get_attribute("role") == "img"
    assert chart.locator("title").text_content() == "Workers registered, by age band and sex"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    csv_link = page.get_by_role("link", name="CSV")
    download = page.request.get(f"{live_server.url}{csv_link.get_attribute('href')}")
    assert download.status == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "Workers registered, by age band and sex" in download.text()
