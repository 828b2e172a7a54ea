"""Schemathesis fuzzes every operation of the OpenAPI document against the app in-process
(WSGI), with an admin's token, an employer's and a labour provider's, on a small market: requests
that fit the document, the same aimed at real objects, and requests that break it (which must be
refused). No answer may be a server
error, and every answer must be one the document describes (status, content type, headers, body).

Bounded so that it stays well under two minutes on SQLite and PostgreSQL: a fixed number of
examples per operation, derandomised (the same requests every run), no deadline.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from portal.web.api.openapi import document
from tests.web.api.conftest import Market

EXAMPLES = 25
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OPERATIONS = sorted(
    (path, method.upper()) for path, item in document()["paths"].items() for method in item
)


def _real_ids(market: Market, session: Session) -> dict[str, int]:
    """Objects the caller's side has, so that generated requests also meet real ones."""
    side = market.mine
    return {
        "worker_id": side.worker.id,
        "vacancy_id": side.vacancy.id,
        "placement_id": market.placement(session, side.worker, side.vacancy).id,
        "region_id": market.north.id,
        "organisation_id": side.employer.organisation_id,
    }


def _aimed(real: dict[str, int]) -> Any:
    """A request whose path and body name real objects where they name any (most bodies
    made up from the document alone name a region or an employer that does not exist)."""

    def aim(case: Any) -> Any:
        for name in case.path_parameters or {}:
            case.path_parameters[name] = real[name]
        if isinstance(case.body, dict):
            case.body.update({name: real[name] for name in case.body.keys() & real.keys()})
        return case

    return aim


def _strategy(
    operation: Any, real: dict[str, int], headers: dict[str, str]
) -> st.SearchStrategy[Any]:
    positive = operation.as_strategy(GenerationMode.POSITIVE, headers=headers)
    strategies = [positive]
    if operation.path_parameters or operation.body:
        strategies.append(positive.map(_aimed(real)))
    if operation.path_parameters or operation.query or operation.body:
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE, headers=headers))
    return st.one_of(strategies)


@pytest.mark.parametrize("who", ["admin", "employer", "provider"])
@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_every_answer_is_one_the_document_describes(
    app: Flask, market: Market, session: Session, who: str, path: str, method: str
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 answer, which the checks catch
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]
    token = {
        "admin": market.admin_token,
        "employer": market.mine.employer_token,
        "provider": market.mine.provider_token,
    }[who]
    headers = {"Authorization": f"Bearer {token}"}

    @given(case=_strategy(operation, _real_ids(market, session), headers))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        checks = list(CONFORMANCE)
        if case.meta is not None and case.meta.generation.mode is GenerationMode.NEGATIVE:
            checks.append(negative_data_rejection)
        case.call_and_validate(headers=headers, checks=checks)

    fuzz()
