"""Vacancies through the API: an employer's own in every state, all for an admin, the open ones
for labour providers; one vacancy; a draft made for an employer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.models import Concept, ConceptKind, OrganisationKind, Vacancy, VacancyState
from tests.conftest import Factory
from tests.web.api.conftest import ApiClient, Market, error_of

VACANCIES = "/api/v1/vacancies"


def _ids(body: dict[str, Any]) -> set[int]:
    return {item["id"] for item in body["items"]}


def _draft(market: Market, **extra: Any) -> dict[str, Any]:
    start = date.today() + timedelta(days=10)
    return {
        "title": "Night shift picker",
        "positions": 3,
        "region_id": market.north.id,
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=30)).isoformat(),
        "pay_amount": 14.5,
        "pay_currency": "eur",
        "pay_period": "hour",
        "skills": [{"words": "pick orders fast"}, {"words": "scanner", "relation": "optional"}],
        "languages": [{"code": "en", "min_level": "A2"}],
        "no_fee_pledge": True,
        **extra,
    }


def test_an_employer_lists_its_own_vacancies_in_every_state(api: ApiClient, market: Market) -> None:
    body = api.get(VACANCIES, market.mine.employer_token).json

    assert _ids(body) == {market.mine.vacancy.id, market.mine.draft.id}


def test_a_provider_lists_the_open_vacancies_only(api: ApiClient, market: Market) -> None:
    body = api.get(VACANCIES, market.mine.provider_token).json

    assert _ids(body) == {market.mine.vacancy.id, market.theirs.vacancy.id}
    assert {item["state"] for item in body["items"]} == {"open"}


def test_an_admin_lists_every_vacancy(api: ApiClient, market: Market) -> None:
    body = api.get(VACANCIES, market.admin_token).json

    assert {
        market.mine.draft.id,
        market.theirs.draft.id,
        market.mine.vacancy.id,
    } <= _ids(body)


def test_an_employer_reads_its_draft_with_the_moderator_s_note(
    api: ApiClient, market: Market
) -> None:
    body = api.get(f"{VACANCIES}/{market.mine.draft.id}", market.mine.employer_token).json

    assert body["state"] == "draft" and body["moderation_note"] == "note for Mine"
    assert body["organisation"]["id"] == market.mine.employer.organisation_id
    assert body["region"] == {"id": market.north.id, "name": "North"}


def test_another_employer_s_draft_is_not_found(api: ApiClient, market: Market) -> None:
    response = api.get(f"{VACANCIES}/{market.theirs.draft.id}", market.mine.employer_token)

    assert error_of(response, 404)["code"] == "not_found"


def test_another_employer_s_open_vacancy_reads_as_the_public_page_without_the_note(
    api: ApiClient, market: Market
) -> None:
    body = api.get(f"{VACANCIES}/{market.theirs.vacancy.id}", market.mine.employer_token).json

    assert body["state"] == "open" and "moderation_note" not in body


def test_an_employer_makes_a_draft_through_the_vacancy_service(
    api: ApiClient, market: Market, session: Session
) -> None:
    response = api.post(VACANCIES, _draft(market), market.mine.employer_token)

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    assert response.headers["Location"] == f"{VACANCIES}/{body['id']}"
    stored = session.get(Vacancy, body["id"])
    assert stored is not None and stored.state is VacancyState.DRAFT
    assert stored.organisation_id == market.mine.employer.organisation_id
    assert body["pay"] == {"amount": "14.50", "currency": "EUR", "period": "hour"}
    assert [(s["relation"], s["words"]) for s in body["skills"]] == [
        ("essential", "pick orders fast"),
        ("optional", "scanner"),
    ]
    assert body["no_fee_pledge"] is True and body["moderation_note"] == ""


def test_a_draft_names_a_skill_of_the_taxonomy(
    api: ApiClient, market: Market, session: Session
) -> None:
    forklift = (
        session.query(Concept)
        .filter(Concept.kind == ConceptKind.SKILL, Concept.uri.endswith("/skill/forklift"))
        .one()
    )

    response = api.post(
        VACANCIES,
        _draft(market, skills=[{"words": "fork lift", "concept_id": forklift.id}]),
        market.mine.employer_token,
    )

    assert response.json["skills"][0]["concept_uri"] == forklift.uri


def test_an_admin_makes_a_draft_for_a_named_employer(
    api: ApiClient, market: Market, make: Factory
) -> None:
    employer_id = market.theirs.employer.organisation_id

    missing = api.post(VACANCIES, _draft(market), market.admin_token)
    provider = api.post(
        VACANCIES,
        _draft(market, organisation_id=make.organisation(OrganisationKind.PROVIDER).id),
        market.admin_token,
    )
    made = api.post(VACANCIES, _draft(market, organisation_id=employer_id), market.admin_token)

    assert list(error_of(missing, 422)["fields"]) == ["organisation_id"]
    assert list(error_of(provider, 422)["fields"]) == ["organisation_id"]
    assert made.status_code == 201 and made.json["organisation"]["id"] == employer_id


def test_an_employer_cannot_post_for_another_organisation(api: ApiClient, market: Market) -> None:
    other = market.theirs.employer.organisation_id

    response = api.post(
        VACANCIES, _draft(market, organisation_id=other), market.mine.employer_token
    )

    assert list(error_of(response, 422)["fields"]) == ["organisation_id"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"region_id": 999_999}, "region_id"),
        ({"positions": 0}, "positions"),
        ({"start_date": "31/12/2026"}, "start_date"),
        ({"pay_amount": 1e12}, "pay_amount"),
        ({"pay_currency": "ßßß"}, "pay_currency"),
        ({"title": "a\x00b"}, "title"),
        ({"hours_per_week": 100}, "hours_per_week"),
        ({"skills": [{"words": "x", "concept_id": 999_999}]}, "skills"),
        ({"end_date": "2020-01-01"}, "end_date"),
    ],
)
def test_a_draft_names_the_field_it_refuses(
    api: ApiClient, market: Market, change: dict[str, Any], field: str
) -> None:
    response = api.post(VACANCIES, _draft(market, **change), market.mine.employer_token)

    assert list(error_of(response, 422)["fields"]) == [field]


def test_providers_do_not_post_vacancies(api: ApiClient, market: Market) -> None:
    response = api.post(VACANCIES, _draft(market), market.mine.provider_token)

    assert error_of(response, 403)["code"] == "forbidden"
