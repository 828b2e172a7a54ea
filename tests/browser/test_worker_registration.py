"""A worker registers end to end on a phone-sized screen in headless Chromium: once with
JavaScript (the type-ahead), once without (the suggestion page), and once by keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.models import Role
from portal.services import regions
from portal.services.taxonomy import store_taxonomy
from tests.browser.conftest import LiveServer
from tests.conftest import PASSWORD, small_taxonomy

pytestmark = pytest.mark.browser

REGION = "Lower Valley"
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def prepared(live_server: LiveServer) -> LiveServer:
    """The live portal with the small taxonomy active and a few regions."""
    live_server.arrange(lambda s: store_taxonomy(s, small_taxonomy(), content_hash="small-1"))
    live_server.arrange(lambda s: regions.add_regions(s, [REGION, "Upper Hills"]))
    return live_server


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width} px)"


def _log_in(page, live_server: LiveServer) -> None:
    user = live_server.user(Role.WORKER)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Start your profile").click()
    expect(page.get_by_text("Step 1 of 5")).to_be_visible()  # the first step has loaded


def _about_you(page) -> None:
    expect(page.get_by_text("Step 1 of 5")).to_be_visible()
    _fits(page)
    page.get_by_label("Family name").fill("Petrenko")
    page.get_by_label("Phone number").fill("+380 44 123 4567")
    page.get_by_label("Female").check()
    page.get_by_label("Year of birth").fill("1990")
    page.get_by_label("Country of origin").select_option("UA")
    page.locator("#languages-0-code").select_option("uk")
    page.locator("#languages-0-level").select_option("native")
    page.get_by_role("button", name="Save and continue").click()


def _availability_and_consent(page) -> None:
    expect(page.get_by_text("Step 4 of 5")).to_be_visible()
    _fits(page)
    page.get_by_label("Region where you are now").select_option(label=REGION)
    page.get_by_label("Upper Hills").check()
    page.get_by_label("First day you can start work").fill("2026-12-01")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Step 5 of 5")).to_be_visible()
    _fits(page)
    matching, contact = page.locator("#consent_matching"), page.locator("#consent_contact")
    assert not matching.is_checked() and not contact.is_checked()
    page.get_by_label("Matching (required)").check()
    page.get_by_role("button", name="Agree and make the profile active").click()
    expect(page).to_have_url(re.compile(r"/worker/$"))
    expect(page.get_by_text("Your profile is active").first).to_be_visible()


def test_a_worker_registers_with_javascript_using_the_type_ahead(
    page, prepared: LiveServer
) -> None:
    _log_in(page, prepared)
    _about_you(page)
    expect(page.get_by_text("Step 2 of 5")).to_be_visible()
    _fits(page)
    words = page.get_by_role("combobox", name="Describe a skill in your own words")
    words.press_sequentially("fork lift", delay=30)
    listbox = page.get_by_role("listbox")
    listbox.get_by_role("option", name="operate a forklift").wait_for()
    assert words.get_attribute("aria-expanded") == "true"
    _fits(page)
    for _ in range(8):
        words.press("ArrowDown")
        active = words.get_attribute("aria-activedescendant")
        if page.locator(f"#{active}").inner_text().startswith("operate a forklift"):
            break
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    words.press("Enter")
    assert words.get_attribute("aria-expanded") == "false"
    assert page.locator("#concept_id").input_value() != ""
    assert "operate a forklift" in page.locator("#words-chosen").inner_text()
    words.press("Enter")  # the listbox is closed: Enter sends the form
    expect(page.get_by_text("Added “fork lift” as “operate a forklift”.")).to_be_visible()
    assert "Not matched yet" not in page.content()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Step 3 of 5")).to_be_visible()
    _fits(page)
    page.get_by_role("button", name="Save and continue").click()
    _availability_and_consent(page)


def test_escape_closes_the_suggestions(page, prepared: LiveServer) -> None:
    _log_in(page, prepared)
    _about_you(page)
    words = page.get_by_role("combobox", name="Describe a skill in your own words")
    words.press_sequentially("pallets", delay=30)
    page.get_by_role("listbox").get_by_role("option").first.wait_for()
    words.press("Escape")
    assert words.get_attribute("aria-expanded") == "false"
    assert page.get_by_role("listbox").is_hidden()


def test_a_worker_registers_without_javascript_through_the_suggestion_page(
    browser, prepared: LiveServer
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        _log_in(page, prepared)
        _about_you(page)
        expect(page.get_by_text("Step 2 of 5")).to_be_visible()
        assert page.get_by_role("combobox").count() == 0
        page.get_by_label("Describe a skill in your own words").fill("fork lift")
        page.get_by_role("button", name="Add this skill").click()
        expect(page.get_by_role("heading", name="Which skill do you mean?")).to_be_visible()
        _fits(page)
        page.get_by_label("operate a forklift").check()
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_text("Added “fork lift” as “operate a forklift”.")).to_be_visible()
        page.get_by_label("Describe a skill in your own words").fill("pallet stacking")
        page.get_by_role("button", name="Add this skill").click()
        page.get_by_label("None of these — keep my words as they are").check()
        page.get_by_role("button", name="Confirm").click()
        unmapped = page.get_by_text("Not matched yet — an administrator will review it.")
        expect(unmapped).to_be_visible()
        page.get_by_role("button", name="Save and continue").click()
        expect(page.get_by_text("Step 3 of 5")).to_be_visible()
        _fits(page)
        page.get_by_role("button", name="Save and continue").click()
        _availability_and_consent(page)
    finally:
        context.close()


def test_the_first_step_can_be_done_with_the_keyboard_alone(page, prepared: LiveServer) -> None:
    _log_in(page, prepared)
    for _ in range(20):
        if page.evaluate("document.activeElement.id") == "given_name":
            break
        page.keyboard.press("Tab")
    order = []
    typed = {
        "family_name": "Kovalenko",
        "phone": "+380 50 000 0000",
        "birth_year": "1985",
    }
    for _ in range(40):
        focused = page.evaluate("document.activeElement.id || document.activeElement.value")
        order.append(focused)
        if focused in typed:
            page.keyboard.type(typed[focused])
        elif focused == "sex-0":
            page.keyboard.press("Space")  # the first answer: female
        elif focused == "country_of_origin":
            page.keyboard.type("Ukraine")
        elif focused == "next":
            break
        page.keyboard.press("Tab")
    assert order[:8] == [
        "given_name",
        "family_name",
        "email",
        "phone",
        "sex-0",
        "birth_year",
        "country_of_origin",
        "nationality",
    ]
    assert order[-1] == "next"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Step 2 of 5")).to_be_visible()
    page.goto(page.url.replace("/skills", "/about"))
    assert page.get_by_label("Family name").input_value() == "Kovalenko"
    assert page.get_by_label("Female").is_checked()
    assert page.get_by_label("Country of origin").input_value() == "UA"
    assert page.get_by_label("Year of birth").input_value() == "1985"
