"""A worker's data rights: a copy of everything held about them, and erasure that keeps only
anonymous counts for statistics."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.errors import Forbidden
from portal.models import (
    AuditAction,
    AuditEvent,
    ErasedWorkerTally,
    LoginAttempt,
    LoginSession,
    Notification,
    Organisation,
    OutboxMessage,
    PasswordResetToken,
    Placement,
    PlacementEvent,
    Region,
    Role,
    User,
    Worker,
    WorkerInvite,
)
from portal.models.base import utcnow
from portal.reporting import indicators
from portal.services import audit, placements
from portal.services._tx import transaction
from portal.services.workers import SUBJECT

ERASED_ACTOR_LABEL = "erased user"
UNKNOWN = "unknown"
UNKNOWN_COUNTRY = "ZZ"  # the CLDR code for an unknown region of the world


# --- export -------------------------------------------------------------------------------------


def collect_worker_data(session: Session, worker: Worker) -> dict[str, Any]:
    """Everything the portal holds about `worker`, as plain values (dates stay dates)."""
    user = session.get(User, worker.user_id) if worker.user_id is not None else None
    return {
        "profile": _profile(session, worker),
        "languages": [
            {"code": language.code, "level": language.level.value}
            for language in sorted(worker.languages, key=lambda language: language.code)
        ],
        "skills": [
            {
                "words": skill.words,
                "concept_uri": skill.concept_uri,
                "concept_label": skill.concept_label,
                "score": skill.score,
                "evidence": skill.evidence.value,
                "source": skill.source.value,
                "added_at": skill.created_at,
            }
            for skill in worker.skills
        ],
        "experience": [
            {
                "words": experience.words,
                "occupation_uri": experience.occupation_uri,
                "occupation_label": experience.occupation_label,
                "years": experience.years,
                "kind": experience.kind.value,
            }
            for experience in worker.experiences
        ],
        "qualifications": [
            {
                "title": qualification.title,
                "country": qualification.country,
                "level": qualification.level,
                "recognition": qualification.recognition.value,
            }
            for qualification in worker.qualifications
        ],
        "consents": [
            {
                "purpose": consent.purpose,
                "text_version": consent.text_version,
                "given_at": consent.given_at,
                "withdrawn_at": consent.withdrawn_at,
            }
            for consent in worker.consents
        ],
        "account": _account(user),
        "audit_events": _events_about(session, worker),
    }


def _profile(session: Session, worker: Worker) -> dict[str, Any]:
    region_names = dict(session.execute(select(Region.id, Region.name)).all())
    provider = session.get(Organisation, worker.provider_id) if worker.provider_id else None
    return {
        "id": worker.id,
        "status": worker.status.value,
        "given_name": worker.given_name,
        "family_name": worker.family_name,
        "email": worker.email,
        "phone": worker.phone,
        "sex": worker.sex.value if worker.sex else None,
        "birth_year": worker.birth_year,
        "country_of_origin": worker.country_of_origin,
        "nationality": worker.nationality,
        "region": region_names.get(worker.region_id) if worker.region_id else None,
        "relocate_anywhere": worker.relocate_anywhere,
        "relocation_regions": sorted(
            region_names.get(link.region_id, "") for link in worker.relocation_regions
        ),
        "available_from": worker.available_from,
        "available_until": worker.available_until,
        "registered_by": provider.name if provider else None,
        "provider_reference": worker.external_id,
        "created_at": worker.created_at,
        "updated_at": worker.updated_at,
    }


def _account(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role.value,
        "created_at": user.created_at,
    }


def _events_about(session: Session, worker: Worker) -> list[dict[str, Any]]:
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == SUBJECT, AuditEvent.subject_id == worker.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [
        {
            "at": event.at,
            "who": event.actor_label,
            "action": event.action.value,
            "detail": event.detail,
        }
        for event in events
    ]


def export_worker_data(
    session: Session, actor: User, worker: Worker, *, form: str = "json"
) -> dict[str, Any]:
    """The worker's data for `actor` (already allowed to manage them); the export is audited."""
    with transaction(session):
        audit.record(session, actor, AuditAction.EXPORTED, SUBJECT, worker.id, form)
    return collect_worker_data(session, worker)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def as_json(data: dict[str, Any]) -> str:
    """The export as a JSON document people can read (UTF-8, indented, ISO dates)."""
    return json.dumps(
        {"exported_at": utcnow(), **data}, default=_plain, ensure_ascii=False, indent=2
    )


# --- erasure ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TallyFacts:
    """What statistics keep of an erased worker: no name, contact or exact birth year."""

    registered_month: str
    sex: str
    age_band: str
    country_of_origin: str
    region: str


def age_band(birth_year: int | None, in_year: int) -> str:
    """The statistics' ten-year band of someone's age in `in_year`, or "unknown"."""
    band = indicators.age_band(birth_year, in_year)
    return UNKNOWN if band == indicators.NOT_STATED else band


def tally_facts(session: Session, worker: Worker) -> TallyFacts:
    """The worker's statistics facts; the age band is their age in the month they registered."""
    region = session.get(Region, worker.region_id) if worker.region_id else None
    return TallyFacts(
        registered_month=worker.created_at.strftime("%Y-%m"),
        sex=worker.sex.value if worker.sex else UNKNOWN,
        age_band=age_band(worker.birth_year, worker.created_at.year),
        country_of_origin=worker.country_of_origin or UNKNOWN_COUNTRY,
        region=region.name if region else UNKNOWN,
    )


def may_erase(user: User, worker: Worker) -> bool:
    """Only the worker themself or an admin: a labour provider may not erase a person."""
    return user.role is Role.ADMIN or (worker.user_id is not None and worker.user_id == user.id)


def erase_worker(session: Session, actor: User, worker: Worker) -> TallyFacts:
    """Erase the worker's personal data everywhere, in one transaction; count them anonymously.

    Erased: the profile and all its rows, the login account with its login sessions, reset
    tokens and invites, login attempts and messages by or to their addresses. Kept: audit
    events without names or details, and +1 on the matching anonymous tally row.
    """
    if not may_erase(actor, worker):
        raise Forbidden(_("Only the worker or an administrator can delete this account."))
    facts = tally_facts(session, worker)
    with transaction(session):
        user = session.get(User, worker.user_id) if worker.user_id is not None else None
        addresses = {a for a in (worker.email, user.email if user else None) if a}
        audit.record(session, actor, AuditAction.ERASED, SUBJECT, worker.id)
        session.flush()
        _anonymise_events(session, worker, user)
        _end_placements(session, worker, user)
        session.execute(delete(WorkerInvite).where(WorkerInvite.worker_id == worker.id))
        session.delete(worker)
        session.flush()
        if user is not None:
            _delete_account(session, user)
        # an address someone else still logs in with is theirs too: their traces stay
        addresses -= set(session.scalars(select(User.email).where(User.email.in_(addresses))))
        if addresses:
            session.execute(delete(LoginAttempt).where(LoginAttempt.email.in_(addresses)))
            session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.in_(addresses)))
        _count_erased(session, facts)
    return facts


def _end_placements(session: Session, worker: Worker, user: User | None) -> None:
    """Unanswered proposals and offers end; what stays of the others (counted in statistics,
    they keep the vacancy's positions used) holds no word the worker wrote, and the messages
    that named them to their labour provider go."""
    placements.withdraw_unanswered(session, worker_id=worker.id, reason=placements.WORKER_LEFT)
    session.flush()
    theirs = select(Placement.id).where(Placement.worker_id == worker.id)
    session.execute(
        update(Placement).where(Placement.worker_id == worker.id).values(fee_details="")
    )
    if user is not None:
        session.execute(
            update(PlacementEvent)
            .where(PlacementEvent.placement_id.in_(theirs), PlacementEvent.actor_id == user.id)
            .values(reason="", actor_label=ERASED_ACTOR_LABEL)
        )
    link = placements.provider_link(worker.id)
    session.execute(delete(Notification).where(Notification.link == link))
    session.execute(delete(OutboxMessage).where(OutboxMessage.body.like(f"%{link}")))


def _anonymise_events(session: Session, worker: Worker, user: User | None) -> None:
    """Events keep what happened and when; no name, address or free text stays."""
    session.execute(
        update(AuditEvent)
        .where(AuditEvent.subject_type == SUBJECT, AuditEvent.subject_id == worker.id)
        .values(detail="")
    )
    if user is None:
        return
    labels = [audit.actor_label(user, role) for role in Role]
    session.execute(
        update(AuditEvent)
        .where(or_(AuditEvent.actor_id == user.id, AuditEvent.actor_label.in_(labels)))
        .values(actor_id=None, actor_label=ERASED_ACTOR_LABEL)
    )


def _delete_account(session: Session, user: User) -> None:
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    session.delete(user)
    session.flush()


def _count_erased(session: Session, facts: TallyFacts) -> None:
    """+1 on the row of these facts, created if missing: one statement, safe when two erase
    at once (INSERT ... ON CONFLICT DO UPDATE on SQLite and PostgreSQL alike)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(ErasedWorkerTally).values(**asdict(facts), count=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(asdict(facts)),
            set_={"count": ErasedWorkerTally.__table__.c.count + 1},
        )
    )
