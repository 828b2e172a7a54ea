"""A live portal on a free local port and Debian's Chromium driven by Playwright.

Without Chromium or Playwright the browser tests skip with the reason; with
PORTAL_REQUIRE_BROWSER=1 (set by CI) they fail instead, so CI cannot pass without them.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
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


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("live")
    url = fresh_database_url("portal_browser", folder)
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    app = create_app(test_config(url, TESTING=False), instance_path=str(folder / "instance"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["portal.db"].dispose()


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
def page(browser, request: pytest.FixtureRequest):
    """A phone-sized page (360 px wide); a screenshot is kept when the test fails."""
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
