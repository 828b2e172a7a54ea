"""Every failure of the API has one shape, {"error": {"status", "code", "message", "fields"?}},
in the language the request's Accept-Language asks for, and never a stack trace."""

from __future__ import annotations

import pytest
from flask import Flask

from portal.services import workers
from tests.web.api.conftest import ApiClient, Market, error_of

WORKERS = "/api/v1/workers"


def test_an_unknown_api_path_is_404_in_the_api_s_shape(api: ApiClient) -> None:
    assert error_of(api.get("/api/v1/no-such-thing"), 404)["code"] == "not_found"
    assert error_of(api.get("/api/v2/workers"), 404)["code"] == "not_found"


def test_a_method_a_path_does_not_take_is_405_with_the_allowed_ones(api: ApiClient) -> None:
    response = api.client.delete(WORKERS)

    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert {"GET", "POST"} <= {method.strip() for method in response.headers["Allow"].split(",")}


def test_an_id_no_row_can_have_is_simply_not_found(api: ApiClient, market: Market) -> None:
    response = api.get(f"{WORKERS}/99999999999999999999", market.admin_token)

    assert error_of(response, 404)["code"] == "not_found"


def test_a_body_that_is_not_a_json_object_is_400(api: ApiClient, market: Market) -> None:
    token = market.mine.provider_token
    as_text = api.client.post(
        WORKERS,
        data="given_name=Ana",
        headers={"Authorization": f"Bearer {token}"},
        content_type="application/x-www-form-urlencoded",
    )
    broken = api.client.post(
        WORKERS,
        data="{not json",
        headers={"Authorization": f"Bearer {token}"},
        content_type="application/json",
    )
    a_list = api.post(WORKERS, ["given_name"], token)

    for response in (as_text, broken, a_list):
        assert error_of(response, 400)["code"] == "bad_request"


def test_a_body_nested_too_deep_to_parse_is_400_not_a_crash(
    api: ApiClient, market: Market, app: Flask
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    response = api.client.post(
        WORKERS,
        data="[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        headers={"Authorization": f"Bearer {market.mine.provider_token}"},
    )

    assert error_of(response, 400)["code"] == "bad_request"


def test_a_body_too_large_is_413(api: ApiClient, market: Market, app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024

    response = api.post(WORKERS, {"given_name": "x" * 2000}, market.mine.provider_token)

    assert error_of(response, 413)["code"] == "too_large"


def test_validation_names_each_field_with_its_messages(api: ApiClient, market: Market) -> None:
    error = error_of(api.post(WORKERS, {"birth_year": True}, market.mine.provider_token), 422)

    assert error["code"] == "invalid"
    assert error["fields"]["given_name"] == ["This field is required."]
    assert error["fields"]["birth_year"] == ["Give a whole number from 1900 to 2100."]


def test_messages_follow_accept_language(api: ApiClient, market: Market) -> None:
    english = error_of(api.get("/api/v1/nowhere"), 404)["message"]
    french = error_of(api.get("/api/v1/nowhere", headers={"Accept-Language": "fr"}), 404)

    assert french["message"] != english
    assert french["code"] == "not_found"


def test_a_crash_is_500_in_the_same_shape_without_a_trace(
    api: ApiClient, market: Market, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internals: /srv/portal/db.py line 42")

    monkeypatch.setattr(workers, "worker_for", broken)

    response = api.get(f"{WORKERS}/{market.mine.worker.id}", market.admin_token)

    error = error_of(response, 500)
    assert error["code"] == "server_error"
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text


def test_api_answers_are_not_cached(api: ApiClient, market: Market) -> None:
    assert api.get(WORKERS, market.admin_token).headers["Cache-Control"] == "no-store"
    assert api.get("/api/v1/nowhere").headers["Cache-Control"] == "no-store"


def test_pages_keep_their_html_error_pages(api: ApiClient) -> None:
    response = api.client.get("/no-such-page")

    assert response.status_code == 404 and response.mimetype == "text/html"
