"""A worker who reads Arabic or Ukrainian opens the portal in English, switches the language in
the page header, registers and completes the profile in that language, typing the skills in it
and confirming the suggestions of the built-in taxonomy (taxonomies/essential-work).

The words expected on the pages are the catalogue's translations, read through the live portal
(force_locale + gettext), so this test follows the catalogues and hard-codes none of them.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from portal.services import regions
from portal.services.taxonomy import store_taxonomy
from portal.taxonomy.loaders.authored import BUILTIN_TAXONOMY_DIR, load_authored
from tests.browser.conftest import LiveServer, running_portal
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

REGION = "Kyiv Oblast"
# (typed on the skills form, the skill it means), then (typed for the type-ahead, its skill)
TYPED = {
    "uk": [("робота на навантажувачі", "operate-forklift"), ("комплектувати зам", "pick-orders")],
    "ar": [("قيادة الرافعة الشوكية", "operate-forklift"), ("تجهيز الطلبات", "pick-orders")],
}


def _skill_labels(lang: str) -> dict[str, str]:
    """The built-in taxonomy's name of each skill in `lang`, by its id."""
    with (BUILTIN_TAXONOMY_DIR / "skills.csv").open(encoding="utf-8") as rows:
        return {row["id"]: row[f"label_{lang}"] for row in csv.DictReader(rows)}


def _translator(server: LiveServer, lang: str) -> Callable[..., str]:
    """gettext in `lang` with the live portal's catalogues."""

    def translate(message: str, **values: object) -> str:
        with server.app.test_request_context(), force_locale(lang):
            return gettext(message, **values)

    return translate


def _starts_with(text: str) -> re.Pattern[str]:
    return re.compile(f"^{re.escape(text)}")


@pytest.fixture(scope="module")
def builtin_portal(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A portal of its own with the built-in taxonomy active (the other browser tests keep the
    small test taxonomy active on theirs)."""
    with running_portal(tmp_path_factory.mktemp("builtin"), "portal_builtin") as server:
        taxonomy = load_authored(BUILTIN_TAXONOMY_DIR)
        server.arrange(lambda s: store_taxonomy(s, taxonomy, content_hash="builtin"))
        server.arrange(lambda s: regions.add_regions(s, [REGION]))
        yield server


@pytest.mark.parametrize("lang", ["ar", "uk"])
def test_a_worker_switches_language_and_registers_in_it(
    new_page, builtin_portal: LiveServer, lang: str
) -> None:
    _ = _translator(builtin_portal, lang)
    labels = _skill_labels(lang)
    html = {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr"}
    page = new_page(locale="en-US")
    heading = page.get_by_role("heading", level=1)

    def in_the_language() -> None:
        assert page.evaluate("document.documentElement.lang") == html["lang"], page.url
        assert page.evaluate("document.documentElement.dir") == html["dir"], page.url

    page.goto(f"{builtin_portal.url}/")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_role("combobox", name="Language").select_option(lang)
    page.get_by_role("button", name="Change language").click()
    expect(heading).to_have_text(_("Work where it is needed"))
    in_the_language()
    assert page.get_by_role("combobox", name=_("Language")).input_value() == lang

    # the account
    page.get_by_role("link", name=_("Register as a worker")).click()
    expect(heading).to_have_text(_("Create an account"))
    in_the_language()
    assert page.get_by_label(_("I am looking for work")).is_checked()
    page.get_by_label(_("Your full name")).fill("Олена Петренко" if lang == "uk" else "آمنة حداد")
    page.get_by_label(_("Email address"), exact=True).fill(f"{lang}-{uuid.uuid4().hex[:8]}@ex.org")
    page.get_by_label(_("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(_("Password again"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=_("Create account")).click()
    expect(page.get_by_text(_("Welcome! Your account is ready."))).to_be_visible()
    in_the_language()
    page.get_by_role("link", name=_("Start your profile")).click()

    # step 1
    expect(heading).to_have_text(_("About you"))
    expect(page.get_by_text(_("Step %(n)d of %(total)d", n=1, total=5), exact=True)).to_be_visible()
    in_the_language()
    page.get_by_label(_("Phone number")).fill("+380 44 123 4567")
    page.get_by_role("button", name=_("Save and continue")).click()

    # step 2: a skill through the suggestion page, one through the type-ahead
    expect(heading).to_have_text(_("Skills"))
    in_the_language()
    (first_words, first), (second_words, second) = TYPED[lang]
    page.get_by_label(_("Describe a skill in your own words")).fill(first_words)
    page.get_by_role("button", name=_("Add this skill")).click()
    expect(heading).to_have_text(_("Which skill do you mean?"))
    in_the_language()
    page.get_by_role("radio", name=_starts_with(labels[first])).check()
    page.get_by_role("button", name=_("Confirm")).click()
    added = _("Added “%(words)s” as “%(skill)s”.", words=first_words, skill=labels[first])
    expect(page.get_by_text(added)).to_be_visible()

    words = page.get_by_role("combobox", name=_("Describe a skill in your own words"))
    words.press_sequentially(second_words, delay=20)
    page.get_by_role("listbox").get_by_role("option", name=_starts_with(labels[second])).click()
    page.get_by_role("button", name=_("Add this skill")).click()
    added = _("Added “%(words)s” as “%(skill)s”.", words=second_words, skill=labels[second])
    expect(page.get_by_text(added)).to_be_visible()
    page.get_by_role("button", name=_("Save and continue")).click()

    # steps 3 to 5
    expect(heading).to_have_text(_("Experience and qualifications"))
    page.get_by_role("button", name=_("Save and continue")).click()
    expect(heading).to_have_text(_("Where and when you can work"))
    in_the_language()
    page.get_by_label(_("Region where you are now")).select_option(label=REGION)
    start = (date.today() + timedelta(days=5)).isoformat()
    page.get_by_label(_("First day you can start work")).fill(start)
    page.get_by_role("button", name=_("Save and continue")).click()
    expect(heading).to_have_text(_("Check the profile"))
    in_the_language()
    skills = page.locator("section", has=page.get_by_role("heading", name=_("Skills"))).inner_text()
    assert labels[first] in skills and labels[second] in skills
    page.get_by_label(_("Matching (required): use my profile to suggest me for work.")).check()
    page.get_by_role("button", name=_("Agree and make the profile active")).click()

    active = _("Your profile is active: employers can find you through matches.")
    expect(page.get_by_text(active)).to_be_visible()
    in_the_language()
