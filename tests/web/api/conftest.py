"""API tests: a client that calls with a bearer token, tokens for each role, and a small market
of two employers and two labour providers, each with their own objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from portal.models import Placement, Region, Role, User, Vacancy, VacancyState, Worker
from portal.services import api_tokens, matching
from tests.conftest import Factory
from tests.market import active_worker, open_vacancy, region


class ApiClient:
    """The test client calling the API as a system would: JSON, and a bearer token if given."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()

    def _headers(self, token: str | None, headers: dict[str, str] | None) -> dict[str, str]:
        found = {"Authorization": f"Bearer {token}"} if token else {}
        return {**found, **(headers or {})}

    def get(
        self, url: str, token: str | None = None, headers: dict[str, str] | None = None, **kw: Any
    ) -> TestResponse:
        return self.client.get(url, headers=self._headers(token, headers), **kw)

    def post(
        self,
        url: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **kw: Any,
    ) -> TestResponse:
        return self.client.post(url, json=body, headers=self._headers(token, headers), **kw)


@pytest.fixture
def api(app: Flask) -> ApiClient:
    return ApiClient(app)


def token_for(session: Session, user: User, name: str = "test system") -> str:
    return api_tokens.create_token(session, user, name).secret


def error_of(response: TestResponse, status: int) -> dict[str, Any]:
    """The error body, after checking the status and the one shape every failure has."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.json
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) <= {"status", "code", "message", "fields"}
    assert error["status"] == status and error["code"] and error["message"]
    return error  # type: ignore[no-any-return]


@dataclass
class Side:
    """One employer and one labour provider, with their people and objects."""

    employer: User
    provider: User
    vacancy: Vacancy  # open
    draft: Vacancy
    worker: Worker  # registered by the provider
    employer_token: str
    provider_token: str


@dataclass
class Market:
    north: Region
    mine: Side
    theirs: Side
    admin: User
    admin_token: str

    def placement(self, session: Session, worker: Worker, vacancy: Vacancy) -> Placement:
        session.expire_all()
        found = session.scalar(
            select(Placement)
            .where(Placement.worker_id == worker.id, Placement.vacancy_id == vacancy.id)
            .order_by(Placement.id.desc())
        )
        assert found is not None
        return found


def _side(session: Session, make: Factory, north: Region, name: str) -> Side:
    employer = make.user(Role.EMPLOYER)
    provider = make.user(Role.PROVIDER)
    vacancy = open_vacancy(session, employer, north, positions=2, title=f"Forklift driver {name}")
    draft = open_vacancy(session, employer, north, title=f"Draft {name}")
    draft.state = VacancyState.DRAFT
    draft.published_at = None
    draft.moderation_note = f"note for {name}"
    session.commit()
    worker = active_worker(
        session, north, name=f"Worker{name}", provider_id=provider.organisation_id
    )
    return Side(
        employer,
        provider,
        vacancy,
        draft,
        worker,
        token_for(session, employer),
        token_for(session, provider),
    )


@pytest.fixture
def market(session: Session, make: Factory, stored_taxonomy: Any) -> Market:
    """Each side's worker is proposed for that side's vacancy (a round of matching)."""
    north = region(session, "North")
    mine = _side(session, make, north, "Mine")
    theirs = _side(session, make, north, "Theirs")
    # each worker is matched to both open vacancies; make the round propose within each side
    theirs.vacancy.region_id = region(session, "South").id
    theirs.worker.region_id = theirs.vacancy.region_id
    session.commit()
    matching.run_matching(session, None)
    admin = make.user(Role.ADMIN)
    return Market(north, mine, theirs, admin, token_for(session, admin))
