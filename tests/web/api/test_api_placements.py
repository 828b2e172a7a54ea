"""Placements through the API: those one is a party to, one with its history, and its steps
through the same services as the pages; a step the state does not allow is 409."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import PlacementState
from tests.web.api.conftest import ApiClient, Market, error_of

PLACEMENTS = "/api/v1/placements"


def _step(api: ApiClient, placement_id: int, token: str, **body: Any):
    return api.post(f"{PLACEMENTS}/{placement_id}/transitions", body, token)


def _ids(body: dict[str, Any]) -> set[int]:
    return {item["id"] for item in body["items"]}


def test_each_party_lists_its_own_placements_and_an_admin_all(
    api: ApiClient, market: Market, session: Session
) -> None:
    mine = market.placement(session, market.mine.worker, market.mine.vacancy).id
    theirs = market.placement(session, market.theirs.worker, market.theirs.vacancy).id

    assert _ids(api.get(PLACEMENTS, market.mine.employer_token).json) == {mine}
    assert _ids(api.get(PLACEMENTS, market.mine.provider_token).json) == {mine}
    assert _ids(api.get(PLACEMENTS, market.theirs.employer_token).json) == {theirs}
    assert {mine, theirs} <= _ids(api.get(PLACEMENTS, market.admin_token).json)


def test_the_list_filters_by_state(api: ApiClient, market: Market) -> None:
    token = market.admin_token

    proposed = api.get(PLACEMENTS, token, query_string={"state": "proposed"}).json
    started = api.get(PLACEMENTS, token, query_string={"state": "started"}).json
    wrong = api.get(PLACEMENTS, token, query_string={"state": "lost"})

    assert proposed["total"] >= 2 and started["total"] == 0
    assert list(error_of(wrong, 422)["fields"]) == ["state"]


def test_a_placement_reads_with_its_history_naming_parties_only_by_kind(
    api: ApiClient, market: Market, session: Session
) -> None:
    placement = market.placement(session, market.mine.worker, market.mine.vacancy)

    body = api.get(f"{PLACEMENTS}/{placement.id}", market.mine.employer_token).json

    assert body["state"] == "proposed" and body["actions"] == ["offer", "decline"]
    assert body["worker"] == {"reference": f"portal-w{market.mine.worker.id}", "name": None}
    assert [(e["from_state"], e["to_state"], e["actor"]) for e in body["events"]] == [
        (None, "proposed", "system")
    ]
    assert "fee_asked" not in body


def test_someone_else_s_placement_is_not_found(
    api: ApiClient, market: Market, session: Session
) -> None:
    placement = market.placement(session, market.theirs.worker, market.theirs.vacancy)

    for token in (market.mine.employer_token, market.mine.provider_token):
        assert error_of(api.get(f"{PLACEMENTS}/{placement.id}", token), 404)
        assert error_of(_step(api, placement.id, token, action="decline"), 404)


def test_offer_and_accept_through_the_api_as_the_pages_do(
    api: ApiClient, market: Market, session: Session
) -> None:
    placement = market.placement(session, market.mine.worker, market.mine.vacancy)

    offered = _step(api, placement.id, market.mine.employer_token, action="offer")
    unanswered = _step(api, placement.id, market.mine.provider_token, action="accept")
    accepted = _step(
        api, placement.id, market.mine.provider_token, action="accept", fee_asked=False
    )

    assert offered.status_code == 200 and offered.json["state"] == "offered"
    assert offered.json["offer_expires_at"] is not None
    assert list(error_of(unanswered, 422)["fields"]) == ["fee_asked"]
    assert accepted.status_code == 200, accepted.get_data(as_text=True)
    assert accepted.json["state"] == "accepted"
    seen_by_employer = api.get(f"{PLACEMENTS}/{placement.id}", market.mine.employer_token).json
    assert seen_by_employer["worker"]["name"] == "WorkerMine Tester"  # named once accepted
    assert [e["actor"] for e in seen_by_employer["events"]] == ["system", "employer", "provider"]
    session.refresh(market.mine.vacancy)
    assert market.mine.vacancy.positions_taken == 1


def test_a_step_the_state_does_not_allow_is_a_conflict(
    api: ApiClient, market: Market, session: Session
) -> None:
    placement = market.placement(session, market.mine.worker, market.mine.vacancy)

    response = _step(api, placement.id, market.mine.employer_token, action="start")

    error = error_of(response, 409)
    assert error["code"] == "invalid_transition"
    assert "it cannot be started" in error["message"]
    session.refresh(placement)
    assert placement.state is PlacementState.PROPOSED


def test_a_step_only_the_other_party_may_take_is_forbidden(
    api: ApiClient, market: Market, session: Session
) -> None:
    placement = market.placement(session, market.mine.worker, market.mine.vacancy)

    response = _step(api, placement.id, market.mine.provider_token, action="offer")

    assert error_of(response, 403)["code"] == "forbidden"


def test_a_decline_keeps_its_reason(api: ApiClient, market: Market, session: Session) -> None:
    placement = market.placement(session, market.mine.worker, market.mine.vacancy)

    body = _step(
        api, placement.id, market.mine.employer_token, action="decline", reason="Shift changed"
    ).json

    assert body["state"] == "declined" and body["events"][-1]["reason"] == "Shift changed"
    assert body["actions"] == []


def test_a_step_names_what_is_wrong_with_it(
    api: ApiClient, market: Market, session: Session
) -> None:
    placement = market.placement(session, market.mine.worker, market.mine.vacancy)

    response = _step(
        api, placement.id, market.mine.employer_token, action="hire", reason=7, tip=True
    )

    assert set(error_of(response, 422)["fields"]) == {"action", "reason", "tip"}


def test_an_admin_sees_the_fee_answer(api: ApiClient, market: Market, session: Session) -> None:
    placement = market.placement(session, market.mine.worker, market.mine.vacancy)
    _step(api, placement.id, market.mine.employer_token, action="offer")
    _step(
        api,
        placement.id,
        market.mine.provider_token,
        action="accept",
        fee_asked=True,
        fee_details="100 EUR for a visa",
    )

    body = api.get(f"{PLACEMENTS}/{placement.id}", market.admin_token).json

    assert (body["fee_asked"], body["fee_details"]) == (True, "100 EUR for a visa")
    assert "@" in body["events"][-1]["actor"]  # admins see who acted
