"""Placements: every step by the right people only, the events, the positions of a vacancy,
the fee question, offers that run out, proposals and overrides, and the pages' read models."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationProblem
from portal.models import (
    AuditAction,
    AuditEvent,
    Match,
    MatchingSettings,
    Notification,
    OutboxMessage,
    Placement,
    PlacementEvent,
    PlacementState,
    ProfileStatus,
    Region,
    Role,
    User,
    Vacancy,
    VacancyState,
    Worker,
)
from portal.models.base import utcnow
from portal.services import audit, matching_settings, placements, regions
from portal.services._tx import transaction
from tests.conftest import Factory

P = PlacementState
NEXT_MONTH = date.today() + timedelta(days=30)


# --- arranging ----------------------------------------------------------------------------------


def _save(session: Session, *rows: object) -> None:
    session.add_all(rows)
    session.commit()


def _worker(
    session: Session,
    given_name: str,
    *,
    user: User | None = None,
    provider: User | None = None,
    status: ProfileStatus = ProfileStatus.ACTIVE,
) -> Worker:
    worker = Worker(
        given_name=given_name,
        family_name="Test",
        user_id=user.id if user is not None else None,
        provider_id=provider.organisation_id if provider is not None else None,
        status=status,
    )
    _save(session, worker)
    return worker


def _vacancy(
    session: Session, employer: User, region: Region, *, positions: int = 2, title: str = "Pickers"
) -> Vacancy:
    vacancy = Vacancy(
        organisation_id=employer.organisation_id,
        state=VacancyState.OPEN,
        title=title,
        positions=positions,
        region_id=region.id,
        start_date=NEXT_MONTH,
        no_fee_pledge=True,
    )
    _save(session, vacancy)
    return vacancy


def _candidate(session: Session, vacancy: Vacancy, worker: Worker, score: float = 80.0) -> None:
    _save(
        session,
        Match(
            worker_id=worker.id,
            vacancy_id=vacancy.id,
            score=score,
            essential_coverage=1.0,
            eligible=True,
            explanation={},
        ),
    )


def _offered_row(session: Session, vacancy: Vacancy, worker: Worker) -> Placement:
    """An offer made without the service (and so past its cap)."""
    placement = Placement(
        worker_id=worker.id,
        vacancy_id=vacancy.id,
        state=P.OFFERED,
        offer_expires_at=utcnow() + timedelta(hours=1),
    )
    _save(session, placement)
    return placement


def _propose(session: Session, vacancy: Vacancy, *workers: Worker) -> list[Placement]:
    with transaction(session):
        placements.create_proposals(session, None, [(w.id, vacancy.id, 70.0) for w in workers])
    return [
        session.scalars(
            select(Placement).where(
                Placement.worker_id == worker.id, Placement.vacancy_id == vacancy.id
            )
        ).one()
        for worker in workers
    ]


@dataclass
class World:
    region: Region
    employer: User  # of the vacancy's organisation
    admin: User
    worker_user: User  # the worker's own login
    provider: User  # the labour provider that registered the worker
    worker: Worker
    vacancy: Vacancy
    other_employer: User
    other_worker: User
    other_provider: User

    def actor(self, name: str) -> User:
        return getattr(self, name)  # type: ignore[no-any-return]


@pytest.fixture
def world(session: Session, make: Factory) -> World:
    region = regions.add_regions(session, ["North"])[0]
    employer = make.user(Role.EMPLOYER)
    provider = make.user(Role.PROVIDER)
    worker_user = make.user(Role.WORKER)
    worker = _worker(session, "Ana", user=worker_user, provider=provider)
    vacancy = _vacancy(session, employer, region, title="Night shift pickers")
    _candidate(session, vacancy, worker)
    other_worker_user = make.user(Role.WORKER)
    _worker(session, "Other", user=other_worker_user)
    return World(
        region=region,
        employer=employer,
        admin=make.user(Role.ADMIN),
        worker_user=worker_user,
        provider=provider,
        worker=worker,
        vacancy=vacancy,
        other_employer=make.user(Role.EMPLOYER),
        other_worker=other_worker_user,
        other_provider=make.user(Role.PROVIDER),
    )


def _reach(session: Session, w: World, state: PlacementState) -> Placement:
    """The world's worker's placement on the world's vacancy, brought to `state` as people do."""
    if state is P.PROPOSED:
        return _propose(session, w.vacancy, w.worker)[0]
    offered = placements.offer(session, w.employer, w.vacancy.id, w.worker.id)
    if state is P.OFFERED:
        return offered
    if state is P.DECLINED:
        return placements.decline(session, w.worker_user, offered.id)
    if state is P.WITHDRAWN:
        return placements.withdraw(session, w.employer, offered.id)
    if state is P.EXPIRED:
        placements.expire_due_offers(session, now=utcnow() + timedelta(days=60))
        return session.get_one(Placement, offered.id)
    accepted = placements.accept(session, w.worker_user, offered.id, fee_asked=False)
    if state is P.STARTED:
        return placements.start(session, w.employer, accepted.id)
    if state is P.FINISHED:
        started = placements.start(session, w.employer, accepted.id)
        return placements.finish(session, w.worker_user, started.id)
    if state is P.NO_SHOW:
        return placements.no_show(session, w.employer, accepted.id)
    return accepted


ACTIONS: dict[str, Callable[[Session, User, Placement, World], Placement]] = {
    "offer": lambda s, user, p, w: placements.offer(s, user, w.vacancy.id, w.worker.id),
    "accept": lambda s, user, p, w: placements.accept(s, user, p.id, fee_asked=False),
    "start": lambda s, user, p, w: placements.start(s, user, p.id),
    "decline": lambda s, user, p, w: placements.decline(s, user, p.id, "not this time"),
    "withdraw": lambda s, user, p, w: placements.withdraw(s, user, p.id, "plans changed"),
    "no_show": lambda s, user, p, w: placements.no_show(s, user, p.id, "did not come"),
    "finish": lambda s, user, p, w: placements.finish(s, user, p.id),
}
RESULT = {
    "offer": P.OFFERED,
    "accept": P.ACCEPTED,
    "start": P.STARTED,
    "decline": P.DECLINED,
    "withdraw": P.WITHDRAWN,
    "no_show": P.NO_SHOW,
    "finish": P.FINISHED,
}
REASON = {"decline": "not this time", "withdraw": "plans changed", "no_show": "did not come"}

# The workflow as the portal's users know it, written out here independently of the service.
ALLOWED = {
    (P.PROPOSED, "offer"): {"employer", "admin"},
    (P.PROPOSED, "decline"): {"employer", "admin"},
    (P.PROPOSED, "withdraw"): {"admin"},
    (P.OFFERED, "accept"): {"worker_user", "provider", "admin"},
    (P.OFFERED, "decline"): {"worker_user", "provider", "admin"},
    (P.OFFERED, "withdraw"): {"employer", "admin"},
    (P.ACCEPTED, "start"): {"employer", "admin"},
    (P.STARTED, "finish"): {"worker_user", "provider", "employer", "admin"},
    (P.ACCEPTED, "withdraw"): {"worker_user", "provider", "employer", "admin"},
    (P.ACCEPTED, "no_show"): {"employer", "admin"},
}
PARTIES = ("employer", "worker_user", "provider", "admin")
STRANGERS = ("other_employer", "other_worker", "other_provider")


# --- the workflow, step by step -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "action", "actor"),
    [
        (state, action, actor)
        for (state, action), allowed in ALLOWED.items()
        for actor in sorted(allowed)
    ],
)
def test_each_step_is_taken_by_those_who_may_take_it(
    session: Session, world: World, state: PlacementState, action: str, actor: str
) -> None:
    placement = _reach(session, world, state)
    user = world.actor(actor)

    moved = ACTIONS[action](session, user, placement, world)

    assert moved.id == placement.id
    assert moved.state is RESULT[action]
    event = session.scalars(
        select(PlacementEvent)
        .where(PlacementEvent.placement_id == placement.id)
        .order_by(PlacementEvent.id.desc())
    ).first()
    assert event is not None
    assert (event.from_state, event.to_state) == (state, RESULT[action])
    assert (event.actor_id, event.actor_label) == (user.id, audit.actor_label(user))
    assert event.reason == REASON.get(action, "")


@pytest.mark.parametrize(
    ("state", "action", "actor"),
    [
        (state, action, actor)
        for (state, action), allowed in ALLOWED.items()
        for actor in PARTIES + STRANGERS
        if actor not in allowed
    ],
)
def test_each_step_is_refused_to_everyone_else(
    session: Session, world: World, state: PlacementState, action: str, actor: str
) -> None:
    placement = _reach(session, world, state)
    # strangers are not told the placement exists; an offer is made from the employer's vacancy
    expected = NotFound if actor in STRANGERS or action == "offer" else Forbidden

    with pytest.raises(expected):
        ACTIONS[action](session, world.actor(actor), placement, world)

    session.refresh(placement)
    assert placement.state is state


ILLEGAL = [
    (state, action)
    for state in PlacementState
    for action in ACTIONS
    if (state, action) not in ALLOWED
    # an offer after a placement ended is a new placement, not a step of the old one
    and not (action == "offer" and state not in (P.OFFERED, P.ACCEPTED, P.STARTED))
]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_a_step_the_state_does_not_allow_is_refused_naming_the_state(
    session: Session, world: World, state: PlacementState, action: str
) -> None:
    placement = _reach(session, world, state)

    with pytest.raises(InvalidTransition) as refused:
        ACTIONS[action](session, world.admin, placement, world)  # an admin may act for anyone

    assert state.value in refused.value.message
    session.refresh(placement)
    assert placement.state is state


def test_an_accepted_placement_cannot_be_offered_again(session: Session, world: World) -> None:
    _reach(session, world, P.ACCEPTED)

    with pytest.raises(InvalidTransition) as refused:
        placements.offer(session, world.employer, world.vacancy.id, world.worker.id)

    assert refused.value.message == "This placement is already accepted; it cannot be offered."


def test_the_transition_table_covers_every_state_and_ends_at_the_final_ones() -> None:
    assert set(placements.TRANSITIONS) == set(PlacementState)
    for final in (P.FINISHED, P.DECLINED, P.WITHDRAWN, P.EXPIRED, P.NO_SHOW):
        assert placements.TRANSITIONS[final] == {}


# --- offers -------------------------------------------------------------------------------------


def test_an_offer_turns_the_proposal_into_an_offer(session: Session, world: World) -> None:
    proposal = _reach(session, world, P.PROPOSED)

    offered = placements.offer(session, world.employer, world.vacancy.id, world.worker.id)

    assert offered.id == proposal.id
    events = placements.placement_events(session, world.admin, offered.id)
    states = [(event.from_state, event.to_state) for event in events]
    assert states == [(None, P.PROPOSED), (P.PROPOSED, P.OFFERED)]


def test_an_offer_without_a_proposal_starts_a_placement_with_its_event(
    session: Session, world: World
) -> None:
    offered = placements.offer(session, world.employer, world.vacancy.id, world.worker.id)

    assert offered.score == 80.0  # the match's score
    events = placements.placement_events(session, world.employer, offered.id)
    assert [(e.from_state, e.to_state, e.actor_id) for e in events] == [
        (None, P.OFFERED, world.employer.id)
    ]


def test_an_offer_holds_for_the_hours_in_the_settings(session: Session, world: World) -> None:
    matching_settings.update_settings(session, world.admin, offer_hold_hours=48)
    before = utcnow()

    offered = placements.offer(session, world.employer, world.vacancy.id, world.worker.id)

    assert offered.offer_expires_at is not None
    hold = offered.offer_expires_at - before
    assert timedelta(hours=48) <= hold < timedelta(hours=48, minutes=1)


def test_only_candidates_of_the_vacancy_can_be_offered(
    session: Session, world: World, make: Factory
) -> None:
    stranger = _worker(session, "Not matched", user=make.user(Role.WORKER))

    with pytest.raises(NotFound):
        placements.offer(session, world.employer, world.vacancy.id, stranger.id)


def test_a_closed_vacancy_takes_no_offers(session: Session, world: World) -> None:
    world.vacancy.state = VacancyState.CLOSED
    session.commit()

    with pytest.raises(Conflict, match="not open"):
        placements.offer(session, world.employer, world.vacancy.id, world.worker.id)


def test_a_worker_who_withdrew_consent_cannot_be_offered(session: Session, world: World) -> None:
    world.worker.status = ProfileStatus.CONSENT_WITHDRAWN
    session.commit()

    with pytest.raises(Conflict, match="no longer available"):
        placements.offer(session, world.employer, world.vacancy.id, world.worker.id)


def test_a_worker_with_a_job_cannot_be_offered_another(session: Session, world: World) -> None:
    _reach(session, world, P.ACCEPTED)
    second = _vacancy(session, world.employer, world.region, title="Second job")
    _candidate(session, second, world.worker)

    with pytest.raises(Conflict, match="already accepted a job"):
        placements.offer(session, world.employer, second.id, world.worker.id)


def test_offers_are_capped_at_the_positions_left(session: Session, world: World) -> None:
    others = [_worker(session, name) for name in ("Bo", "Cy")]
    for other in others:
        _candidate(session, world.vacancy, other)
    placements.offer(session, world.employer, world.vacancy.id, world.worker.id)
    placements.offer(session, world.employer, world.vacancy.id, others[0].id)

    with pytest.raises(Conflict) as refused:
        placements.offer(session, world.employer, world.vacancy.id, others[1].id)

    assert refused.value.message == "All 2 positions are taken or offered."
    assert session.scalar(select(Placement).where(Placement.worker_id == others[1].id)) is None


def test_a_declined_offer_frees_its_place_under_the_cap(session: Session, world: World) -> None:
    world.vacancy.positions = 1
    session.commit()
    other = _worker(session, "Bo")
    _candidate(session, world.vacancy, other)
    first = placements.offer(session, world.employer, world.vacancy.id, world.worker.id)
    with pytest.raises(Conflict, match=r"^The only position is taken or offered\.$"):
        placements.offer(session, world.employer, world.vacancy.id, other.id)

    placements.decline(session, world.worker_user, first.id)

    assert placements.offer(session, world.employer, world.vacancy.id, other.id).state is P.OFFERED


# --- accepting: the fee question ----------------------------------------------------------------


def test_the_fee_question_must_be_answered(session: Session, world: World) -> None:
    offered = _reach(session, world, P.OFFERED)

    with pytest.raises(ValidationProblem) as refused:
        placements.accept(session, world.worker_user, offered.id, fee_asked=None)

    assert refused.value.field == "fee_asked"
    session.refresh(offered)
    assert offered.state is P.OFFERED


def test_fee_details_are_at_most_1000_characters(session: Session, world: World) -> None:
    offered = _reach(session, world, P.OFFERED)

    with pytest.raises(ValidationProblem) as refused:
        placements.accept(
            session, world.worker_user, offered.id, fee_asked=True, fee_details="x" * 1001
        )

    assert refused.value.field == "fee_details"


def test_a_fee_asked_is_reported_to_every_active_admin_and_audited(
    session: Session, world: World, make: Factory
) -> None:
    second_admin = make.user(Role.ADMIN)
    retired_admin = make.user(Role.ADMIN)
    retired_admin.is_active = False
    session.commit()
    offered = _reach(session, world, P.OFFERED)

    accepted = placements.accept(
        session, world.provider, offered.id, fee_asked=True, fee_details="  200 EUR for a visa "
    )

    assert (accepted.fee_asked, accepted.fee_details) == (True, "200 EUR for a visa")
    told = session.scalars(
        select(Notification.user_id).where(Notification.kind == "fee-reported")
    ).all()
    assert sorted(told) == sorted([world.admin.id, second_admin.id])
    note = session.scalars(select(Notification).where(Notification.kind == "fee-reported")).first()
    assert note is not None
    assert "Night shift pickers" in note.text and "200 EUR for a visa" in note.text
    assert note.link == f"/admin/placements/{offered.id}"
    assert session.scalar(
        select(AuditEvent).where(
            AuditEvent.subject_type == "placement",
            AuditEvent.subject_id == offered.id,
            AuditEvent.actor_id == world.provider.id,
            AuditEvent.detail == "fee reported",
        )
    )


def test_no_fee_asked_is_kept_and_tells_no_admin(session: Session, world: World) -> None:
    offered = _reach(session, world, P.OFFERED)

    accepted = placements.accept(session, world.worker_user, offered.id, fee_asked=False)

    assert accepted.fee_asked is False
    assert session.scalar(select(Notification).where(Notification.kind == "fee-reported")) is None


# --- accepting: positions -----------------------------------------------------------------------


def test_accepts_take_positions_and_the_last_one_fills_the_vacancy(
    session: Session, world: World, make: Factory
) -> None:
    other_user = make.user(Role.WORKER)
    other = _worker(session, "Bo", user=other_user)
    _candidate(session, world.vacancy, other)
    first = placements.offer(session, world.employer, world.vacancy.id, world.worker.id)
    second = placements.offer(session, world.employer, world.vacancy.id, other.id)

    placements.accept(session, world.worker_user, first.id, fee_asked=False)
    session.refresh(world.vacancy)
    assert (world.vacancy.positions_taken, world.vacancy.state) == (1, VacancyState.OPEN)

    placements.accept(session, other_user, second.id, fee_asked=False)
    session.refresh(world.vacancy)
    assert (world.vacancy.positions_taken, world.vacancy.state) == (2, VacancyState.FILLED)


@pytest.mark.parametrize(("actor", "step"), [("worker_user", "withdraw"), ("employer", "no_show")])
def test_a_withdrawal_or_no_show_gives_the_position_back_and_reopens_the_vacancy(
    session: Session, world: World, actor: str, step: str
) -> None:
    world.vacancy.positions = 1
    session.commit()
    accepted = _reach(session, world, P.ACCEPTED)
    session.refresh(world.vacancy)
    assert (world.vacancy.positions_taken, world.vacancy.state) == (1, VacancyState.FILLED)

    ACTIONS[step](session, world.actor(actor), accepted, world)

    session.refresh(world.vacancy)
    assert (world.vacancy.positions_taken, world.vacancy.state) == (0, VacancyState.OPEN)


def test_a_closed_vacancy_stays_closed_when_a_position_is_given_back(
    session: Session, world: World
) -> None:
    accepted = _reach(session, world, P.ACCEPTED)
    world.vacancy.state = VacancyState.CLOSED
    session.commit()

    placements.withdraw(session, world.employer, accepted.id)

    session.refresh(world.vacancy)
    assert (world.vacancy.positions_taken, world.vacancy.state) == (0, VacancyState.CLOSED)


def test_an_accept_with_no_position_left_changes_nothing(
    session: Session, world: World, make: Factory
) -> None:
    world.vacancy.positions = 1
    session.commit()
    other_user = make.user(Role.WORKER)
    other = _worker(session, "Bo", user=other_user)
    _reach(session, world, P.ACCEPTED)
    late = _offered_row(session, world.vacancy, other)  # over the cap: made without the service

    with pytest.raises(Conflict) as refused:
        placements.accept(session, other_user, late.id, fee_asked=False)

    assert refused.value.message == "No position is left on this vacancy."
    session.refresh(late)
    session.refresh(world.vacancy)
    assert late.state is P.OFFERED
    assert world.vacancy.positions_taken == 1


def test_an_offer_on_a_closed_vacancy_cannot_be_accepted(session: Session, world: World) -> None:
    offered = _reach(session, world, P.OFFERED)
    world.vacancy.state = VacancyState.CLOSED
    session.commit()

    with pytest.raises(Conflict, match="no longer open"):
        placements.accept(session, world.worker_user, offered.id, fee_asked=False)

    session.refresh(world.vacancy)
    assert world.vacancy.positions_taken == 0


def test_a_worker_cannot_hold_two_accepted_jobs(session: Session, world: World) -> None:
    _reach(session, world, P.ACCEPTED)
    second = _vacancy(session, world.employer, world.region, title="Second job")
    stray = _offered_row(session, second, world.worker)  # not withdrawn: made afterwards

    with pytest.raises(Conflict, match="already accepted another job"):
        placements.accept(session, world.worker_user, stray.id, fee_asked=False)

    session.refresh(stray)
    session.refresh(second)
    assert (stray.state, second.positions_taken) == (P.OFFERED, 0)


def test_accepting_withdraws_the_workers_other_proposals_and_offers(
    session: Session, world: World, make: Factory
) -> None:
    employer_b = make.user(Role.EMPLOYER)
    proposed_on = _vacancy(session, employer_b, world.region, title="Proposed job")
    offered_on = _vacancy(session, employer_b, world.region, title="Offered job")
    _candidate(session, offered_on, world.worker)
    proposal = _propose(session, proposed_on, world.worker)[0]
    other_offer = placements.offer(session, employer_b, offered_on.id, world.worker.id)
    chosen = placements.offer(session, world.employer, world.vacancy.id, world.worker.id)

    placements.accept(session, world.worker_user, chosen.id, fee_asked=False)

    for ended in (proposal, other_offer):
        session.refresh(ended)
        assert ended.state is P.WITHDRAWN
        last = placements.placement_events(session, world.admin, ended.id)[-1]
        assert (last.reason, last.actor_id) == ("accepted another job", world.worker_user.id)
    told = session.scalars(
        select(Notification).where(
            Notification.user_id == employer_b.id, Notification.kind == "offer-withdrawn"
        )
    ).all()
    assert [note.link for note in told] == [f"/employer/vacancies/{offered_on.id}/candidates"]


# --- offers that run out ------------------------------------------------------------------------


def test_accepting_a_run_out_offer_expires_it_and_says_so(session: Session, world: World) -> None:
    offered = _reach(session, world, P.OFFERED)
    offered.offer_expires_at = utcnow() - timedelta(minutes=1)
    session.commit()

    with pytest.raises(InvalidTransition, match="ran out"):
        placements.accept(session, world.worker_user, offered.id, fee_asked=False)

    session.refresh(offered)
    session.refresh(world.vacancy)
    assert offered.state is P.EXPIRED
    assert world.vacancy.positions_taken == 0
    last = placements.placement_events(session, world.admin, offered.id)[-1]
    assert (last.to_state, last.actor_id, last.actor_label) == (P.EXPIRED, None, "system")


def test_due_offers_expire_and_both_sides_hear_of_it(session: Session, world: World) -> None:
    offered = _reach(session, world, P.OFFERED)
    assert offered.offer_expires_at is not None

    assert placements.expire_due_offers(session, now=offered.offer_expires_at) == 0
    count = placements.expire_due_offers(
        session, now=offered.offer_expires_at + timedelta(seconds=1)
    )

    assert count == 1
    session.refresh(offered)
    assert offered.state is P.EXPIRED
    told = set(
        session.scalars(select(Notification.user_id).where(Notification.kind == "offer-expired"))
    )
    assert told == {world.worker_user.id, world.employer.id}


def test_stale_proposals_expire_and_recent_ones_stay(session: Session, world: World) -> None:
    old, recent = _propose(session, world.vacancy, world.worker, _worker(session, "Bo"))
    old.created_at = utcnow() - timedelta(days=15)
    session.commit()

    assert placements.expire_stale_proposals(session, 14) == 1

    session.refresh(old)
    session.refresh(recent)
    assert (old.state, recent.state) == (P.EXPIRED, P.PROPOSED)


# --- who hears what -----------------------------------------------------------------------------


def test_an_offer_tells_the_worker_in_the_portal_and_by_mail(
    session: Session, world: World
) -> None:
    placements.offer(session, world.employer, world.vacancy.id, world.worker.id)

    note = session.scalars(
        select(Notification).where(Notification.user_id == world.worker_user.id)
    ).one()
    assert (note.kind, note.link) == ("offer-received", "/worker/matches")
    assert "Night shift pickers" in note.text and "Answer by" in note.text
    mail = session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == world.worker_user.email)
    ).one()
    assert note.text in mail.body and "/worker/matches" in mail.body


def test_an_offer_to_a_worker_without_a_login_tells_their_provider(
    session: Session, world: World, make: Factory
) -> None:
    colleague = make.user(Role.PROVIDER, organisation=world.provider.organisation)
    registered = _worker(session, "Dan", provider=world.provider)
    _candidate(session, world.vacancy, registered)

    placements.offer(session, world.employer, world.vacancy.id, registered.id)

    told = session.scalars(select(Notification).where(Notification.kind == "offer-received"))
    assert {(n.user_id, n.link) for n in told} == {
        (world.provider.id, f"/provider/workers/{registered.id}"),
        (colleague.id, f"/provider/workers/{registered.id}"),
    }


@pytest.mark.parametrize(
    ("step", "actor", "kind", "told"),
    [
        ("accept", "worker_user", "offer-accepted", "employer"),
        ("decline", "provider", "offer-declined", "employer"),
        ("withdraw", "employer", "offer-withdrawn", "worker_user"),
    ],
)
def test_an_answer_or_withdrawal_of_an_offer_tells_the_other_side(
    session: Session, world: World, step: str, actor: str, kind: str, told: str
) -> None:
    offered = _reach(session, world, P.OFFERED)

    ACTIONS[step](session, world.actor(actor), offered, world)

    notes = session.scalars(select(Notification).where(Notification.kind == kind)).all()
    assert [note.user_id for note in notes] == [world.actor(told).id]


@pytest.mark.parametrize(
    ("actor", "told"),
    [
        ("worker_user", {"employer"}),
        ("employer", {"worker_user"}),
        ("admin", {"employer", "worker_user"}),
    ],
)
def test_a_withdrawn_job_tells_the_side_that_did_not_withdraw_it(
    session: Session, world: World, actor: str, told: set[str]
) -> None:
    accepted = _reach(session, world, P.ACCEPTED)

    placements.withdraw(session, world.actor(actor), accepted.id, "plans changed")

    notes = session.scalars(
        select(Notification).where(Notification.kind == "placement-withdrawn")
    ).all()
    assert {note.user_id for note in notes} == {world.actor(name).id for name in told}
    assert all("Reason: plans changed" in note.text for note in notes)


def test_the_employer_knows_a_candidate_by_reference_until_they_accept(
    session: Session, world: World
) -> None:
    offered = _reach(session, world, P.OFFERED)
    before = placements.placement_view(session, world.employer, offered.id)

    placements.accept(session, world.worker_user, offered.id, fee_asked=False)
    after = placements.placement_view(session, world.employer, offered.id)

    assert (before.worker_name, before.worker_reference) == (None, f"portal-w{world.worker.id}")
    assert after.worker_name == "Ana Test"
    accepted_note = session.scalars(
        select(Notification).where(Notification.kind == "offer-accepted")
    ).one()
    assert "Ana" not in accepted_note.text and f"portal-w{world.worker.id}" in accepted_note.text


# --- proposals from a matching round, and overrides ---------------------------------------------


def test_a_round_proposes_new_pairs_only_and_tells_each_employer_once_per_vacancy(
    session: Session, world: World
) -> None:
    bo, cy, busy = (_worker(session, name) for name in ("Bo", "Cy", "Busy"))
    _propose(session, world.vacancy, world.worker)  # already live: skipped
    elsewhere = _vacancy(session, world.other_employer, world.region, title="Elsewhere")
    _save(session, Placement(worker_id=busy.id, vacancy_id=elsewhere.id, state=P.STARTED))

    with transaction(session):
        created = placements.create_proposals(
            session,
            None,
            [
                (world.worker.id, world.vacancy.id, 90.0),
                (bo.id, world.vacancy.id, 80.0),
                (cy.id, world.vacancy.id, 75.0),
                (busy.id, world.vacancy.id, 99.0),
            ],
        )

    assert created == 2
    rows = session.scalars(
        select(Placement).where(Placement.vacancy_id == world.vacancy.id).order_by(Placement.id)
    ).all()
    assert [(p.worker_id, p.state, p.score) for p in rows] == [
        (world.worker.id, P.PROPOSED, 70.0),
        (bo.id, P.PROPOSED, 80.0),
        (cy.id, P.PROPOSED, 75.0),
    ]
    event = placements.placement_events(session, world.admin, rows[1].id)[0]
    assert (event.from_state, event.to_state, event.actor_label) == (None, P.PROPOSED, "system")
    notes = session.scalars(
        select(Notification).where(Notification.kind == "proposals-made").order_by(Notification.id)
    ).all()
    assert [(n.user_id, n.text, n.link) for n in notes][-1] == (
        world.employer.id,
        "A matching round proposed 2 candidates for Night shift pickers.",
        f"/employer/vacancies/{world.vacancy.id}/candidates",
    )
    assert len(notes) == 2  # one for the first round's one candidate, one for this round


def test_an_admin_replaces_a_proposal_with_the_reason_kept_and_audited(
    session: Session, world: World
) -> None:
    proposal = _reach(session, world, P.PROPOSED)
    bo = _worker(session, "Bo")

    replacement = placements.override_proposal(
        session, world.admin, proposal.id, bo.id, "Bo has the forklift licence"
    )

    session.refresh(proposal)
    assert proposal.state is P.WITHDRAWN
    assert (replacement.worker_id, replacement.vacancy_id, replacement.state) == (
        bo.id,
        world.vacancy.id,
        P.PROPOSED,
    )
    for placement_id in (proposal.id, replacement.id):
        last = placements.placement_events(session, world.admin, placement_id)[-1]
        assert (last.reason, last.actor_id) == ("Bo has the forklift licence", world.admin.id)
        trail = session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_type == "placement", AuditEvent.subject_id == placement_id
            )
        ).one()
        assert trail.action is AuditAction.CHANGED
        assert "Bo has the forklift licence" in trail.detail


@pytest.mark.parametrize(
    ("who", "reason", "error"),
    [("employer", "better fit", Forbidden), ("admin", "  ", ValidationProblem)],
)
def test_an_override_needs_an_admin_and_a_reason(
    session: Session, world: World, who: str, reason: str, error: type[Exception]
) -> None:
    proposal = _reach(session, world, P.PROPOSED)
    bo = _worker(session, "Bo")

    with pytest.raises(error):
        placements.override_proposal(session, world.actor(who), proposal.id, bo.id, reason)

    session.refresh(proposal)
    assert proposal.state is P.PROPOSED


def test_only_a_proposal_can_be_overridden(session: Session, world: World) -> None:
    offered = _reach(session, world, P.OFFERED)

    with pytest.raises(InvalidTransition, match="offered"):
        placements.override_proposal(
            session, world.admin, offered.id, _worker(session, "Bo").id, "reason"
        )


# --- reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stranger", STRANGERS)
def test_strangers_cannot_see_a_placement(session: Session, world: World, stranger: str) -> None:
    offered = _reach(session, world, P.OFFERED)

    with pytest.raises(NotFound):
        placements.placement_for(session, world.actor(stranger), offered.id)
    with pytest.raises(NotFound):
        placements.placement_events(session, world.actor(stranger), offered.id)


def test_each_party_sees_the_steps_they_may_take(session: Session, world: World) -> None:
    offered = _reach(session, world, P.OFFERED)

    steps = {
        name: placements.placement_view(session, world.actor(name), offered.id).steps
        for name in PARTIES
    }

    assert steps == {
        "employer": {P.WITHDRAWN},
        "worker_user": {P.ACCEPTED, P.DECLINED},
        "provider": {P.ACCEPTED, P.DECLINED},
        "admin": {P.ACCEPTED, P.DECLINED, P.WITHDRAWN},
    }


def test_worker_and_vacancy_lists_show_their_own_placements_newest_first(
    session: Session, world: World
) -> None:
    second = _vacancy(session, world.employer, world.region, title="Second job")
    first_placement = _reach(session, world, P.PROPOSED)
    second_placement = _propose(session, second, world.worker)[0]

    mine = placements.worker_placements(session, world.worker_user, world.worker)
    on_vacancy = placements.vacancy_placements(session, world.employer, world.vacancy.id)

    assert [view.placement.id for view in mine] == [second_placement.id, first_placement.id]
    assert [view.vacancy.title for view in mine] == ["Second job", "Night shift pickers"]
    assert [view.placement.id for view in on_vacancy] == [first_placement.id]
    with pytest.raises(NotFound):
        placements.worker_placements(session, world.other_provider, world.worker)
    with pytest.raises(NotFound):
        placements.vacancy_placements(session, world.other_employer, world.vacancy.id)


def test_the_board_pages_placements_by_state_with_counts(session: Session, world: World) -> None:
    others = [_worker(session, f"W{number}") for number in range(3)]
    _propose(session, world.vacancy, *others)
    _reach(session, world, P.OFFERED)

    everything = placements.placement_board(session, world.admin, None, page=1, size=3)
    proposed = placements.placement_board(session, world.admin, P.PROPOSED, page=2, size=2)
    counts = placements.board_counts(session)

    assert (everything.total, len(everything.items), everything.pages) == (4, 3, 2)
    assert everything.items[0].placement.state is P.OFFERED  # the newest
    assert (proposed.total, len(proposed.items)) == (3, 1)
    assert counts[P.PROPOSED] == 3 and counts[P.OFFERED] == 1 and counts[P.STARTED] == 0
    assert set(counts) == set(PlacementState)
    with pytest.raises(Forbidden):
        placements.placement_board(session, world.employer, None, page=1, size=10)


# --- matching settings (the offer hold and the proposal days come from here) ------------------


def test_settings_start_with_the_defaults_once(session: Session) -> None:
    first = matching_settings.current_settings(session)
    session.commit()

    assert matching_settings.current_settings(session) is first
    assert (first.id, first.offer_hold_hours, first.proposal_days) == (1, 72, 14)
    assert len(session.scalars(select(MatchingSettings)).all()) == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("min_essential_coverage", 1.01),
        ("min_essential_coverage", -0.1),
        ("min_score", 100.5),
        ("min_score", float("nan")),
        ("candidates_per_vacancy", 0),
        ("candidates_per_vacancy", 501),
        ("matches_per_worker", 201),
        ("offer_hold_hours", 0),
        ("offer_hold_hours", 721),
        ("offer_hold_hours", 2.5),
        ("proposal_days", 91),
        ("proposal_days", True),
    ],
)
def test_settings_out_of_bounds_are_refused_on_their_field(
    session: Session, make: Factory, name: str, value: object
) -> None:
    admin = make.user(Role.ADMIN)

    with pytest.raises(ValidationProblem) as refused:
        matching_settings.update_settings(session, admin, **{name: value})  # type: ignore[arg-type]

    assert refused.value.field == name


def test_settings_changes_are_audited(session: Session, make: Factory) -> None:
    admin = make.user(Role.ADMIN)

    settings = matching_settings.update_settings(
        session, admin, min_essential_coverage=0.5, offer_hold_hours=48, proposal_days=14
    )

    assert (settings.min_essential_coverage, settings.offer_hold_hours) == (0.5, 48)
    assert settings.updated_by_id == admin.id
    trail = session.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "matching-settings")
    ).one()
    assert trail.detail == "min_essential_coverage: 0.6 → 0.5; offer_hold_hours: 72 → 48"


def test_only_admins_change_the_settings(session: Session, make: Factory) -> None:
    with pytest.raises(Forbidden):
        matching_settings.update_settings(session, make.user(Role.EMPLOYER), proposal_days=7)
