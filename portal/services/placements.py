"""Placements: a worker proposed for a vacancy, offered the job, accepting and starting it, each
step an event with who took it, when and why.

Who may take which step is one table, `TRANSITIONS`. Accepted and started placements use the
vacancy's positions: an accept claims one with a single conditional UPDATE
(`positions_taken < positions`, checked by its row count) in the same transaction as the
placement's own conditional UPDATE, so however many people answer at once no vacancy is
overbooked and no offer is accepted twice. No SELECT ... FOR UPDATE (SQLite drops it) and no
check-then-update anywhere a race could slip through.

Every change starts a fresh transaction whose first statement writes (`_end_reads`): SQLite in
WAL mode cannot turn a reading transaction into a writing one once another writer has
committed ("database is locked" at once, whatever the busy timeout), but it queues a
transaction that begins with a write. Rows are claimed in one order everywhere (worker,
placement, vacancy), so PostgreSQL never has two of these transactions wait on each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any, cast

from babel.dates import format_datetime
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import CursorResult, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationProblem
from portal.models import (
    EMPLOYED_STATES,
    LIVE_STATES,
    POSITION_STATES,
    AuditAction,
    Match,
    Organisation,
    Placement,
    PlacementEvent,
    PlacementState,
    ProfileStatus,
    Role,
    User,
    Vacancy,
    VacancyState,
    Worker,
)
from portal.models.base import utcnow
from portal.services import audit, notifications, workers
from portal.services import vacancies as vacancy_service
from portal.services._tx import transaction
from portal.services.matching_settings import current_settings
from portal.services.pages import Page, paginate
from portal.services.placement_export import worker_public_id

SUBJECT = "placement"
REASON_MAX = 500
FEE_DETAILS_MAX = 1000
CHUNK = 500  # ids per IN (...) list

# Reasons the portal writes into events itself (people's own reasons are kept as typed).
ACCEPTED_ELSEWHERE = "accepted another job"
OFFER_RAN_OUT = "the offer was not answered in time"
PROPOSAL_RAN_OUT = "no one acted on the proposal in time"
VACANCY_ENDED = "the vacancy is no longer open"
WORKER_LEFT = "the worker is no longer available through the portal"

P = PlacementState


class Side(StrEnum):
    """Who may take a step. An admin may act for every side but the clock."""

    EMPLOYER = "employer"  # a member of the vacancy's organisation
    WORKER = "worker"  # the worker, or the labour provider that manages them
    ADMIN = "admin"
    SYSTEM = "system"  # the clock: an offer or a proposal runs out


_EMPLOYER = frozenset({Side.EMPLOYER})
_WORKER = frozenset({Side.WORKER})
_EITHER = frozenset({Side.EMPLOYER, Side.WORKER})
_ADMIN = frozenset({Side.ADMIN})
_SYSTEM = frozenset({Side.SYSTEM})

TRANSITIONS: Mapping[PlacementState, Mapping[PlacementState, frozenset[Side]]] = {
    P.PROPOSED: {
        P.OFFERED: _EMPLOYER,
        P.DECLINED: _EMPLOYER,
        P.WITHDRAWN: _ADMIN,  # an override: another worker is proposed instead
        P.EXPIRED: _SYSTEM,  # no one acted on it for the settings' proposal days
    },
    P.OFFERED: {
        P.ACCEPTED: _WORKER,
        P.DECLINED: _WORKER,
        P.WITHDRAWN: _EMPLOYER,
        P.EXPIRED: _SYSTEM,  # not answered within the settings' offer hold hours
    },
    P.ACCEPTED: {
        P.STARTED: _EMPLOYER,
        P.WITHDRAWN: _EITHER,  # gives the position back
        P.NO_SHOW: _EMPLOYER,  # gives the position back
    },
    P.STARTED: {
        P.FINISHED: _EITHER,  # the job ended; the position stays used
    },
    P.FINISHED: {},
    P.DECLINED: {},
    P.WITHDRAWN: {},
    P.EXPIRED: {},
    P.NO_SHOW: {},
}
"""From each state: the states it may move to, and the sides that may move it there."""

WORKER_LINK = "/worker/matches"


def provider_link(worker_id: int) -> str:
    return f"/provider/workers/{worker_id}"


def _employer_link(vacancy_id: int) -> str:
    return f"/employer/vacancies/{vacancy_id}/candidates"


def _admin_link(placement_id: int) -> str:
    return f"/admin/placements/{placement_id}"


# --- who acts -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Actor:
    """Who an event names, captured before the writes begin."""

    id: int | None
    label: str


SYSTEM = _Actor(None, audit.actor_label(None))


def _actor(user: User) -> _Actor:
    return _Actor(user.id, audit.actor_label(user))


def sides_of(user: User, vacancy: Vacancy, worker: Worker | None) -> frozenset[Side]:
    """The sides `user` may act for on a placement of `worker` on `vacancy` (none: a stranger)."""
    if user.role is Role.ADMIN:
        return frozenset({Side.ADMIN, Side.EMPLOYER, Side.WORKER})
    sides: set[Side] = set()
    if user.role is Role.EMPLOYER and user.organisation_id == vacancy.organisation_id:
        sides.add(Side.EMPLOYER)
    if worker is not None and workers.may_manage(user, worker):
        sides.add(Side.WORKER)
    return frozenset(sides)


def _parties(user: User | None, sides: frozenset[Side]) -> frozenset[Side]:
    """The sides the actor really is (an admin is neither party: both are told)."""
    if user is None or user.role is Role.ADMIN:
        return frozenset()
    return sides


def steps_for(state: PlacementState, sides: frozenset[Side]) -> frozenset[PlacementState]:
    """The states someone acting for `sides` may move a placement in `state` to."""
    return frozenset(target for target, who in TRANSITIONS[state].items() if who & sides)


def _done(target: PlacementState) -> str:
    return {
        P.PROPOSED: _("proposed"),
        P.OFFERED: _("offered"),
        P.ACCEPTED: _("accepted"),
        P.STARTED: _("started"),
        P.FINISHED: _("finished"),
        P.DECLINED: _("declined"),
        P.WITHDRAWN: _("withdrawn"),
        P.EXPIRED: _("expired"),
        P.NO_SHOW: _("marked as a no-show"),
    }[target]


def _cannot(state: PlacementState, done: str) -> InvalidTransition:
    """ "This placement is already accepted; it cannot be offered." """
    now = {
        P.PROPOSED: _("This placement is only proposed so far"),
        P.OFFERED: _("This placement is offered and waiting for the worker's answer"),
        P.ACCEPTED: _("This placement is already accepted"),
        P.STARTED: _("This placement has already started"),
        P.FINISHED: _("This placement has finished: the job ended"),
        P.DECLINED: _("This placement was declined"),
        P.WITHDRAWN: _("This placement was withdrawn"),
        P.EXPIRED: _("This placement has expired"),
        P.NO_SHOW: _("This placement ended as a no-show"),
    }[state]
    return InvalidTransition(_("%(now)s; it cannot be %(done)s.", now=now, done=done))


def _only(allowed: frozenset[Side]) -> Forbidden:
    if allowed == _WORKER:
        return Forbidden(_("Only the worker, or the labour provider acting for them, can do this."))
    if allowed == _EMPLOYER:
        return Forbidden(_("Only the employer who posted the vacancy can do this."))
    if allowed == _ADMIN:
        return Forbidden(_("Only an administrator can do this."))
    return Forbidden(_("This happens by itself when its time runs out."))


def _check_step(state: PlacementState, target: PlacementState, sides: frozenset[Side]) -> None:
    """InvalidTransition if no one may take this step now, Forbidden if only others may."""
    allowed = TRANSITIONS[state].get(target)
    if allowed is None:
        raise _cannot(state, _done(target))
    if not allowed & sides:
        raise _only(allowed)


def _changed_meanwhile() -> Conflict:
    return Conflict(
        _("Someone changed this placement a moment ago. Reload the page to see where it stands.")
    )


def _no_position_left() -> Conflict:
    return Conflict(_("No position is left on this vacancy."))


# --- input --------------------------------------------------------------------------------------


def _free_text(field: str, value: str, limit: int, *, required: bool = False) -> str:
    text = value.strip()
    if required and not text:
        raise ValidationProblem(field, _("Say why: the reason is kept with the change."))
    if "\x00" in text:
        raise ValidationProblem(field, _("Remove the invisible control characters."))
    if len(text) > limit:
        raise ValidationProblem(field, _("Use at most %(max)d characters.", max=limit))
    return text


# --- rows: reading them, claiming them, moving them on ------------------------------------------


@dataclass(frozen=True, slots=True)
class _Scene:
    """A placement with its vacancy and worker (None once the worker's data was erased)."""

    placement: Placement
    vacancy: Vacancy
    worker: Worker | None


def _scene(session: Session, placement: Placement) -> _Scene:
    vacancy = session.get_one(Vacancy, placement.vacancy_id)
    worker = session.get(Worker, placement.worker_id) if placement.worker_id is not None else None
    return _Scene(placement, vacancy, worker)


def _load(session: Session, user: User, placement_id: int) -> tuple[_Scene, frozenset[Side]]:
    """The placement and the sides `user` acts for; NotFound for anyone it is nothing to."""
    placement = session.get(Placement, placement_id)
    scene = _scene(session, placement) if placement is not None else None
    sides = sides_of(user, scene.vacancy, scene.worker) if scene is not None else frozenset()
    if scene is None or not sides:
        raise NotFound(_("There is no such placement, or it is not yours."))
    return scene, sides


def _end_reads(session: Session) -> None:
    """End the transaction the checks read in, so that the next one begins with a write (see
    the module's docstring). Services own their transactions; nothing is pending here."""
    session.commit()


def _result_rows(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


def _claim_worker(session: Session, worker_id: int) -> None:
    """Hold the worker's row to the end of the transaction (an UPDATE that changes nothing):
    two answers by the same worker, or an offer and an answer, take their turns."""
    session.execute(
        update(Worker)
        .where(Worker.id == worker_id)
        .values(updated_at=Worker.updated_at)
        .execution_options(synchronize_session=False)
    )


def _forget(session: Session, model: type[Placement] | type[Vacancy], row_id: int) -> None:
    """Have the session reload a row a Core UPDATE changed, if it holds it."""
    instance = session.identity_map.get(session.identity_key(model, row_id))
    if instance is not None:
        session.expire(instance)


def _try_move(
    session: Session,
    placement_id: int,
    from_state: PlacementState,
    to_state: PlacementState,
    actor: _Actor,
    reason: str = "",
    *,
    still: Sequence[Any] = (),
    **values: Any,
) -> bool:
    """Move a placement on if it is still in `from_state` (and `still` holds), with its event.

    A conditional UPDATE: of two people acting on the same placement at once, one moves it.
    """
    result = session.execute(
        update(Placement)
        .where(Placement.id == placement_id, Placement.state == from_state, *still)
        .values(state=to_state, **values)
        .execution_options(synchronize_session=False)
    )
    if _result_rows(result) != 1:
        return False
    session.add(
        PlacementEvent(
            placement_id=placement_id,
            actor_id=actor.id,
            actor_label=actor.label,
            from_state=from_state,
            to_state=to_state,
            reason=reason[:REASON_MAX],
        )
    )
    _forget(session, Placement, placement_id)
    return True


def _move(
    session: Session,
    placement_id: int,
    from_state: PlacementState,
    to_state: PlacementState,
    actor: _Actor,
    reason: str = "",
    **values: Any,
) -> None:
    if not _try_move(session, placement_id, from_state, to_state, actor, reason, **values):
        raise _changed_meanwhile()


def _create(
    session: Session,
    state: PlacementState,
    actor: _Actor,
    reason: str = "",
    **values: Any,
) -> Placement:
    """A new placement with its first event (from no state); Conflict if the worker already has
    a live placement on the vacancy (the database's unique index decides, even at once)."""
    placement = Placement(state=state, **values)
    session.add(placement)
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(_("This worker already has a placement on this vacancy.")) from error
    session.add(
        PlacementEvent(
            placement_id=placement.id,
            actor_id=actor.id,
            actor_label=actor.label,
            from_state=None,
            to_state=state,
            reason=reason[:REASON_MAX],
        )
    )
    return placement


def _take_position(session: Session, vacancy_id: int) -> None:
    """Claim one position, or Conflict: one conditional UPDATE, so never more than positions."""
    taken = session.execute(
        update(Vacancy)
        .where(
            Vacancy.id == vacancy_id,
            Vacancy.state == VacancyState.OPEN,
            Vacancy.positions_taken < Vacancy.positions,
        )
        .values(positions_taken=Vacancy.positions_taken + 1)
        .execution_options(synchronize_session=False)
    )
    if _result_rows(taken) != 1:
        raise _no_position_left()
    session.execute(
        update(Vacancy)
        .where(
            Vacancy.id == vacancy_id,
            Vacancy.positions_taken == Vacancy.positions,
            Vacancy.state == VacancyState.OPEN,
        )
        .values(state=VacancyState.FILLED)
        .execution_options(synchronize_session=False)
    )
    _forget(session, Vacancy, vacancy_id)


def _release_position(session: Session, vacancy_id: int) -> None:
    """Give a position back; a filled vacancy opens again (a closed or expired one stays so)."""
    session.execute(
        update(Vacancy)
        .where(Vacancy.id == vacancy_id, Vacancy.positions_taken > 0)
        .values(positions_taken=Vacancy.positions_taken - 1)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Vacancy)
        .where(
            Vacancy.id == vacancy_id,
            Vacancy.state == VacancyState.FILLED,
            Vacancy.positions_taken < Vacancy.positions,
        )
        .values(state=VacancyState.OPEN)
        .execution_options(synchronize_session=False)
    )
    _forget(session, Vacancy, vacancy_id)


def _holds_job(session: Session, worker_id: int, *, besides: int | None = None) -> bool:
    """Whether the worker has an accepted or started placement (other than `besides`)."""
    statement = select(Placement.id).where(
        Placement.worker_id == worker_id, Placement.state.in_(EMPLOYED_STATES)
    )
    if besides is not None:
        statement = statement.where(Placement.id != besides)
    return session.scalar(statement.limit(1)) is not None


def _live_placement(session: Session, worker_id: int, vacancy_id: int) -> Placement | None:
    return session.scalar(
        select(Placement).where(
            Placement.worker_id == worker_id,
            Placement.vacancy_id == vacancy_id,
            Placement.state.in_(LIVE_STATES),
        )
    )


def _when(moment: datetime) -> str:
    """A moment as the reader's language writes it; the portal's times are UTC."""
    return f"{format_datetime(moment, 'short', tzinfo=UTC, locale=get_locale() or 'en')} UTC"


# --- telling people -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _News:
    """One piece of news in the words of each side that may be told it."""

    kind: str
    worker: str = ""  # to the worker ("you")
    provider: str = ""  # to their labour provider, naming the worker
    employer: str = ""  # to the employer, naming the worker by reference


def _tell(
    session: Session, scene: _Scene, kind: str, sides: Collection[Side], reason: str = ""
) -> None:
    """Tell `sides` of the placement (the worker's side, the employer's) the news of `kind`,
    each reader in their own language."""
    names = _names(session, scene)

    def words(side: Callable[[_News], str]) -> notifications.Words:
        def written() -> str:
            extra = (" " + _("Reason: %(reason)s", reason=reason)) if reason else ""
            return side(_news(scene, kind, names)) + extra

        return written

    news = _news(scene, kind, names)  # which sides have something to be told
    worker = scene.worker
    if Side.WORKER in sides and worker is not None:
        if worker.user_id is not None:
            user = session.get(User, worker.user_id)
            if user is not None and news.worker:
                told = words(lambda news: news.worker)
                notifications.notify(session, user, kind, told, WORKER_LINK)
        elif worker.provider_id is not None and news.provider:
            notifications.notify_organisation(
                session,
                worker.provider_id,
                kind,
                words(lambda news: news.provider),
                provider_link(worker.id),
            )
    if Side.EMPLOYER in sides and news.employer:
        notifications.notify_organisation(
            session,
            scene.vacancy.organisation_id,
            kind,
            words(lambda news: news.employer),
            _employer_link(scene.vacancy.id),
        )


def _names(session: Session, scene: _Scene) -> dict[str, str]:
    organisation = session.get(Organisation, scene.vacancy.organisation_id)
    worker = scene.worker
    return {
        "title": scene.vacancy.title,
        "employer": organisation.name if organisation is not None else "",
        "name": worker.full_name if worker is not None else "",
        "reference": worker_public_id(worker.id, worker.external_id) if worker else "",
    }


def _news(scene: _Scene, kind: str, n: dict[str, str]) -> _News:
    """The words of each kind of news about a placement, in the current language."""
    if kind == "offer-received":
        when = _when(scene.placement.offer_expires_at or utcnow())
        return _News(
            kind,
            worker=_(
                "%(employer)s offered you a job: %(title)s. Answer by %(when)s.", **n, when=when
            ),
            provider=_(
                "%(employer)s offered %(name)s a job: %(title)s. Answer by %(when)s.",
                **n,
                when=when,
            ),
        )
    if kind == "offer-accepted":
        return _News(kind, employer=_("%(reference)s accepted your offer for %(title)s.", **n))
    if kind == "offer-declined":
        return _News(kind, employer=_("%(reference)s declined your offer for %(title)s.", **n))
    if kind == "offer-withdrawn":
        return _News(
            kind,
            worker=_("The offer for %(title)s from %(employer)s was withdrawn.", **n),
            provider=_("The offer to %(name)s for %(title)s from %(employer)s was withdrawn.", **n),
            employer=_("Your offer to %(reference)s for %(title)s was withdrawn.", **n),
        )
    if kind == "placement-withdrawn":
        return _News(
            kind,
            worker=_("Your job at %(employer)s (%(title)s) was withdrawn.", **n),
            provider=_("The job of %(name)s at %(employer)s (%(title)s) was withdrawn.", **n),
            employer=_(
                "The placement of %(reference)s on %(title)s was withdrawn; the position is free "
                "again.",
                **n,
            ),
        )
    if kind == "no-show-recorded":
        return _News(
            kind,
            worker=_("%(employer)s recorded that you did not start the job %(title)s.", **n),
            provider=_("%(employer)s recorded that %(name)s did not start the job %(title)s.", **n),
            employer=_("%(reference)s was recorded as not starting the job %(title)s.", **n),
        )
    if kind == "offer-expired":
        return _News(
            kind,
            worker=_("The offer for %(title)s from %(employer)s ran out without an answer.", **n),
            provider=_(
                "The offer to %(name)s for %(title)s from %(employer)s ran out without an answer.",
                **n,
            ),
            employer=_("Your offer to %(reference)s for %(title)s ran out without an answer.", **n),
        )
    if kind == "proposal-replaced":
        return _News(
            kind,
            employer=_("An administrator replaced a proposed candidate for %(title)s.", **n),
        )
    raise ValueError(f"no words for news of kind {kind!r}")


# What each step tells, and whom: the sides it concerns, less the side that took it.
_NEWS_OF_STEP: Mapping[tuple[PlacementState, PlacementState], tuple[str, frozenset[Side]]] = {
    (P.OFFERED, P.ACCEPTED): ("offer-accepted", _EMPLOYER),
    (P.OFFERED, P.DECLINED): ("offer-declined", _EMPLOYER),
    (P.OFFERED, P.WITHDRAWN): ("offer-withdrawn", _EITHER),
    (P.OFFERED, P.EXPIRED): ("offer-expired", _EITHER),
    (P.ACCEPTED, P.WITHDRAWN): ("placement-withdrawn", _EITHER),
    (P.ACCEPTED, P.NO_SHOW): ("no-show-recorded", _EITHER),
}


def _announce(
    session: Session,
    scene: _Scene,
    from_state: PlacementState,
    to_state: PlacementState,
    acting: frozenset[Side],
    reason: str = "",
) -> None:
    step = _NEWS_OF_STEP.get((from_state, to_state))
    if step is None:
        return
    kind, concerned = step
    _tell(session, scene, kind, concerned - acting, reason)


# --- offering -----------------------------------------------------------------------------------


def offer(
    session: Session, user: User, vacancy_id: int, worker_id: int, *, score: float | None = None
) -> Placement:
    """The employer offers the job to a candidate: their proposal becomes an offer, or a new
    placement starts as one. It holds until now + the settings' offer hold hours.

    Offers are capped at the positions not yet taken; the positions themselves are guarded
    again, by the database, when an offer is accepted.
    """
    vacancy = vacancy_service.vacancy_for(session, user, vacancy_id)
    worker = session.get(Worker, worker_id)
    existing = _live_placement(session, worker_id, vacancy_id) if worker else None
    match = session.scalar(
        select(Match).where(
            Match.worker_id == worker_id, Match.vacancy_id == vacancy_id, Match.eligible.is_(True)
        )
    )
    if worker is None or (existing is None and match is None):
        raise NotFound(_("This worker is not among the candidates for this vacancy."))
    sides = sides_of(user, vacancy, worker)
    if existing is not None:
        _check_step(existing.state, P.OFFERED, sides)
    elif Side.EMPLOYER not in sides:
        raise _only(_EMPLOYER)
    if vacancy.state is not VacancyState.OPEN:
        raise Conflict(_("This vacancy is not open, so it takes no offers."))
    if worker.status is not ProfileStatus.ACTIVE:
        raise Conflict(_("This worker is no longer available through the portal."))
    if _holds_job(session, worker_id):
        raise Conflict(_("This worker has already accepted a job."))
    hold = timedelta(hours=current_settings(session).offer_hold_hours)
    if score is None:
        score = existing.score if existing is not None and existing.score is not None else None
    if score is None and match is not None:
        score = match.score
    existing_id = existing.id if existing is not None else None
    actor = _actor(user)
    _end_reads(session)
    now = utcnow()
    with transaction(session):
        _claim_worker(session, worker_id)
        if _holds_job(session, worker_id):
            raise Conflict(_("This worker has already accepted a job."))
        if existing_id is not None:
            _move(
                session,
                existing_id,
                P.PROPOSED,
                P.OFFERED,
                actor,
                offer_expires_at=now + hold,
                score=score,
            )
            placement = session.get_one(Placement, existing_id)
        else:
            placement = _create(
                session,
                P.OFFERED,
                actor,
                worker_id=worker_id,
                vacancy_id=vacancy_id,
                score=score,
                offer_expires_at=now + hold,
            )
        _check_offer_cap(session, vacancy_id, now)
        scene = _Scene(placement, session.get_one(Vacancy, vacancy_id), worker)
        _tell(session, scene, "offer-received", _WORKER)
    return placement


def offer_proposal(session: Session, user: User, placement_id: int) -> Placement:
    """The employer offers the job to the worker of this proposal (as `offer`); any other state
    is an invalid step for this placement."""
    scene, sides = _load(session, user, placement_id)
    _check_step(scene.placement.state, P.OFFERED, sides)
    if scene.worker is None:
        raise Conflict(_("This worker is no longer available through the portal."))
    return offer(session, user, scene.vacancy.id, scene.worker.id)


def _check_offer_cap(session: Session, vacancy_id: int, now: datetime) -> None:
    """Conflict when running offers and taken positions would exceed the positions.

    The vacancy's row is held first (an UPDATE that changes nothing), so that two offers on
    the same vacancy count one after the other.
    """
    held = session.execute(
        update(Vacancy)
        .where(Vacancy.id == vacancy_id, Vacancy.state == VacancyState.OPEN)
        .values(updated_at=Vacancy.updated_at)
        .execution_options(synchronize_session=False)
    )
    if _result_rows(held) != 1:
        raise Conflict(_("This vacancy is not open, so it takes no offers."))
    positions, taken = session.execute(
        select(Vacancy.positions, Vacancy.positions_taken).where(Vacancy.id == vacancy_id)
    ).one()
    offers = session.scalar(
        select(func.count(Placement.id)).where(
            Placement.vacancy_id == vacancy_id,
            Placement.state == P.OFFERED,
            Placement.offer_expires_at > now,
        )
    )
    if (offers or 0) + taken > positions:
        raise Conflict(
            ngettext(
                "The only position is taken or offered.",
                "All %(num)d positions are taken or offered.",
                positions,
            )
        )


# --- answering an offer -------------------------------------------------------------------------


def accept(
    session: Session,
    user: User,
    placement_id: int,
    *,
    fee_asked: bool | None,
    fee_details: str = "",
) -> Placement:
    """The worker (or their labour provider, or an admin) accepts an offer: it takes one of
    the vacancy's positions, and the worker's other proposals and offers are withdrawn.

    `fee_asked` answers "Were you asked to pay anything to get this job?" (required); a yes
    is reported to the admins and kept for the statistics.
    """
    scene, sides = _load(session, user, placement_id)
    placement, vacancy = scene.placement, scene.vacancy
    _check_step(placement.state, P.ACCEPTED, sides)
    if fee_asked is None:
        raise ValidationProblem(
            "fee_asked", _("Say whether you were asked to pay anything to get this job.")
        )
    details = _free_text("fee_details", fee_details, FEE_DETAILS_MAX)
    now = utcnow()
    actor = _actor(user)
    if placement.offer_expires_at is not None and placement.offer_expires_at < now:
        _expire_offer_now(session, scene)
        raise InvalidTransition(
            _(
                "This offer ran out on %(when)s. Ask the employer whether they can make a new one.",
                when=_when(placement.offer_expires_at),
            )
        )
    if vacancy.state is VacancyState.FILLED or vacancy.positions_left <= 0:
        raise _no_position_left()
    if vacancy.state is not VacancyState.OPEN:
        raise Conflict(_("This vacancy is no longer open, so its offers cannot be accepted."))
    worker_id = placement.worker_id
    vacancy_id = vacancy.id
    acting = _parties(user, sides)
    _end_reads(session)
    with transaction(session):
        if worker_id is not None:
            _claim_worker(session, worker_id)
        answered = _try_move(
            session,
            placement_id,
            P.OFFERED,
            P.ACCEPTED,
            actor,
            still=(or_(Placement.offer_expires_at.is_(None), Placement.offer_expires_at >= now),),
            fee_asked=fee_asked,
            fee_details=details,
        )
        if not answered:
            raise _changed_meanwhile()
        if worker_id is not None and _holds_job(session, worker_id, besides=placement_id):
            raise Conflict(_("This worker has already accepted another job."))
        _take_position(session, vacancy_id)
        scene = _scene(session, session.get_one(Placement, placement_id))
        _announce(session, scene, P.OFFERED, P.ACCEPTED, acting)
        if worker_id is not None:
            _withdraw_others(session, worker_id, placement_id, actor)
        if fee_asked:
            _report_fee(session, user, scene, details)
    return scene.placement


def _expire_offer_now(session: Session, scene: _Scene) -> None:
    """Mark a run-out offer expired (found while someone tried to accept it)."""
    placement_id = scene.placement.id
    _end_reads(session)
    with transaction(session):
        if _try_move(session, placement_id, P.OFFERED, P.EXPIRED, SYSTEM, OFFER_RAN_OUT):
            _announce(session, scene, P.OFFERED, P.EXPIRED, frozenset())


def _withdraw_others(session: Session, worker_id: int, kept_id: int, actor: _Actor) -> None:
    """The worker's other proposals and offers end: they took a job and are off the market."""
    others = session.scalars(
        select(Placement)
        .where(
            Placement.worker_id == worker_id,
            Placement.id != kept_id,
            Placement.state.in_((P.PROPOSED, P.OFFERED)),
        )
        .order_by(Placement.id)
    ).all()
    for other in others:
        state = other.state
        moved = _try_move(session, other.id, state, P.WITHDRAWN, actor, ACCEPTED_ELSEWHERE)
        if moved and state is P.OFFERED:
            scene = _scene(session, other)
            _tell(session, scene, "offer-withdrawn", _EMPLOYER, ACCEPTED_ELSEWHERE)


def _report_fee(session: Session, user: User, scene: _Scene, details: str) -> None:
    """A worker was asked to pay for the job: the admins hear of it at once, and it is audited."""
    names = _names(session, scene)

    def words() -> str:
        text = _(
            "A worker reported being asked to pay to get the job %(title)s at %(employer)s.",
            title=names["title"],
            employer=names["employer"],
        )
        return text + (" " + _("Details: %(details)s", details=details) if details else "")

    notifications.notify_admins(session, "fee-reported", words, _admin_link(scene.placement.id))
    audit.record(session, user, AuditAction.CHANGED, SUBJECT, scene.placement.id, "fee reported")


# --- the other steps ----------------------------------------------------------------------------


def _step(
    session: Session, user: User, placement_id: int, target: PlacementState, reason: str = ""
) -> Placement:
    """Take one step (decline, withdraw, start, no-show) that `user` may take now."""
    reason = _free_text("reason", reason, REASON_MAX)
    scene, sides = _load(session, user, placement_id)
    from_state = scene.placement.state
    _check_step(from_state, target, sides)
    actor = _actor(user)
    acting = _parties(user, sides)
    vacancy_id = scene.vacancy.id
    _end_reads(session)
    with transaction(session):
        _move(session, placement_id, from_state, target, actor, reason)
        if from_state in POSITION_STATES and target not in POSITION_STATES:
            _release_position(session, vacancy_id)
        _announce(session, scene, from_state, target, acting, reason)
    return scene.placement


def decline(session: Session, user: User, placement_id: int, reason: str = "") -> Placement:
    """The employer turns down a proposal, or the worker's side turns down an offer."""
    return _step(session, user, placement_id, P.DECLINED, reason)


def withdraw(session: Session, user: User, placement_id: int, reason: str = "") -> Placement:
    """Withdraw: a proposal (admin), an offer (employer), an accepted job (either side; the
    position is given back)."""
    return _step(session, user, placement_id, P.WITHDRAWN, reason)


def start(session: Session, user: User, placement_id: int) -> Placement:
    """The employer records that the worker started."""
    return _step(session, user, placement_id, P.STARTED)


def finish(session: Session, user: User, placement_id: int) -> Placement:
    """Either side records that the job ended: the worker may be matched again; the position
    stays used."""
    return _step(session, user, placement_id, P.FINISHED)


def no_show(session: Session, user: User, placement_id: int, reason: str = "") -> Placement:
    """The employer records that the worker did not come; the position is given back."""
    return _step(session, user, placement_id, P.NO_SHOW, reason)


# --- the clock ----------------------------------------------------------------------------------


def expire_due_offers(session: Session, now: datetime | None = None) -> int:
    """Offers not answered in time become expired (both sides are told); returns how many."""
    now = now or utcnow()
    due = session.scalars(
        select(Placement.id)
        .where(Placement.state == P.OFFERED, Placement.offer_expires_at < now)
        .order_by(Placement.id)
    ).all()
    if not due:
        return 0
    _end_reads(session)
    expired = 0
    with transaction(session):
        for placement_id in due:
            if _try_move(
                session,
                placement_id,
                P.OFFERED,
                P.EXPIRED,
                SYSTEM,
                OFFER_RAN_OUT,
                still=(Placement.offer_expires_at < now,),
            ):
                expired += 1
                scene = _scene(session, session.get_one(Placement, placement_id))
                _announce(session, scene, P.OFFERED, P.EXPIRED, frozenset())
    return expired


def expire_stale_proposals(
    session: Session, older_than_days: int, now: datetime | None = None
) -> int:
    """Proposals no one acted on for `older_than_days` become expired; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    stale = session.scalars(
        select(Placement.id)
        .where(Placement.state == P.PROPOSED, Placement.created_at < cutoff)
        .order_by(Placement.id)
    ).all()
    if not stale:
        return 0
    _end_reads(session)
    expired = 0
    with transaction(session):
        for placement_id in stale:
            expired += _try_move(
                session, placement_id, P.PROPOSED, P.EXPIRED, SYSTEM, PROPOSAL_RAN_OUT
            )
    return expired


def withdraw_unanswered(
    session: Session, *, vacancy_id: int | None = None, worker_id: int | None = None, reason: str
) -> int:
    """Withdraw the proposals and offers of a vacancy that stopped taking workers (closed,
    expired) or of a worker who left (consent withdrawn, data erased), in the caller's
    transaction: nobody should answer an offer that can no longer be kept. Returns how many."""
    statement = select(Placement.id, Placement.state).where(
        Placement.state.in_((P.PROPOSED, P.OFFERED))
    )
    if vacancy_id is not None:
        statement = statement.where(Placement.vacancy_id == vacancy_id)
    if worker_id is not None:
        statement = statement.where(Placement.worker_id == worker_id)
    withdrawn = 0
    for placement_id, state in session.execute(statement.order_by(Placement.id)).all():
        withdrawn += _try_move(session, placement_id, state, P.WITHDRAWN, SYSTEM, reason)
    return withdrawn


# --- proposals ----------------------------------------------------------------------------------


def _chunks(ids: Collection[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for first in range(0, len(ordered), CHUNK):
        yield ordered[first : first + CHUNK]


def create_proposals(
    session: Session, run_id: int | None, proposals: Iterable[tuple[int, int, float]]
) -> int:
    """Store a matching round's proposals (worker id, vacancy id, score) in the caller's
    transaction (the round commits); returns how many were new.

    A pair that already has a live placement, or a worker who has accepted a job, is skipped.
    Each employer hears once per vacancy how many candidates were proposed.
    """
    wanted: dict[tuple[int, int], float] = {}
    for worker_id, vacancy_id, score in proposals:
        wanted.setdefault((worker_id, vacancy_id), score)
    if not wanted:
        return 0
    live: set[tuple[int, int]] = set()
    for chunk in _chunks({vacancy_id for _w, vacancy_id in wanted}):
        rows = session.execute(
            select(Placement.worker_id, Placement.vacancy_id).where(
                Placement.vacancy_id.in_(chunk), Placement.state.in_(LIVE_STATES)
            )
        )
        live.update((worker_id, vacancy_id) for worker_id, vacancy_id in rows if worker_id)
    busy: set[int] = set()
    for chunk in _chunks({worker_id for worker_id, _v in wanted}):
        holders = session.scalars(
            select(Placement.worker_id).where(
                Placement.worker_id.in_(chunk), Placement.state.in_(EMPLOYED_STATES)
            )
        )
        busy.update(worker_id for worker_id in holders if worker_id is not None)
    new = [
        (worker_id, vacancy_id, score)
        for (worker_id, vacancy_id), score in wanted.items()
        if (worker_id, vacancy_id) not in live and worker_id not in busy
    ]
    if not new:
        return 0
    now = utcnow()
    ids = session.scalars(
        insert(Placement).returning(Placement.id, sort_by_parameter_order=True),
        [
            {
                "worker_id": worker_id,
                "vacancy_id": vacancy_id,
                "run_id": run_id,
                "state": P.PROPOSED,
                "score": score,
                "created_at": now,
                "updated_at": now,
            }
            for worker_id, vacancy_id, score in new
        ],
    ).all()
    session.execute(
        insert(PlacementEvent),
        [
            {
                "placement_id": placement_id,
                "at": now,
                "actor_id": None,
                "actor_label": SYSTEM.label,
                "from_state": None,
                "to_state": P.PROPOSED,
                "reason": "",
            }
            for placement_id in ids
        ],
    )
    _tell_employers_of_proposals(session, Counter(vacancy_id for _w, vacancy_id, _s in new))
    return len(new)


def _tell_employers_of_proposals(session: Session, per_vacancy: Counter[int]) -> None:
    vacancies = session.execute(
        select(Vacancy.id, Vacancy.title, Vacancy.organisation_id).where(
            Vacancy.id.in_(list(per_vacancy))
        )
    ).all()
    members = notifications.members_of(session, {row.organisation_id for row in vacancies})
    for vacancy_id, title, organisation_id in vacancies:
        words = partial(
            ngettext,
            "A matching round proposed %(num)d candidate for %(title)s.",
            "A matching round proposed %(num)d candidates for %(title)s.",
            per_vacancy[vacancy_id],
            title=title,
        )
        for member in members.get(organisation_id, []):
            notifications.notify(
                session, member, "proposals-made", words, _employer_link(vacancy_id)
            )


def override_proposal(
    session: Session, admin: User, placement_id: int, new_worker_id: int, reason: str
) -> Placement:
    """An admin replaces a proposal with another worker on the same vacancy: the proposal is
    withdrawn and a new one made, both with the reason in the events and the audit trail."""
    if admin.role is not Role.ADMIN:
        raise Forbidden(_("Only an administrator can replace a proposal."))
    reason = _free_text("reason", reason, REASON_MAX, required=True)
    scene, _sides = _load(session, admin, placement_id)
    old = scene.placement
    if old.state is not P.PROPOSED:
        raise _cannot(old.state, _("replaced"))
    if new_worker_id == old.worker_id:
        raise ValidationProblem("new_worker_id", _("Choose a different worker."))
    worker = session.get(Worker, new_worker_id)
    if worker is None:
        raise ValidationProblem("new_worker_id", _("There is no such worker."))
    if worker.status is not ProfileStatus.ACTIVE:
        raise Conflict(_("This worker is no longer available through the portal."))
    if scene.vacancy.state is not VacancyState.OPEN:
        raise Conflict(_("This vacancy is not open, so it takes no proposals."))
    if _holds_job(session, new_worker_id):
        raise Conflict(_("This worker has already accepted a job."))
    match_score = session.scalar(
        select(Match.score).where(
            Match.worker_id == new_worker_id, Match.vacancy_id == old.vacancy_id
        )
    )
    vacancy_id, run_id = old.vacancy_id, old.run_id
    actor = _actor(admin)
    _end_reads(session)
    with transaction(session):
        _claim_worker(session, new_worker_id)
        _move(session, placement_id, P.PROPOSED, P.WITHDRAWN, actor, reason)
        new = _create(
            session,
            P.PROPOSED,
            actor,
            reason,
            worker_id=new_worker_id,
            vacancy_id=vacancy_id,
            run_id=run_id,
            score=match_score,
        )
        audit.record(
            session,
            admin,
            AuditAction.CHANGED,
            SUBJECT,
            placement_id,
            f"proposal withdrawn, replaced by placement {new.id}: {reason}",
        )
        audit.record(
            session,
            admin,
            AuditAction.CHANGED,
            SUBJECT,
            new.id,
            f"proposed instead of placement {placement_id}: {reason}",
        )
        _tell(session, scene, "proposal-replaced", _EMPLOYER)
    return new


# --- reading, for the pages ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlacementView:
    """A placement as one user sees it: the job, who, and the steps they may take now.

    `worker_name` is None where the viewer may not see it: an employer sees a candidate by
    reference until the worker has accepted.
    """

    placement: Placement
    vacancy: Vacancy
    employer_name: str
    worker_reference: str | None  # None once the worker's data was erased
    worker_name: str | None
    steps: frozenset[PlacementState]


def _view(
    user: User, placement: Placement, vacancy: Vacancy, employer_name: str, worker: Worker | None
) -> PlacementView:
    sides = sides_of(user, vacancy, worker)
    sees_name = (
        Side.WORKER in sides
        or user.role is Role.ADMIN
        or placement.state in (P.ACCEPTED, P.STARTED, P.FINISHED, P.NO_SHOW)
    )
    return PlacementView(
        placement=placement,
        vacancy=vacancy,
        employer_name=employer_name,
        worker_reference=worker_public_id(worker.id, worker.external_id) if worker else None,
        worker_name=worker.full_name if worker is not None and sees_name else None,
        steps=steps_for(placement.state, sides),
    )


def _views(session: Session, user: User, placements: Sequence[Placement]) -> list[PlacementView]:
    """Views of many placements with three more queries, not three per placement."""
    vacancy_ids = {placement.vacancy_id for placement in placements}
    worker_ids = {placement.worker_id for placement in placements if placement.worker_id}
    vacancies = {
        vacancy.id: vacancy
        for vacancy in session.scalars(select(Vacancy).where(Vacancy.id.in_(vacancy_ids)))
    }
    names = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_({vacancy.organisation_id for vacancy in vacancies.values()})
            )
        ).all()
    )
    found = {
        worker.id: worker
        for worker in session.scalars(select(Worker).where(Worker.id.in_(worker_ids)))
    }
    return [
        _view(
            user,
            placement,
            vacancies[placement.vacancy_id],
            names.get(vacancies[placement.vacancy_id].organisation_id, ""),
            found.get(placement.worker_id) if placement.worker_id else None,
        )
        for placement in placements
    ]


_NEWEST_FIRST = (Placement.created_at.desc(), Placement.id.desc())


def placement_for(session: Session, user: User, placement_id: int) -> Placement:
    """A placement `user` is a party to (or any, for an admin); else NotFound."""
    scene, _sides = _load(session, user, placement_id)
    return scene.placement


def placement_view(session: Session, user: User, placement_id: int) -> PlacementView:
    placement = placement_for(session, user, placement_id)
    return _views(session, user, [placement])[0]


def placement_events(session: Session, user: User, placement_id: int) -> list[PlacementEvent]:
    """The placement's history, oldest first."""
    placement = placement_for(session, user, placement_id)
    return list(
        session.scalars(
            select(PlacementEvent)
            .where(PlacementEvent.placement_id == placement.id)
            .order_by(PlacementEvent.id)
        )
    )


def worker_placements(session: Session, user: User, worker: Worker) -> list[PlacementView]:
    """A worker's placements, newest first, for the worker, their provider or an admin."""
    if not workers.may_manage(user, worker):
        raise NotFound(_("There is no such worker, or you cannot see them."))
    placements = session.scalars(
        select(Placement).where(Placement.worker_id == worker.id).order_by(*_NEWEST_FIRST)
    ).all()
    return _views(session, user, placements)


def vacancy_placements(
    session: Session,
    user: User,
    vacancy_id: int,
    *,
    states: Collection[PlacementState] | None = None,
) -> list[PlacementView]:
    """The placements of one of the employer's vacancies (any, for an admin), newest first."""
    vacancy = vacancy_service.vacancy_for(session, user, vacancy_id)
    statement = select(Placement).where(Placement.vacancy_id == vacancy.id)
    if states is not None:
        statement = statement.where(Placement.state.in_(list(states)))
    return _views(session, user, session.scalars(statement.order_by(*_NEWEST_FIRST)).all())


def placement_board(
    session: Session, admin: User, state: PlacementState | None, *, page: int, size: int
) -> Page[PlacementView]:
    """Every placement (or those in `state`), newest first, for the admins' board."""
    if admin.role is not Role.ADMIN:
        raise Forbidden(_("Only an administrator can see every placement."))
    statement = select(Placement).order_by(*_NEWEST_FIRST)
    if state is not None:
        statement = statement.where(Placement.state == state)
    found: Page[Placement] = paginate(session, statement, page, size)
    return Page(
        items=_views(session, admin, found.items),
        number=found.number,
        size=found.size,
        total=found.total,
    )


def placement_list(
    session: Session, user: User, state: PlacementState | None, *, page: int, size: int
) -> Page[PlacementView]:
    """The placements `user` is a party to, newest first: an employer's on its organisation's
    vacancies, a provider's of the workers it manages, a worker's own; every one for an admin."""
    if user.role in (Role.EMPLOYER, Role.PROVIDER) and user.organisation_id is None:
        return Page(items=[], number=1, size=size, total=0)  # a party to nothing
    statement = select(Placement).order_by(*_NEWEST_FIRST)
    if user.role is Role.EMPLOYER:
        statement = statement.join(Vacancy, Vacancy.id == Placement.vacancy_id).where(
            Vacancy.organisation_id == user.organisation_id
        )
    elif user.role is Role.PROVIDER:
        statement = statement.join(Worker, Worker.id == Placement.worker_id).where(
            Worker.provider_id == user.organisation_id
        )
    elif user.role is Role.WORKER:
        statement = statement.join(Worker, Worker.id == Placement.worker_id).where(
            Worker.user_id == user.id
        )
    if state is not None:
        statement = statement.where(Placement.state == state)
    found: Page[Placement] = paginate(session, statement, page, size)
    return Page(
        items=_views(session, user, found.items),
        number=found.number,
        size=found.size,
        total=found.total,
    )


def board_counts(session: Session) -> dict[PlacementState, int]:
    """How many placements are in each state (every state, zeros included)."""
    counts = dict.fromkeys(PlacementState, 0)
    rows = session.execute(
        select(Placement.state, func.count(Placement.id)).group_by(Placement.state)
    )
    counts.update({state: count for state, count in rows})
    return counts
