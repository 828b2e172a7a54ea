"""The OpenAPI document: valid OpenAPI 3.1, served as it is built, and describing exactly the
routes of the API (a route added without its description, or a description left after its route
went, fails here)."""

from __future__ import annotations

import re

from flask import Flask
from openapi_spec_validator import validate

from portal.web.api.openapi import document
from portal.web.api.placements import TRANSITION_FIELDS
from portal.web.api.vacancies import VACANCY_FIELDS
from portal.web.api.workers import WORKER_FIELDS
from tests.web.api.conftest import ApiClient

IGNORED_METHODS = {"HEAD", "OPTIONS"}
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _api_routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (ARGUMENT.sub(r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in (rule.methods or set()) - IGNORED_METHODS
    }


def _described() -> set[tuple[str, str]]:
    return {(path, method) for path, item in document()["paths"].items() for method in item}


def test_the_document_is_valid_openapi() -> None:
    validate(document())


def test_the_document_describes_every_api_route_and_no_other(app: Flask) -> None:
    routes, described = _api_routes(app), _described()

    assert routes - described == set(), "describe these routes in portal/web/api/openapi.py"
    assert described - routes == set(), "these described routes do not exist"


def test_every_route_under_the_api_prefix_is_the_api_s(app: Flask) -> None:
    outside = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and not rule.endpoint.startswith("api.")
    }
    assert outside == set()


def test_the_served_document_is_the_built_one(api: ApiClient) -> None:
    response = api.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json == document()


def test_operations_with_a_token_say_so_and_answer_401_and_403() -> None:
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            answers = operation["responses"]
            if operation["security"]:
                assert {"401", "403"} <= set(answers), (path, method)
            assert "500" in answers, (path, method)
            assert all(
                answer.get("$ref", "").startswith("#/components/responses/Error")
                for status, answer in answers.items()
                if int(status) >= 400
            ), (path, method)


def test_the_document_names_the_bearer_scheme_and_the_error_shape() -> None:
    components = document()["components"]

    assert components["securitySchemes"]["bearerAuth"] == {
        **components["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    error = components["schemas"]["Error"]["properties"]["error"]
    assert set(error["required"]) == {"status", "code", "message"}
    assert "fields" in error["properties"]


def test_request_bodies_describe_exactly_the_fields_the_api_reads() -> None:
    schemas = document()["components"]["schemas"]

    for name, fields in (
        ("NewWorker", WORKER_FIELDS),
        ("NewVacancy", VACANCY_FIELDS),
        ("Transition", TRANSITION_FIELDS),
    ):
        assert list(schemas[name]["properties"]) == list(fields), name
