"""Vacancies: what an employer needs, on what terms, and the pledge that workers pay no fees.

A vacancy goes draft → submitted → open → filled / closed / expired; an admin may send it back
(with a reason) or reject it. Only open vacancies are public.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, enum_by_value, utcnow
from portal.models.taxonomy import LABEL_MAX, URI_MAX
from portal.models.workers import WORDS_MAX, LanguageLevel, SkillSource
from portal.taxonomy.model import RelationType

TITLE_MAX = 200
POSITIONS_MAX = 10_000


class VacancyState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for moderation
    SENT_BACK = "sent-back"  # an admin asked for changes
    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"
    EXPIRED = "expired"
    REJECTED = "rejected"


EDITABLE_STATES = frozenset({VacancyState.DRAFT, VacancyState.SENT_BACK})


class PayPeriod(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    PIECE = "piece"


class Vacancy(Base):
    __tablename__ = "vacancies"
    __table_args__ = (
        UniqueConstraint("organisation_id", "external_id"),
        CheckConstraint(f"positions >= 1 AND positions <= {POSITIONS_MAX}", name="positions"),
        CheckConstraint("positions_taken >= 0 AND positions_taken <= positions", name="taken"),
        CheckConstraint("pay_amount IS NULL OR pay_amount >= 0", name="pay"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[VacancyState] = mapped_column(
        enum_by_value(VacancyState), default=VacancyState.DRAFT, index=True
    )
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    occupation_words: Mapped[str] = mapped_column(String(WORDS_MAX), default="")
    occupation_uri: Mapped[str | None] = mapped_column(String(URI_MAX))
    occupation_label: Mapped[str | None] = mapped_column(String(LABEL_MAX))
    isco_code: Mapped[str | None] = mapped_column(String(4), index=True)  # for sector filters
    description: Mapped[str] = mapped_column(Text, default="")
    positions: Mapped[int]
    positions_taken: Mapped[int] = mapped_column(default=0)
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    workplace: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    apply_by: Mapped[date | None]  # end of the application window
    hours_per_week: Mapped[float | None]
    pay_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    pay_currency: Mapped[str | None] = mapped_column(String(3))
    pay_period: Mapped[PayPeriod | None] = mapped_column(enum_by_value(PayPeriod))
    accommodation: Mapped[bool] = mapped_column(default=False)
    transport: Mapped[bool] = mapped_column(default=False)
    no_fee_pledge: Mapped[bool] = mapped_column(default=False)
    pledged_at: Mapped[datetime | None]
    pledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderation_note: Mapped[str] = mapped_column(String(1000), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]

    skills: Mapped[list[VacancySkill]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="VacancySkill.id"
    )
    languages: Mapped[list[VacancyLanguage]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="VacancyLanguage.code"
    )

    @property
    def positions_left(self) -> int:
        return self.positions - self.positions_taken


class VacancySkill(Base):
    __tablename__ = "vacancy_skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(
        ForeignKey("vacancies.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[RelationType] = mapped_column(enum_by_value(RelationType))
    words: Mapped[str] = mapped_column(String(WORDS_MAX))
    concept_uri: Mapped[str | None] = mapped_column(String(URI_MAX), index=True)
    concept_label: Mapped[str | None] = mapped_column(String(LABEL_MAX))
    source: Mapped[SkillSource] = mapped_column(enum_by_value(SkillSource))


class VacancyLanguage(Base):
    __tablename__ = "vacancy_languages"

    vacancy_id: Mapped[int] = mapped_column(
        ForeignKey("vacancies.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    min_level: Mapped[LanguageLevel] = mapped_column(enum_by_value(LanguageLevel))
