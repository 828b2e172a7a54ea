"""Register, log in, log out and fix a bad form, as a person does, in headless Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.models import Role
from tests.browser.conftest import LiveServer
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _fill_registration(page, live_server: LiveServer, **values: str) -> None:
    page.goto(f"{live_server.url}/register")
    page.get_by_label(values.get("role_label", "I am looking for work")).check()
    page.get_by_label("Your full name").fill(values.get("name", "Olena Petrenko"))
    page.get_by_label("Email address").fill(values["email"])
    if "organisation" in values:
        page.get_by_label("Name of your organisation").fill(values["organisation"])
    page.get_by_label("Password", exact=True).fill(values.get("password", PASSWORD))
    page.get_by_label("Password again").fill(values.get("confirm", PASSWORD))
    page.get_by_role("button", name="Create account").click()


def test_a_worker_registers_on_a_phone_and_logs_out(page, live_server: LiveServer) -> None:
    _fill_registration(page, live_server, email="olena.browser@example.org")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Olena Petrenko"
    assert "You have not described your skills yet." in page.content()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto(f"{live_server.url}/worker/")
    assert page.url.startswith(f"{live_server.url}/login")


def test_an_employer_registers_and_sees_the_organisation_waiting(
    page, live_server: LiveServer
) -> None:
    _fill_registration(
        page,
        live_server,
        role_label="I am an employer and need workers",
        name="Erik Larsen",
        email="erik.browser@example.org",
        organisation="Nordic Greenhouses",
    )
    expect(page.get_by_text("Nordic Greenhouses is waiting for an administrator")).to_be_visible()


def test_a_bad_registration_comes_back_with_messages_and_the_input_kept(
    page, live_server: LiveServer
) -> None:
    _fill_registration(
        page, live_server, email="not-an-email", confirm="something else", name="Ana"
    )
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert "Enter an email address like name@example.com." in summary.inner_text()
    assert "The two passwords are not the same." in summary.inner_text()
    assert page.get_by_label("Your full name").input_value() == "Ana"
    assert page.get_by_label("Email address").input_value() == "not-an-email"
    email = page.get_by_label("Email address")
    assert email.get_attribute("aria-invalid") == "true"
    assert "email-error" in email.get_attribute("aria-describedby")
    summary.get_by_role("link", name="Enter an email address like name@example.com.").click()
    assert page.evaluate("document.activeElement.id") == "email"


def test_login_with_a_wrong_password_then_the_right_one(page, live_server: LiveServer) -> None:
    user = live_server.user(Role.EMPLOYER)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    assert (
        "The email address or the password is not right." in page.get_by_role("alert").inner_text()
    )
    assert page.get_by_label("Email address").input_value() == user.email
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.url == f"{live_server.url}/employer/"


def test_a_cookie_copied_before_logout_no_longer_opens_the_account(
    browser, page, live_server: LiveServer
) -> None:
    user = live_server.user(Role.WORKER)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    copied = page.context.cookies()
    page.get_by_role("button", name="Log out").click()
    other = browser.new_context()
    other.add_cookies(copied)
    replay = other.new_page()
    replay.goto(f"{live_server.url}/worker/")
    assert replay.url.startswith(f"{live_server.url}/login")
    other.close()


def test_pages_fit_a_360_pixel_screen_without_sideways_scrolling(
    page, live_server: LiveServer
) -> None:
    for path in ("/", "/register", "/login"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path


def test_the_skip_link_is_the_first_stop_for_the_keyboard(page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
