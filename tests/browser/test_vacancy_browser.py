"""An employer posts a vacancy from an occupation with its proposed skills, an admin approves it,
a worker finds it through the filters: in headless Chromium, on a phone-sized screen."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from portal.models import OrganisationKind, Role, User
from portal.services import accounts, organisations, regions
from portal.services.taxonomy import store_taxonomy
from tests.browser.conftest import LiveServer, log_in, log_out
from tests.conftest import PASSWORD, small_taxonomy

pytestmark = pytest.mark.browser

REGION = "Vacancy Valley"


def _employer(live_server: LiveServer) -> User:
    def make(session) -> User:
        organisation = organisations.create_organisation(
            session, kind=OrganisationKind.EMPLOYER, name="Green Farm Logistics", verified=True
        )
        return accounts.create_user(
            session,
            email=f"employer-{uuid.uuid4().hex[:10]}@example.org",
            full_name="Erik Larsen",
            password=PASSWORD,
            role=Role.EMPLOYER,
            organisation=organisation,
        )

    return live_server.arrange(make)


def test_a_vacancy_goes_from_an_employer_through_moderation_to_a_worker(
    page, live_server: LiveServer
) -> None:
    live_server.arrange(lambda s: store_taxonomy(s, small_taxonomy(), content_hash="small-1"))
    live_server.arrange(lambda s: regions.add_regions(s, [REGION, "Other Hills"]))
    employer, admin = _employer(live_server), live_server.user(Role.ADMIN)
    worker = live_server.user(Role.WORKER)
    title = f"Forklift drivers {uuid.uuid4().hex[:6]}"
    start = date.today() + timedelta(days=20)

    # the employer: the occupation by type-ahead, then its usual skills as a checklist
    log_in(page, live_server, employer)
    page.goto(f"{live_server.url}/employer/vacancies/new")
    page.get_by_label("Job title").fill(title)
    page.get_by_label("Occupation, in your own words").press_sequentially("forklift dri")
    page.get_by_role("option").filter(has_text="forklift driver").first.click()
    page.get_by_role("button", name="Show its usual skills").click()
    expect(page.get_by_text("Occupation: forklift driver")).to_be_visible()
    assert page.get_by_label("Job title").input_value() == title
    forklift = page.get_by_role("group", name="operate a forklift")
    assert forklift.get_by_label("Essential").is_checked()
    pallets = page.get_by_role("group", name="stack pallets")
    assert pallets.get_by_label("Not needed").is_checked()
    pallets.get_by_label("Optional").check()
    page.get_by_label("Number of workers needed").fill("25")
    page.get_by_label("Region of the workplace").select_option(label=REGION)
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Pay before tax").fill("14.50")
    page.get_by_label("Currency", exact=True).select_option("EUR")
    page.get_by_label("Pay is").select_option("hour")
    page.get_by_label("Accommodation is offered").check()
    page.get_by_role("button", name="Submit for publication").click()
    assert "no pledge, no publication" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Number of workers needed").input_value() == "25"
    page.get_by_label(re.compile("We pledge that no recruitment fees")).check()
    page.get_by_role("button", name="Submit for publication").click()
    expect(page.get_by_text("Sent for publication.")).to_be_visible()
    expect(page.get_by_text("Waiting for moderation").first).to_be_visible()
    log_out(page)

    # the admin approves it from the moderation queue
    log_in(page, live_server, admin)
    page.get_by_role("link", name="Moderation").click()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name="Workers pay no recruitment fees")).to_be_visible()
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.get_by_text(f"“{title}” is published.")).to_be_visible()
    log_out(page)

    # a worker finds it through the filters
    log_in(page, live_server, worker)
    page.get_by_role("link", name="Vacancies").click()
    page.get_by_label("Words").fill(title.split()[-1])
    page.get_by_text("Sector, region, start date, accommodation").click()
    page.get_by_label("Sector").select_option(label="Plant and machine operators and assemblers")
    page.get_by_label("Region", exact=True).select_option(label=REGION)
    page.get_by_label("Starting on or before").fill((start + timedelta(days=1)).isoformat())
    page.get_by_label("Only with accommodation").check()
    page.get_by_role("button", name="Show vacancies").click()
    expect(page.get_by_role("heading", name="1 open vacancy")).to_be_visible()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name="Workers pay no recruitment fees")).to_be_visible()
    needs = page.locator("section", has=page.get_by_role("heading", name="What the job needs"))
    assert "operate a forklift" in needs.inner_text()
    assert "stack pallets" in needs.inner_text()
    assert "Green Farm Logistics" in page.content()
