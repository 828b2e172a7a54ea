"""The main pages in each of the portal's languages fit a 360 px phone without sideways
scrolling, with the page's language and direction set; a full-page screenshot of each is kept
in test-artifacts/screenshots/<language>/<page>.png for people to look over the translations."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, SCREENSHOTS, LiveServer
from tests.browser.tour import every_page

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "fr", "ru", "uk", "ar"]
SHOTS = {  # the walk's page → the screenshot's name
    "home": "home",
    "register": "register",
    "about": "registration-step",
    "skill-suggestions": "skills-confirmation",
    "vacancies": "vacancy-browse",
    "vacancy": "vacancy",
    "worker-matches": "worker-matches",
    "vacancy-form": "employer-vacancy-form",
    "statistics": "admin-statistics",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_main_pages_fit_a_phone_in_every_language(
    new_page, live_server: LiveServer, lang: str
) -> None:
    page = new_page(locale=lang)
    folder = SCREENSHOTS / lang
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    problems = []

    def check(name: str) -> None:
        language = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
        width = page.evaluate("document.documentElement.scrollWidth")
        if language != [lang, "rtl" if lang == "ar" else "ltr"]:
            problems.append(f"{name}: lang and dir are {language}")
        if width > PHONE["width"]:
            problems.append(f"{name}: scrolls sideways ({width} px)")
        if name in SHOTS:
            page.screenshot(path=str(folder / f"{SHOTS[name]}.png"), full_page=True)

    every_page(page, live_server, lang, check)

    assert not problems, "\n".join(problems)
    assert sorted(path.stem for path in folder.glob("*.png")) == sorted(SHOTS.values())
