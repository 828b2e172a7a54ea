"""Who viewed or changed what, and when: personal data is never touched without a trace."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, enum_by_value, utcnow


class AuditAction(StrEnum):
    CREATED = "created"
    VIEWED = "viewed"
    CHANGED = "changed"
    EXPORTED = "exported"
    CONSENT_WITHDRAWN = "consent-withdrawn"
    ERASED = "erased"
    IMPORTED = "imported"


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_label: Mapped[str] = mapped_column(String(300))  # who, kept if the account goes
    action: Mapped[AuditAction] = mapped_column(enum_by_value(AuditAction))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    detail: Mapped[str] = mapped_column(String(500), default="")
