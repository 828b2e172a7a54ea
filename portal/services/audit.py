"""The audit trail: one call records who did what to which personal data."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditAction, AuditEvent, Role, User
from portal.services.pages import Page, paginate


def actor_label(actor: User | None, role: Role | None = None) -> str:
    """How an event names who acted, kept even if the account goes (`role` overrides)."""
    if actor is None:
        return "system"
    return f"{actor.email} ({(role or actor.role).value})"


def role_in_label(label: str) -> str:
    """The kind of party a label of `actor_label` names ("employer", "system"), for readers
    who may know what kind of party acted but not who; "unknown" for any other text."""
    if label == "system":
        return label
    _who, opened, role = label.rpartition(" (")
    return role[:-1] if opened and role.endswith(")") and role[:-1] in set(Role) else "unknown"


def record(
    session: Session,
    actor: User | None,
    action: AuditAction,
    subject_type: str,
    subject_id: int,
    detail: str = "",
) -> None:
    """Add an event to the caller's transaction (the caller commits)."""
    label = actor_label(actor)
    session.add(
        AuditEvent(
            actor_id=actor.id if actor is not None else None,
            actor_label=label,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail[:500],
        )
    )


def trail(
    session: Session, *, subject_type: str, subject_id: int | None, page: int, size: int
) -> Page[AuditEvent]:
    statement = select(AuditEvent).where(AuditEvent.subject_type == subject_type)
    if subject_id is not None:
        statement = statement.where(AuditEvent.subject_id == subject_id)
    return paginate(
        session, statement.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), page, size
    )
