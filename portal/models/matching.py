"""Matching as stored: each run, the scored pairs with their explanations, and per worker the
skill gaps and the reason a round left them without a proposal.

Explanations are JSON written by `portal.matching` (structured codes, not sentences, so that
pages can say them in the reader's language).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, enum_by_value, utcnow


class MatchRunState(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class MatchRun(Base):
    """One scoring of open vacancies × available workers, and the round of proposals after it."""

    __tablename__ = "match_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[MatchRunState] = mapped_column(
        enum_by_value(MatchRunState), default=MatchRunState.RUNNING
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    workers: Mapped[int] = mapped_column(default=0)
    vacancies: Mapped[int] = mapped_column(default=0)
    matches: Mapped[int] = mapped_column(default=0)
    proposals: Mapped[int] = mapped_column(default=0)
    timings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # stage → seconds
    error: Mapped[str] = mapped_column(String(500), default="")


class Match(Base):
    """One worker × one open vacancy, scored and explained; kept while both are in the market."""

    __tablename__ = "matches"
    __table_args__ = (
        UniqueConstraint("worker_id", "vacancy_id"),
        Index("ix_matches_vacancy_score", "vacancy_id", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)  # 0-100
    essential_coverage: Mapped[float] = mapped_column(Float)  # 0-1
    eligible: Mapped[bool]  # every gate passed
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkerMatchNote(Base):
    """Per worker: the skills worth developing, and why the last round proposed them nothing."""

    __tablename__ = "worker_match_notes"

    worker_id: Mapped[int] = mapped_column(
        ForeignKey("workers.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("match_runs.id", ondelete="SET NULL"))
    skill_gaps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    no_proposal: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # None: proposed, or no round
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MatchingSettings(Base):
    """The admin's settings for matching: one row (id 1), defaults until an admin changes them."""

    __tablename__ = "matching_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    min_essential_coverage: Mapped[float] = mapped_column(Float, default=0.6)  # to be proposed
    min_score: Mapped[float] = mapped_column(Float, default=40.0)  # to be proposed
    candidates_per_vacancy: Mapped[int] = mapped_column(default=50)  # kept per vacancy
    matches_per_worker: Mapped[int] = mapped_column(default=5)  # kept per worker
    offer_hold_hours: Mapped[int] = mapped_column(default=72)
    proposal_days: Mapped[int] = mapped_column(default=14)  # a proposal no one acts on expires
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
