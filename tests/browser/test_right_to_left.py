"""In Arabic the main pages read right to left on a 360 px phone: dir="rtl", no sideways
scrolling, and the layout mirrored (the brand at the right of the header, the skip link, the
headings, the labels and the type-ahead's suggestions starting at the right, each radio button
or checkbox at the right of its label)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, LiveServer
from tests.browser.tour import every_page

pytestmark = pytest.mark.browser

# Each check names what is not mirrored; 2 px of slack for text measured in fractions.
MIRRORING = """() => {
  const SLACK = 2;
  const width = window.innerWidth;
  const problems = [];
  const shown = (selector) => Array.from(document.querySelectorAll(selector))
    .find((element) => element.getClientRects().length > 0);
  const content = (element) => {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    const right = parseFloat(style.paddingRight) + parseFloat(style.borderRightWidth);
    const left = parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth);
    return {left: box.left + left, right: box.right - right};
  };
  const text = (element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return range.getBoundingClientRect();
  };
  const startsAtTheRight = (what, selector) => {
    const element = shown(selector);
    if (!element) return;
    const box = content(element), words = text(element);
    if (Math.abs(box.right - words.right) > SLACK) {
      problems.push(`${what} (${selector}) starts at ${Math.round(words.right)} px, ` +
                    `not at the right of its box (${Math.round(box.right)} px)`);
    }
  };

  const brand = document.querySelector(".site-header .brand").getBoundingClientRect();
  if (brand.left + brand.width / 2 <= width / 2) {
    problems.push(`the brand is at the left of the header (${Math.round(brand.left)} px)`);
  }
  const skip = document.querySelector(".skip-link");
  skip.focus();
  const skipBox = skip.getBoundingClientRect();
  if (width - skipBox.right > 16) {
    problems.push(`the focused skip link is not at the right (${Math.round(skipBox.left)} px)`);
  }
  skip.blur();
  startsAtTheRight("the heading", "main h1");
  startsAtTheRight("the first label", "main .field > label, main .field legend");
  startsAtTheRight("the first suggestion", "[role=listbox] [role=option]");
  const choice = shown("main .choice");
  if (choice) {
    const box = choice.querySelector("input").getBoundingClientRect();
    const label = choice.querySelector("label").getBoundingClientRect();
    if (box.left < label.right - SLACK) {
      problems.push("a radio button or checkbox is at the left of its label");
    }
  }
  return problems;
}"""


def test_arabic_pages_are_mirrored_and_fit_a_phone(new_page, live_server: LiveServer) -> None:
    page = new_page(locale="ar")
    problems = []

    def check(name: str) -> None:
        direction = page.evaluate("document.documentElement.dir")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert page.evaluate("window.innerWidth") == PHONE["width"]
        if direction != "rtl":
            problems.append(f"{name}: dir is {direction!r}")
        if width > PHONE["width"]:
            problems.append(f"{name}: scrolls sideways ({width} px)")
        problems.extend(f"{name}: {problem}" for problem in page.evaluate(MIRRORING))

    every_page(page, live_server, "ar", check)

    assert not problems, "\n".join(problems)
