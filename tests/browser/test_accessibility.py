"""axe-core finds no serious or critical WCAG 2.0/2.1 A or AA problem on the main pages, in
English and in Arabic (right to left): the home page, the account form, every registration
step with the suggestion pages and the open type-ahead, a worker's matches after a matching
round, the vacancies, an employer's vacancy form and the statistics (tests/browser/tour.py)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveServer, serious_accessibility_problems
from tests.browser.tour import every_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_main_pages_have_no_serious_accessibility_problems(
    axe_page, live_server: LiveServer, lang: str
) -> None:
    page = axe_page(locale=lang)
    problems = []

    def check(name: str) -> None:
        assert page.evaluate("document.documentElement.lang") == lang, f"{name} is not in {lang}"
        found = serious_accessibility_problems(page)
        problems.extend(f"{name} ({page.url}): {problem}" for problem in found)

    every_page(page, live_server, lang, check)

    assert not problems, "\n".join(problems)
