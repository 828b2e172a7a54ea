"""Addresses to go back to (after logging in, after switching the language) stay on the portal:
a javascript: URL, another site, or a path a browser turns into another site (a tab or a line
break is dropped from a URL, so "/<tab>/host" is "//host") sends the user home instead."""

from __future__ import annotations

import pytest

from portal.models import Role
from tests.conftest import PASSWORD, Factory, WebClient

ELSEWHERE = (
    "javascript:alert(1)",
    "https://example.invalid/",
    "//example.invalid",
    "/\\example.invalid",
    "/\t/example.invalid",
    "/\n/example.invalid",
    "/\r/example.invalid",
    "/\x00/example.invalid",
    "\t/vacancies/",
)


@pytest.mark.parametrize("target", ELSEWHERE, ids=repr)
def test_logging_in_never_sends_the_user_elsewhere(
    target: str, client: WebClient, make: Factory
) -> None:
    email = make.user(Role.WORKER).email
    response = client.client.post(
        "/login",
        query_string={"next": target},
        data={"email": email, "password": PASSWORD, "csrf_token": client.csrf_token("/login")},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


@pytest.mark.parametrize("target", ELSEWHERE, ids=repr)
def test_switching_the_language_never_sends_the_user_elsewhere(
    target: str, client: WebClient
) -> None:
    response = client.post("/language", {"language": "fr", "next": target}, page="/")

    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_a_path_on_the_portal_is_kept(client: WebClient) -> None:
    response = client.post("/language", {"language": "fr", "next": "/vacancies/"}, page="/")

    assert response.headers["Location"] == "/vacancies/"
