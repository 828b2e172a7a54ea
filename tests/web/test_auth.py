import re

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import OutboxMessage, Role, User
from tests.conftest import PASSWORD, Factory, WebClient


def _register(client: WebClient, **changes: str):
    data = {
        "role": "worker",
        "full_name": "Amina Haddad",
        "email": "amina@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "organisation_name": "",
    }
    data.update(changes)
    return client.post("/register", data)


def test_a_worker_registers_and_lands_on_the_worker_dashboard(
    client: WebClient, session: Session
) -> None:
    response = _register(client)
    assert response.status_code == 302
    dashboard = client.get("/dashboard", follow_redirects=True)
    assert "Hello, Amina Haddad" in dashboard.get_data(as_text=True)
    assert session.scalars(select(User)).one().role is Role.WORKER


def test_an_employer_registers_with_an_organisation_that_awaits_verification(
    client: WebClient, session: Session
) -> None:
    _register(client, role="employer", organisation_name="Sunny Orchards")
    page = client.get("/dashboard", follow_redirects=True).get_data(as_text=True)
    assert "Sunny Orchards is waiting for an administrator to verify it" in page
    assert session.scalars(select(User)).one().organisation.verified_at is None


def test_a_bad_registration_keeps_the_input_and_says_what_is_wrong_per_field(
    client: WebClient,
) -> None:
    response = _register(
        client, role="provider", email="not-an-email", confirm="different", full_name="Ivan"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Ivan"' in page
    assert 'value="not-an-email"' in page
    assert 'checked id="role-1"' in page
    assert 'id="email-error"' in page and "Enter an email address like" in page
    assert 'id="organisation_name-error"' in page
    assert 'id="confirm-error"' in page
    assert 'aria-describedby="email-error"' in page
    assert '<a href="#email">' in page  # the error summary links to the field


def test_a_common_password_is_refused_with_a_message_on_the_password_field(
    client: WebClient,
) -> None:
    response = _register(client, password="password123", confirm="password123")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="password-error"' in page and "too common" in page


def test_over_long_input_is_refused_with_a_message_not_an_error_page(client: WebClient) -> None:
    response = _register(client, full_name="x" * 5000, email=("a" * 300) + "@example.org")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A name has at most 200 characters." in page
    assert "An email address has at most 254 characters." in page


def test_a_nul_byte_in_a_field_is_refused_with_a_message(client: WebClient) -> None:
    response = _register(client, full_name="Amina\x00Haddad")
    assert response.status_code == 400
    assert "contains a character that is not allowed" in response.get_data(as_text=True)


def test_registering_twice_with_one_email_says_so_on_the_email_field(
    client: WebClient, make: Factory
) -> None:
    make.user(Role.WORKER, email="amina@example.org")
    response = _register(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="email-error"' in page and "already exists" in page


def test_login_and_logout(client: WebClient, make: Factory) -> None:
    user = make.user(Role.EMPLOYER)
    response = client.login(user.email)
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/employer/").status_code == 200
    client.logout()
    assert client.get("/employer/").status_code == 302


def test_a_wrong_login_says_so_without_telling_whether_the_account_exists(
    client: WebClient, make: Factory
) -> None:
    user = make.user(Role.WORKER)
    wrong_password = client.post("/login", {"email": user.email, "password": "wrong one!"})
    unknown_email = client.post("/login", {"email": "nobody@example.org", "password": "wrong one!"})
    assert wrong_password.status_code == unknown_email.status_code == 401

    def without_tokens(html: str) -> str:
        return re.sub(r'value="[^"]*"', "", html)

    assert without_tokens(wrong_password.get_data(as_text=True)) == without_tokens(
        unknown_email.get_data(as_text=True).replace("nobody@example.org", user.email)
    )
    assert "The email address or the password is not right." in wrong_password.get_data(
        as_text=True
    )


def test_repeated_failed_logins_are_paused_with_a_clear_message(
    client: WebClient, make: Factory, app: Flask
) -> None:
    user = make.user(Role.WORKER)
    for _ in range(app.config["LOGIN_FAILURES_PER_ACCOUNT"]):
        client.post("/login", {"email": user.email, "password": "wrong one!"})
    response = client.post("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_a_session_cookie_replayed_after_logout_is_refused(
    client: WebClient, make: Factory, app: Flask
) -> None:
    user = make.user(Role.WORKER)
    client.login(user.email)
    stolen = client.client.get_cookie("portal_session").value
    client.logout()
    thief = app.test_client()
    thief.set_cookie("portal_session", stolen)
    response = thief.get("/worker/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_session_cookie_is_httponly_and_same_site_lax(client: WebClient, make: Factory) -> None:
    user = make.user(Role.WORKER)
    response = client.login(user.email)
    cookie = next(
        value for value in response.headers.getlist("Set-Cookie") if "portal_session=" in value
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_the_session_cookie_is_secure_outside_development(
    make: Factory, database_url: str, connection, tmp_path
) -> None:
    from portal import create_app
    from tests.conftest import test_config

    app = create_app(test_config(database_url, ENV="production"), instance_path=str(tmp_path))
    app.extensions["portal.db"].bind_to(connection)
    user = make.user(Role.WORKER)
    web = WebClient(app.test_client())
    response = web.login(user.email)
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if "portal_session=" in v)
    assert "Secure" in cookie


def test_a_post_without_a_csrf_token_gets_a_page_that_says_to_reload(
    client: WebClient, make: Factory
) -> None:
    user = make.user(Role.WORKER)
    response = client.client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)


def test_a_forged_csrf_token_is_refused(client: WebClient, make: Factory) -> None:
    user = make.user(Role.WORKER)
    client.login(user.email)
    response = client.client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/worker/").status_code == 200  # still logged in


def test_login_does_not_redirect_to_another_site(client: WebClient, make: Factory) -> None:
    user = make.user(Role.WORKER)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            f"/login?next={target}", {"email": user.email, "password": PASSWORD}, page="/login"
        )
        assert response.headers["Location"] == "/dashboard"
        client.logout()


def test_login_returns_to_the_page_that_asked_for_it(client: WebClient, make: Factory) -> None:
    user = make.user(Role.ADMIN)
    first = client.get("/admin/outbox")
    assert first.headers["Location"] == "/login?next=%2Fadmin%2Foutbox"
    response = client.post(
        "/login?next=/admin/outbox", {"email": user.email, "password": PASSWORD}, page="/login"
    )
    assert response.headers["Location"] == "/admin/outbox"


def test_changing_the_password_logs_out_other_browsers(
    client: WebClient, make: Factory, app: Flask
) -> None:
    user = make.user(Role.WORKER)
    other = WebClient(app.test_client())
    other.login(user.email)
    client.login(user.email)
    response = client.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a fresh passphrase",
            "confirm": "a fresh passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/worker/").status_code == 200
    assert other.get("/worker/").status_code == 302


def test_a_wrong_current_password_is_shown_on_its_field(client: WebClient, make: Factory) -> None:
    user = make.user(Role.WORKER)
    client.login(user.email)
    response = client.post(
        "/account/password",
        {
            "current_password": "not it!!",
            "new_password": "a fresh passphrase",
            "confirm": "a fresh passphrase",
        },
    )
    assert response.status_code == 400
    assert 'id="current_password-error"' in response.get_data(as_text=True)


def test_password_reset_by_a_one_time_link_from_the_outbox(
    client: WebClient, make: Factory, session: Session
) -> None:
    user = make.user(Role.WORKER)
    response = client.post("/password/forgot", {"email": user.email})
    assert response.status_code == 302
    message = session.scalars(select(OutboxMessage)).one()
    assert message.sent_at is not None  # delivered to the log: no mail server in tests
    link = re.search(r"http://localhost(/password/reset/\S+)", message.body).group(1)
    new = "a reset passphrase"
    assert client.post(link, {"new_password": new, "confirm": new}).status_code == 302
    client.login(user.email, new)
    client.logout()
    again = client.get(link)
    assert again.status_code == 404
    assert "This link no longer works" in again.get_data(as_text=True)


def test_the_reset_mail_is_in_the_account_holders_language(
    app: Flask, client: WebClient, make: Factory, session: Session
) -> None:
    user = make.user(Role.WORKER)
    user.language = "ru"
    session.commit()
    client.post("/password/forgot", {"email": user.email}, headers={"Accept-Language": "fr"})
    message = session.scalars(select(OutboxMessage)).one()
    with app.test_request_context(), force_locale("ru"):
        subject = gettext("Reset your password")
    assert subject != "Reset your password"
    assert message.subject == subject
    assert user.full_name in message.body and "Someone asked" not in message.body


def test_forgot_password_answers_the_same_for_unknown_addresses(
    client: WebClient, session: Session
) -> None:
    response = client.post("/password/forgot", {"email": "nobody@example.org"})
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "If an account uses this address" in follow
    assert session.scalars(select(OutboxMessage)).all() == []


@pytest.mark.parametrize("url", ["/login", "/register", "/password/forgot"])
def test_logged_out_pages_render(client: WebClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.get_data(as_text=True)
