"""Matches through the API: a worker's, explained, for their provider and admins; a vacancy's
ranked candidates for its employer and admins, by reference, never by name, sex, age or origin."""

from __future__ import annotations

import json

from tests.web.api.conftest import ApiClient, Market, error_of


def _matches(market: Market) -> str:
    return f"/api/v1/workers/{market.mine.worker.id}/matches"


def _candidates(market: Market) -> str:
    return f"/api/v1/vacancies/{market.mine.vacancy.id}/candidates"


def test_a_provider_reads_its_worker_s_matches_explained(api: ApiClient, market: Market) -> None:
    body = api.get(_matches(market), market.mine.provider_token).json

    best = body["items"][0]
    assert best["vacancy"]["id"] == market.mine.vacancy.id
    assert best["eligible"] is True and best["essential_coverage"] == 1.0
    explanation = best["explanation"]
    assert {match["link"] for match in explanation["essential_matched"]} == {"exact"}
    assert explanation["essential_missing"] == []
    assert {gate["gate"] for gate in explanation["gates"]} == {"availability", "place"}
    assert best["placement"]["state"] == "proposed"


def test_an_admin_reads_any_worker_s_matches(api: ApiClient, market: Market) -> None:
    assert api.get(_matches(market), market.admin_token).status_code == 200


def test_another_provider_s_worker_has_no_matches_to_see(api: ApiClient, market: Market) -> None:
    response = api.get(_matches(market), market.theirs.provider_token)

    assert error_of(response, 404)["code"] == "not_found"


def test_employers_reach_workers_only_as_candidates(api: ApiClient, market: Market) -> None:
    assert error_of(api.get(_matches(market), market.mine.employer_token), 403)


def test_an_employer_sees_its_candidates_by_reference_only(api: ApiClient, market: Market) -> None:
    response = api.get(_candidates(market), market.mine.employer_token)

    body = response.json
    assert body["total"] == 1
    candidate = body["items"][0]
    assert candidate["rank"] == 1 and candidate["reference"] == f"portal-w{market.mine.worker.id}"
    assert candidate["placement"]["state"] == "proposed"
    text = json.dumps(body)
    worker = market.mine.worker
    for personal in (worker.given_name, worker.family_name, worker.phone, "1990", '"UA"'):
        assert personal not in text
    assert not {"sex", "birth_year", "country_of_origin", "name", "worker_id"} & set(candidate)


def test_an_admin_sees_any_vacancy_s_candidates(api: ApiClient, market: Market) -> None:
    assert api.get(_candidates(market), market.admin_token).json["total"] == 1


def test_another_employer_s_candidates_are_not_found(api: ApiClient, market: Market) -> None:
    response = api.get(_candidates(market), market.theirs.employer_token)

    assert error_of(response, 404)["code"] == "not_found"


def test_providers_do_not_see_candidates(api: ApiClient, market: Market) -> None:
    assert error_of(api.get(_candidates(market), market.mine.provider_token), 403)
