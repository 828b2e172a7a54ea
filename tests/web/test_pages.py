"""The layout, error pages and headers every page shares."""

from __future__ import annotations

import pytest
from flask import Flask

from portal.models import Role
from tests.conftest import Factory, WebClient


def test_the_home_page_speaks_to_each_audience(client: WebClient) -> None:
    page = client.get("/").get_data(as_text=True)
    for audience in ("Looking for work", "Labour providers", "Employers", "Public employment"):
        assert audience in page


def test_the_layout_has_language_skip_link_landmarks_and_local_css(client: WebClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    assert 'class="skip-link" href="#main"' in page
    assert "<header" in page and "<nav" in page and '<main id="main"' in page
    assert 'href="/static/css/portal.css"' in page
    assert "http://" not in page.split("<body>")[0] and "https://" not in page.split("<body>")[0]


def test_the_stylesheet_is_served_locally(client: WebClient) -> None:
    with client.get("/static/css/portal.css") as response:
        assert response.status_code == 200
        assert "skip-link" in response.get_data(as_text=True)


def test_an_unknown_address_gets_the_not_found_page(client: WebClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_errors_answer_in_json_when_json_is_asked_for(client: WebClient) -> None:
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_a_wrong_method_gets_a_page_not_a_stack_trace(client: WebClient) -> None:
    response = client.client.delete("/login")
    assert response.status_code == 405
    assert "This action is not allowed here" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_a_plain_page_without_a_stack_trace(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode() -> str:
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/explode-for-test", view_func=explode)
    response = app.test_client().get("/explode-for-test")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "secret internal detail" not in page and "Traceback" not in page


def test_too_large_a_request_gets_a_page(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = app.test_client().post("/login", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_every_response_carries_the_security_headers(client: WebClient) -> None:
    headers = client.get("/").headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_of_a_logged_in_user_are_not_cached(client: WebClient, make: Factory) -> None:
    client.login(make.user(Role.WORKER).email)
    assert client.get("/worker/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("role", "text"),
    [
        (Role.WORKER, "You have not described your skills yet."),
        (Role.PROVIDER, "You have not listed any workers yet."),
        (Role.EMPLOYER, "You have not posted any vacancies yet."),
        (Role.ADMIN, "No organisation is waiting."),
    ],
    ids=str,
)
def test_each_dashboard_says_what_to_do_next(
    client: WebClient, make: Factory, role: Role, text: str
) -> None:
    client.login(make.user(role).email)
    page = client.get("/dashboard", follow_redirects=True).get_data(as_text=True)
    assert text in page


def test_the_admin_list_of_organisations_is_paginated(
    client: WebClient, make: Factory, app: Flask
) -> None:
    from portal.models import OrganisationKind

    app.config["PAGE_SIZE"] = 2
    for _ in range(5):
        make.organisation(OrganisationKind.EMPLOYER, verified=False)
    client.login(make.user(Role.ADMIN).email)
    first = client.get("/admin/organisations").get_data(as_text=True)
    last = client.get("/admin/organisations?page=3").get_data(as_text=True)
    assert "Page 1 of 3" in first and 'rel="next"' in first
    assert "Page 3 of 3" in last and 'rel="next"' not in last
    assert client.get("/admin/organisations?page=999").status_code == 200
