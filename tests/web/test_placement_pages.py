"""The pages of matching and placements: a worker's matches and offers, an employer's ranked
candidates, the admins' board and matching page, and notifications."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    MatchingSettings,
    Notification,
    Placement,
    PlacementEvent,
    PlacementState,
    Role,
    User,
    Vacancy,
    VacancyState,
    Worker,
)
from portal.services import matching
from tests.conftest import Factory, WebClient
from tests.market import FORKLIFT, active_worker, open_vacancy, region

pytestmark = pytest.mark.usefixtures("stored_taxonomy")


@dataclass
class Market:
    employer: User
    worker_user: User
    provider: User
    admin: User
    vacancy: Vacancy
    worker: Worker  # has a login
    managed: Worker  # registered by the provider, no login
    partial: Worker  # covers one of the two essential skills


@pytest.fixture
def market(session: Session, make: Factory) -> Market:
    north = region(session, "North")
    employer = make.user(Role.EMPLOYER)
    worker_user = make.user(Role.WORKER)
    provider = make.user(Role.PROVIDER)
    vacancy = open_vacancy(session, employer, north, positions=2, title="Forklift driver")
    worker = active_worker(session, north, user=worker_user, name="Olena")
    managed = active_worker(
        session, north, name="Ion", provider_id=provider.organisation_id, external_id="P-7"
    )
    partial = active_worker(session, north, name="Half", skills=(FORKLIFT,))
    matching.run_matching(session, None)
    return Market(
        employer,
        worker_user,
        provider,
        make.user(Role.ADMIN),
        vacancy,
        worker,
        managed,
        partial,
    )


def _text(response) -> str:
    return response.get_data(as_text=True)


def _placement(session: Session, worker: Worker, vacancy: Vacancy) -> Placement:
    session.expire_all()
    found = session.scalar(
        select(Placement)
        .where(Placement.worker_id == worker.id, Placement.vacancy_id == vacancy.id)
        .order_by(Placement.id.desc())
    )
    assert found is not None
    return found


def _offer(client: WebClient, market: Market, worker: Worker) -> None:
    page = f"/employer/vacancies/{market.vacancy.id}/candidates"
    response = client.post(f"{page}/{worker.id}/offer", page=page)
    assert response.status_code == 302, _text(response)


# --- the worker -----------------------------------------------------------------------------------


def test_a_worker_sees_their_matches_explained_in_plain_words(
    client: WebClient, market: Market
) -> None:
    client.login(market.worker_user.email)
    page = _text(client.get("/worker/matches"))
    assert "Forklift driver" in page
    assert "2 of 2 essential skills covered" in page
    assert "you have it" in page
    assert "Dates: available while the job runs." in page


def test_a_partial_match_names_the_missing_skill(
    client: WebClient, session: Session, market: Market, make: Factory
) -> None:
    user = make.user(Role.WORKER)
    market.partial.user_id = user.id
    session.commit()
    client.login(user.email)
    page = _text(client.get("/worker/matches"))
    assert "1 of 2 essential skill covered" in page
    assert "Not in your profile:" in page and "safety" in page


def test_a_worker_without_a_profile_is_sent_to_start_one(client: WebClient, make: Factory) -> None:
    client.login(make.user(Role.WORKER).email)
    response = client.get("/worker/matches")
    assert response.status_code == 302 and response.headers["Location"] == "/worker/profile"


def test_another_worker_s_matches_are_not_found(
    client: WebClient, market: Market, make: Factory
) -> None:
    client.login(make.user(Role.WORKER).email)
    assert client.get(f"/workers/{market.worker.id}/matches").status_code == 404


# --- the employer -------------------------------------------------------------------------------


def test_candidates_are_ranked_by_reference_without_name_sex_age_or_origin(
    client: WebClient, market: Market
) -> None:
    client.login(market.employer.email)
    page = _text(client.get(f"/employer/vacancies/{market.vacancy.id}/candidates"))
    assert f"Candidate portal-w{market.worker.id}" in page
    assert "Candidate P-7" in page
    full, partial = (
        page.index(f"portal-w{market.worker.id}"),
        page.index(f"portal-w{market.partial.id}"),
    )
    assert full < partial  # both skills before one
    for hidden in ("Olena", "Ion", "Tester", "female", "1990", "Ukraine"):
        assert hidden not in page


def test_another_employer_cannot_see_the_candidates(
    client: WebClient, market: Market, make: Factory
) -> None:
    client.login(make.user(Role.EMPLOYER).email)
    assert client.get(f"/employer/vacancies/{market.vacancy.id}/candidates").status_code == 404


def test_an_offer_accepted_with_the_fee_answer_takes_a_position(
    client: WebClient, session: Session, market: Market
) -> None:
    client.login(market.employer.email)
    _offer(client, market, market.worker)
    assert _placement(session, market.worker, market.vacancy).state is PlacementState.OFFERED
    client.logout()

    client.login(market.worker_user.email)
    placement = _placement(session, market.worker, market.vacancy)
    accept = f"/placements/{placement.id}/accept"
    assert "Were you asked to pay anything to get this job?" in _text(client.get(accept))
    unanswered = client.post(accept, {})
    assert unanswered.status_code == 400
    assert "Answer the question: yes or no." in _text(unanswered)
    answered = client.post(accept, {"fee_asked": "no"})
    assert answered.status_code == 302

    placement = _placement(session, market.worker, market.vacancy)
    assert placement.state is PlacementState.ACCEPTED and placement.fee_asked is False
    vacancy = session.get_one(Vacancy, market.vacancy.id)
    assert vacancy.positions_taken == 1 and vacancy.positions_left == 1


def test_a_fee_reported_at_acceptance_alerts_the_admins(
    client: WebClient, session: Session, market: Market
) -> None:
    client.login(market.employer.email)
    _offer(client, market, market.worker)
    client.logout()
    client.login(market.worker_user.email)
    placement = _placement(session, market.worker, market.vacancy)
    client.post(
        f"/placements/{placement.id}/accept",
        {"fee_asked": "yes", "fee_details": "An agent asked for 300 euros"},
    )
    alerts = session.scalars(
        select(Notification).where(
            Notification.user_id == market.admin.id, Notification.kind == "fee-reported"
        )
    ).all()
    assert len(alerts) == 1
    client.logout()
    client.login(market.admin.email)
    page = _text(client.get(f"/admin/placements/{placement.id}"))
    assert "The worker reported being asked to pay" in page
    assert "An agent asked for 300 euros" in page


def test_a_provider_answers_an_offer_for_the_worker_it_registered(
    client: WebClient, session: Session, market: Market
) -> None:
    client.login(market.employer.email)
    _offer(client, market, market.managed)
    client.logout()
    client.login(market.provider.email)
    page = _text(client.get(f"/workers/{market.managed.id}/matches"))
    assert "Answer this offer" in page
    placement = _placement(session, market.managed, market.vacancy)
    response = client.post(f"/placements/{placement.id}/accept", {"fee_asked": "no"})
    assert response.status_code == 302
    assert _placement(session, market.managed, market.vacancy).state is PlacementState.ACCEPTED


def test_the_last_position_taken_fills_the_vacancy(
    client: WebClient, session: Session, market: Market
) -> None:
    client.login(market.employer.email)
    _offer(client, market, market.worker)
    _offer(client, market, market.managed)
    client.logout()
    for user, worker in ((market.worker_user, market.worker), (market.provider, market.managed)):
        client.login(user.email)
        placement = _placement(session, worker, market.vacancy)
        client.post(f"/placements/{placement.id}/accept", {"fee_asked": "no"})
        client.logout()
    session.expire_all()
    vacancy = session.get_one(Vacancy, market.vacancy.id)
    assert vacancy.state is VacancyState.FILLED and vacancy.positions_taken == 2
    client.login(market.employer.email)
    page = _text(client.get(f"/employer/vacancies/{vacancy.id}/candidates"))
    assert "0 positions left" in page and "all positions are filled" in page
    assert "Olena Tester" in page  # the name shows once the worker accepted


def test_an_offer_beyond_the_positions_is_refused_with_a_message(
    client: WebClient, session: Session, market: Market
) -> None:
    client.login(market.employer.email)
    _offer(client, market, market.worker)
    _offer(client, market, market.managed)
    page = f"/employer/vacancies/{market.vacancy.id}/candidates"
    response = client.post(f"{page}/{market.partial.id}/offer", page=page, follow_redirects=True)
    assert "All 2 positions are taken or offered." in _text(response)


def test_the_employer_records_the_start_and_the_end_of_the_job(
    client: WebClient, session: Session, market: Market
) -> None:
    client.login(market.employer.email)
    _offer(client, market, market.worker)
    client.logout()
    client.login(market.worker_user.email)
    placement = _placement(session, market.worker, market.vacancy)
    client.post(f"/placements/{placement.id}/accept", {"fee_asked": "no"})
    client.logout()
    client.login(market.employer.email)
    page = f"/employer/vacancies/{market.vacancy.id}/candidates"
    client.post(f"/placements/{placement.id}/start", page=page)
    assert _placement(session, market.worker, market.vacancy).state is PlacementState.STARTED
    client.post(f"/placements/{placement.id}/finish", page=page)
    assert _placement(session, market.worker, market.vacancy).state is PlacementState.FINISHED


def test_a_step_the_state_does_not_allow_says_why(
    client: WebClient, session: Session, market: Market
) -> None:
    client.login(market.employer.email)
    _offer(client, market, market.worker)
    placement = _placement(session, market.worker, market.vacancy)
    page = f"/employer/vacancies/{market.vacancy.id}/candidates"
    response = client.post(f"/placements/{placement.id}/start", page=page, follow_redirects=True)
    assert "it cannot be started" in _text(response)
    assert _placement(session, market.worker, market.vacancy).state is PlacementState.OFFERED


# --- the admins ---------------------------------------------------------------------------------


def test_the_board_lists_placements_by_state(
    client: WebClient, session: Session, market: Market
) -> None:
    client.login(market.admin.email)
    proposed = session.scalars(
        select(Placement).where(Placement.state == PlacementState.PROPOSED)
    ).all()
    assert len(proposed) == 2
    page = _text(client.get("/admin/placements?state=proposed"))
    assert page.count(f'href="/admin/placements/{proposed[0].id}"') == 1
    assert re.search(r"Proposed</span>\s*\(2\)", page)
    assert "No placement in this state." in _text(client.get("/admin/placements?state=started"))


def test_an_admin_replaces_a_proposal_and_the_original_stays_in_the_history(
    client: WebClient, session: Session, market: Market
) -> None:
    client.login(market.admin.email)
    proposal = session.scalars(
        select(Placement).where(Placement.state == PlacementState.PROPOSED)
    ).first()
    assert proposal is not None
    url = f"/admin/placements/{proposal.id}"
    missing_reason = client.post(url, {"new_worker_id": str(market.partial.id), "reason": ""})
    assert missing_reason.status_code == 400
    assert "Say why: the reason is kept with the change." in _text(missing_reason)

    response = client.post(
        url, {"new_worker_id": str(market.partial.id), "reason": "knows the site"}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get_one(Placement, proposal.id).state is PlacementState.WITHDRAWN
    events = session.scalars(
        select(PlacementEvent).where(PlacementEvent.placement_id == proposal.id)
    ).all()
    assert events[-1].reason == "knows the site"
    assert _placement(session, market.partial, market.vacancy).state is PlacementState.PROPOSED


def test_the_matching_settings_check_each_field(
    client: WebClient, session: Session, market: Market
) -> None:
    client.login(market.admin.email)
    values = {
        "min_essential_coverage": "1.5",
        "min_score": "40",
        "candidates_per_vacancy": "50",
        "matches_per_worker": "20",
        "offer_hold_hours": "72",
        "proposal_days": "14",
    }
    refused = client.post("/admin/matching", values)
    assert refused.status_code == 400
    assert "Enter a number from 0 to 1." in _text(refused)
    assert 'value="1.5"' in _text(refused)
    saved = client.post("/admin/matching", {**values, "min_essential_coverage": "0.8"})
    assert saved.status_code == 302
    session.expire_all()
    assert session.get_one(MatchingSettings, 1).min_essential_coverage == 0.8


def test_the_run_button_runs_matching_and_lists_the_run(
    client: WebClient, session: Session, market: Market
) -> None:
    client.login(market.admin.email)
    response = client.post("/admin/matching/run", page="/admin/matching", follow_redirects=True)
    page = _text(response)
    assert "Matching is done" in page
    assert "finished" in page


# --- notifications ------------------------------------------------------------------------------


def test_an_offer_reaches_the_worker_as_a_notification(
    client: WebClient, session: Session, market: Market
) -> None:
    client.login(market.employer.email)
    _offer(client, market, market.worker)
    client.logout()
    client.login(market.worker_user.email)
    assert "(1 new)" in _text(client.get("/"))
    page = _text(client.get("/notifications/"))
    assert "offered you a job: Forklift driver" in page
    notice = session.scalar(
        select(Notification).where(Notification.user_id == market.worker_user.id)
    )
    assert notice is not None
    opened = client.post(f"/notifications/{notice.id}/read", {"open": "1"}, page="/notifications/")
    assert opened.headers["Location"] == "/worker/matches"
    assert "(1 new)" not in _text(client.get("/"))


def test_someone_else_s_notification_cannot_be_marked(
    client: WebClient, session: Session, market: Market, make: Factory
) -> None:
    client.login(market.employer.email)
    _offer(client, market, market.worker)
    client.logout()
    notice = session.scalar(
        select(Notification).where(Notification.user_id == market.worker_user.id)
    )
    assert notice is not None
    client.login(make.user(Role.WORKER).email)
    response = client.post(f"/notifications/{notice.id}/read", page="/notifications/")
    assert response.status_code == 404
