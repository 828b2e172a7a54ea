"""A labour provider uploads a CSV with good and bad rows in headless Chromium, on a phone-sized
screen: checks it first, imports it, sees the rejected rows, downloads the error report."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.models import OrganisationKind, Role, User
from portal.services import accounts, organisations
from tests.browser.conftest import LiveServer
from tests.conftest import PASSWORD
from tests.services.test_worker_import import csv_file, worker_row

pytestmark = pytest.mark.browser


def _provider(live_server: LiveServer) -> User:
    def make(session) -> User:
        organisation = organisations.create_organisation(
            session,
            kind=OrganisationKind.PROVIDER,
            name=f"Harbour Staffing {uuid.uuid4().hex[:6]}",
            verified=True,
        )
        return accounts.create_user(
            session,
            email=f"provider-{uuid.uuid4().hex[:10]}@example.org",
            full_name="Maria Ionescu",
            password=PASSWORD,
            role=Role.PROVIDER,
            organisation=organisation,
        )

    return live_server.arrange(make)


def _row(external_id: str, **cells: str) -> dict[str, str]:
    # no region and no taxonomy needed: other browser tests share this database
    return worker_row(external_id, region="", willing_to_relocate="anywhere", **cells)


def test_a_provider_checks_then_imports_a_file_with_good_and_bad_rows(
    page, live_server: LiveServer, tmp_path: Path
) -> None:
    provider = _provider(live_server)
    upload = tmp_path / "workers.csv"
    upload.write_bytes(
        csv_file(
            _row("B-1"),
            _row("B-2", birth_year="19x0"),
            _row("B-3", given_name="Olena", email="", phone=""),
            _row("B-4", given_name="Ion"),
        )
    )
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email address").fill(provider.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/provider/.*"))

    page.goto(f"{live_server.url}/provider/workers/upload")
    page.get_by_label("Spreadsheet of workers").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file first (dry run)").click()
    expect(page.get_by_text("This was a check: nothing was stored.")).to_be_visible()
    assert page.locator('[data-count="created"]').inner_text() == "2"

    page.get_by_label("Spreadsheet of workers").set_input_files(str(upload))
    page.get_by_label(re.compile("I confirm that every worker in this file agreed")).check()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload of workers.csv")
    assert page.locator('[data-count="created"]').inner_text() == "2"
    assert page.locator('[data-count="rejected"]').inner_text() == "2"
    rejected = page.get_by_role("table").filter(has_text="Problem").inner_text()
    assert "birth_year" in rejected and "“19x0” is not a year" in rejected
    assert "Give an email address or a phone number, or both." in rejected
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the error report (CSV)").click()
    report = Path(download_info.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert report[0] == "line,column,value,problem"
    assert [line.split(",")[:2] for line in report[1:]] == [["3", "birth_year"], ["4", "email"]]

    page.get_by_role("link", name="See your workers").click()
    assert page.get_by_role("cell", name="B-1", exact=True).is_visible()
    assert page.get_by_role("cell", name="B-4", exact=True).is_visible()
    assert page.get_by_role("cell", name="B-2", exact=True).count() == 0
