"""Placements: a worker proposed for, offered, accepting and starting a job, with every step
kept as an event.

Accepted and started placements use a vacancy's positions (`Vacancy.positions_taken`), which a
conditional UPDATE keeps at or below `Vacancy.positions` however many people act at once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, enum_by_value, utcnow


class PlacementState(StrEnum):
    PROPOSED = "proposed"  # by a matching round (or an admin)
    OFFERED = "offered"  # by the employer; holds a position until offer_expires_at
    ACCEPTED = "accepted"  # by the worker: uses a position
    STARTED = "started"  # uses a position
    FINISHED = "finished"  # the job ended: the position stays used, the worker is free again
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    NO_SHOW = "no-show"


LIVE_STATES = frozenset(
    {
        PlacementState.PROPOSED,
        PlacementState.OFFERED,
        PlacementState.ACCEPTED,
        PlacementState.STARTED,
    }
)
POSITION_STATES = frozenset(
    {PlacementState.ACCEPTED, PlacementState.STARTED, PlacementState.FINISHED}
)
"""Placements counted in `Vacancy.positions_taken`."""
EMPLOYED_STATES = frozenset({PlacementState.ACCEPTED, PlacementState.STARTED})
"""A worker with one of these holds a job: they are not matched or proposed elsewhere."""


class Placement(Base):
    __tablename__ = "placements"
    __table_args__ = (
        # one live placement per worker and vacancy; ended ones stay as history
        Index(
            "uq_placements_live_pair",
            "worker_id",
            "vacancy_id",
            unique=True,
            sqlite_where=text("state IN ('proposed', 'offered', 'accepted', 'started')"),
            postgresql_where=text("state IN ('proposed', 'offered', 'accepted', 'started')"),
        ),
        Index("ix_placements_vacancy_state", "vacancy_id", "state"),
        # the admins' board: newest first, of one state or of all (`_NEWEST_FIRST`)
        Index("ix_placements_state_newest", "state", "created_at", "id"),
        Index("ix_placements_newest", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), index=True
    )
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("match_runs.id", ondelete="SET NULL"))
    state: Mapped[PlacementState] = mapped_column(enum_by_value(PlacementState))
    score: Mapped[float | None]  # the match score when it was proposed or offered
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    offer_expires_at: Mapped[datetime | None]
    fee_asked: Mapped[bool | None]  # "Were you asked to pay anything to get this job?"
    fee_details: Mapped[str] = mapped_column(String(1000), default="")

    events: Mapped[list[PlacementEvent]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="PlacementEvent.id"
    )


class PlacementEvent(Base):
    """One transition: who, when, from which state to which, and why."""

    __tablename__ = "placement_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placements.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(300))
    from_state: Mapped[PlacementState | None] = mapped_column(
        enum_by_value(PlacementState, name="placementstate_from")
    )
    to_state: Mapped[PlacementState] = mapped_column(
        enum_by_value(PlacementState, name="placementstate_to")
    )
    reason: Mapped[str] = mapped_column(String(500), default="")


class Notification(Base):
    """A message in the portal for one user (the same news also goes out by e-mail)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # e.g. "offer-received", "fee-reported"
    text: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(300), default="")  # a path inside the portal
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
