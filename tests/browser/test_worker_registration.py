"""A worker registers end to end on a phone-sized screen in headless Chromium: once with
JavaScript (the type-ahead), once without (the suggestion page), and once by keyboard only,
from the home page to an active profile."""

from __future__ import annotations

import re
import uuid

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
        words = page.get_by_role("combobox", name="Describe a skill in your own words")
        assert words.count() == 0  # (the header's language list is a combobox too)
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


FOCUS_IS_VISIBLE = """() => {
  const style = getComputedStyle(document.activeElement);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return outline || (style.boxShadow !== "" && style.boxShadow !== "none");
}"""


class Keyboard:
    """Keys only: Tab moves on (each stop must show its focus), typing goes to the focused
    field, Enter, Space and the arrows act on what is focused."""

    def __init__(self, page) -> None:
        self.page = page

    def focused(self) -> str:
        return self.page.evaluate(
            "(e => e.id || e.getAttribute('href') || e.value || e.tagName)(document.activeElement)"
        )

    def tab(self) -> None:
        self.page.keyboard.press("Tab")
        assert self.page.evaluate(FOCUS_IS_VISIBLE), f"no visible focus on {self.focused()}"

    def tab_to(self, selector: str, *, limit: int = 80) -> None:
        """Tab forwards until the focus is on `selector`."""
        for _ in range(limit):
            self.tab()
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{selector} not reached in {limit} presses of Tab")

    def type_into(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.type(text)

    def press_and_load(self, key: str = "Enter") -> None:
        """Press a key that sends a form or follows a link, and wait for the next page."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def choose_suggestion(self, name: str) -> None:
        """Down the open type-ahead list to the suggestion `name`, then Enter to choose it."""
        self.page.get_by_role("listbox").get_by_role("option", name=name).first.wait_for()
        for _ in range(8):
            self.page.keyboard.press("ArrowDown")
            if self.page.locator("[role=option][aria-selected=true]").inner_text().startswith(name):
                self.page.keyboard.press("Enter")
                return
        raise AssertionError(f"no suggestion {name!r}")


def test_a_worker_registers_from_the_home_page_with_the_keyboard_alone(
    new_page, prepared: LiveServer
) -> None:
    page = new_page(locale="en-US")  # the date field takes month, day, year
    keys = Keyboard(page)
    page.goto(f"{prepared.url}/")
    keys.tab_to("main a[href*='role=worker']")
    keys.press_and_load()

    # the account ("I am looking for work" is already chosen)
    assert page.get_by_label("I am looking for work").is_checked()
    keys.type_into("#full_name", "Oksana Kovalenko")
    keys.type_into("#email", f"oksana-{uuid.uuid4().hex[:8]}@example.org")
    keys.type_into("#password", PASSWORD)
    keys.type_into("#confirm", PASSWORD)
    keys.tab_to("main form button[type=submit]")
    keys.press_and_load()
    keys.tab_to("main a[href$='/worker/profile']")
    keys.press_and_load()

    # step 1: every field in order
    expect(page.get_by_text("Step 1 of 5")).to_be_visible()
    keys.tab_to("#given_name")
    order = []
    typed = {"family_name": "Kovalenko", "phone": "+380 50 000 0000", "birth_year": "1985"}
    for _ in range(40):
        focused = keys.focused()
        order.append(focused)
        if focused in typed:
            page.keyboard.type(typed[focused])
        elif focused == "sex-0":
            page.keyboard.press("Space")  # the first answer: female
        elif focused == "country_of_origin":
            page.keyboard.type("Ukraine")
        elif focused == "next":
            break
        keys.tab()
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
    keys.press_and_load()

    # step 2: a skill from the type-ahead, one from the suggestion page, and an occupation's
    # usual skills
    expect(page.get_by_text("Step 2 of 5")).to_be_visible()
    keys.type_into("#words", "fork lift")
    keys.choose_suggestion("operate a forklift")
    keys.press_and_load()  # Enter again, the list closed: sends the form
    expect(page.get_by_text("Added “fork lift” as “operate a forklift”.")).to_be_visible()
    keys.type_into("#words", "order picking")
    page.get_by_role("listbox").get_by_role("option").first.wait_for()
    page.keyboard.press("Escape")
    keys.press_and_load()
    expect(page.get_by_role("heading", name="Which skill do you mean?")).to_be_visible()
    keys.tab_to("#choice-0")
    page.keyboard.press("Space")
    assert page.get_by_label("pick orders").is_checked()
    keys.tab_to("main form button[type=submit]")
    keys.press_and_load()
    expect(page.get_by_text("Added “order picking” as “pick orders”.")).to_be_visible()
    keys.type_into("#occupation_words", "warehouse op")
    keys.choose_suggestion("warehouse operative")
    keys.tab_to("main form:has(#occupation_words) button[type=submit]")
    keys.press_and_load()
    expect(
        page.get_by_role("heading", name="Usual skills of “warehouse operative”")
    ).to_be_visible()
    keys.tab_to("input[name=skill_ids]")
    page.keyboard.press("Space")
    keys.tab_to("main form button[type=submit]")
    keys.press_and_load()
    expect(page.get_by_text("1 skill added.")).to_be_visible()
    keys.tab_to("button[value=next]")
    keys.press_and_load()

    # step 3: nothing to add
    expect(page.get_by_text("Step 3 of 5")).to_be_visible()
    keys.tab_to("button[value=next]")
    keys.press_and_load()

    # step 4: the region by typing its name, a region to move to, the first day
    expect(page.get_by_text("Step 4 of 5")).to_be_visible()
    keys.type_into("#region_id", REGION)
    keys.tab_to(f"#{page.get_by_label('Upper Hills').get_attribute('id')}")
    page.keyboard.press("Space")
    keys.type_into("#available_from", "12012026")
    keys.tab_to("button[value=next]")
    keys.press_and_load()

    # step 5: consent
    expect(page.get_by_text("Step 5 of 5")).to_be_visible()
    keys.tab_to("#consent_matching")
    page.keyboard.press("Space")
    keys.tab_to(".consent button[type=submit]")
    keys.press_and_load()
    expect(page).to_have_url(re.compile(r"/worker/$"))
    expect(page.get_by_text("Your profile is active").first).to_be_visible()

    # what was typed and chosen is on the profile
    keys.tab_to("main a[href$='/review']")
    keys.press_and_load()
    review = page.locator("main").inner_text()
    for saved in ("Kovalenko", "1985", "Ukraine", "Female", "operate a forklift", "pick orders"):
        assert saved in review
    assert "Upper Hills" in review and REGION in review
    assert "Dec 1, 2026" in review
