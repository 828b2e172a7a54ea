"""A live portal on a free local port and Debian's Chromium driven by Playwright.

Without Chromium or Playwright the browser tests skip with the reason; with
PORTAL_REQUIRE_BROWSER=1 (set by CI) they fail instead, so CI cannot pass without them. The
accessibility checks also need axe-core from npm (`npm ci --prefix tests/browser`, which
`make test` runs when npm is there).
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from portal import create_app, schema
from portal.db import make_engine
from portal.models import Role, User
from portal.services import accounts
from tests.conftest import PASSWORD, fresh_database_url, test_config

T = TypeVar("T")
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("PORTAL_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
SCREENSHOTS = ARTIFACTS.parent / "screenshots"
AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]  # WCAG 2.0 and 2.1, levels A and AA
AXE_FAILING_IMPACTS = frozenset({"serious", "critical"})
PHONE = {"width": 360, "height": 780}
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"browser tests are required (PORTAL_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@dataclass
class LiveServer:
    url: str
    app: Flask

    def user(self, role: Role, password: str = PASSWORD) -> User:
        """A new account of `role` with a unique email."""
        database = self.app.extensions["portal.db"]
        with self.app.app_context(), database.session_scope() as session:
            return accounts.create_user(
                session,
                email=f"{role.value}-{uuid.uuid4().hex[:10]}@example.org",
                full_name=f"Browser {role.value.title()}",
                password=password,
                role=role,
            )

    def arrange(self, action: Callable[[Session], T]) -> T:
        """Run `action` with a session on the live portal's database (to store a taxonomy,
        regions, organisations ... through the services) and return what it returns."""
        database = self.app.extensions["portal.db"]
        with self.app.app_context(), database.session_scope() as session:
            return action(session)


def log_in(page, live_server: LiveServer, user: User) -> None:
    """Log in through the form, as a person would, and wait for the landing page."""
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/(worker|employer|admin|provider|dashboard).*"))


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()


def log_in_in_any_language(page, live_server: LiveServer, user: User) -> None:
    """Log in through the form found by its fields, whatever language the page is in."""
    page.goto(f"{live_server.url}/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/(worker|employer|admin|provider|dashboard).*"))


def log_out_in_any_language(page) -> None:
    with page.expect_navigation():
        page.locator("form[action$='/logout'] button").click()


@contextmanager
def running_portal(folder: Path, name: str) -> Iterator[LiveServer]:
    """A portal on a new, empty database, served on a free port until the block ends."""
    url = fresh_database_url(name, folder)
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    app = create_app(test_config(url, TESTING=False), instance_path=str(folder / "instance"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.extensions["portal.db"].dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_portal(tmp_path_factory.mktemp("live"), "portal_browser") as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, request: pytest.FixtureRequest):
    """Opens phone-sized pages (360 px wide), each in its own browser context made with the
    given options (locale, bypass_csp ...); a screenshot of each is kept when the test fails."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(**{"viewport": PHONE, **options})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    report = getattr(request.node, "rep_call", None)
    for number, context in enumerate(contexts):
        if report is not None and report.failed and context.pages:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            suffix = f"-{number}" if number else ""
            shot = ARTIFACTS / f"{request.node.name}{suffix}.png"
            context.pages[0].screenshot(path=str(shot), full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    """A phone-sized page (360 px wide); a screenshot is kept when the test fails."""
    return new_page()


@pytest.fixture(scope="session")
def axe_script(browser) -> Path:
    """axe-core's script, installed from npm by `npm ci --prefix tests/browser`."""
    if not AXE_SCRIPT.exists():
        _unavailable(
            f"axe-core is not installed at {AXE_SCRIPT} "
            "(install Node.js and npm, then run: npm ci --prefix tests/browser)"
        )
    return AXE_SCRIPT


@pytest.fixture
def axe_page(new_page, axe_script: Path):
    """Opens pages that axe can check. The portal's Content-Security-Policy (script-src 'self')
    blocks the script tag Playwright injects, so these contexts, and only these, bypass CSP."""

    def open_page(**options):
        return new_page(bypass_csp=True, **options)

    return open_page


def serious_accessibility_problems(page) -> list[str]:
    """axe-core's serious and critical violations of WCAG 2.0/2.1 A and AA on the page as it
    is now: one line each with the rule, its help text and the elements at fault."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']
        })""",
        AXE_TAGS,
    )
    problems = []
    for violation in results["violations"]:
        if violation["impact"] not in AXE_FAILING_IMPACTS:
            continue
        targets = ", ".join(
            " >> ".join(map(str, node["target"])) for node in violation["nodes"][:10]
        )
        problems.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}"
        )
    return problems


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
