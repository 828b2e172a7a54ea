"""Workers: who they are, what they can do (in their own words and in the taxonomy), where and
when they can work, and what they consented to.

Sex, birth year and origin exist for statistics only; nothing in matching reads them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, enum_by_value, utcnow
from portal.models.taxonomy import LABEL_MAX, URI_MAX

NAME_PART_MAX = 100
PHONE_MAX = 40
WORDS_MAX = 200


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    NOT_STATED = "not-stated"  # "prefer not to say"


class LanguageLevel(StrEnum):
    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"
    NATIVE = "native"


class Evidence(StrEnum):
    SELF_DECLARED = "self-declared"
    CERTIFICATE = "certificate"
    ASSESSED = "assessed"
    RECOGNISED = "recognised"


class SkillSource(StrEnum):
    TYPED = "typed"  # the worker's own words
    CHECKLIST = "checklist"  # ticked from an occupation's essential skills
    UPLOAD = "upload"  # a labour provider's file


class ExperienceKind(StrEnum):
    PAID = "paid"
    INFORMAL = "informal"
    UNPAID = "unpaid"


class Recognition(StrEnum):
    NOT_REQUESTED = "not-requested"
    REQUESTED = "requested"
    RECOGNISED = "recognised"
    PARTLY_RECOGNISED = "partly-recognised"
    REFUSED = "refused"


class ProfileStatus(StrEnum):
    DRAFT = "draft"  # registration not finished
    ACTIVE = "active"  # consented: available to matching
    CONSENT_WITHDRAWN = "consent-withdrawn"


class Worker(Base):
    __tablename__ = "workers"
    __table_args__ = (
        UniqueConstraint("provider_id", "external_id"),
        CheckConstraint(
            "birth_year IS NULL OR (birth_year >= 1900 AND birth_year <= 2100)", name="birth_year"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(100))  # the provider's own id
    status: Mapped[ProfileStatus] = mapped_column(
        enum_by_value(ProfileStatus), default=ProfileStatus.DRAFT
    )
    given_name: Mapped[str] = mapped_column(String(NAME_PART_MAX))
    family_name: Mapped[str] = mapped_column(String(NAME_PART_MAX), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(PHONE_MAX))
    sex: Mapped[Sex | None] = mapped_column(enum_by_value(Sex))
    birth_year: Mapped[int | None]
    country_of_origin: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    nationality: Mapped[str | None] = mapped_column(String(2))
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    relocate_anywhere: Mapped[bool] = mapped_column(default=False)
    available_from: Mapped[date | None]
    available_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    relocation_regions: Mapped[list[WorkerRelocationRegion]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    languages: Mapped[list[WorkerLanguage]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="WorkerLanguage.code"
    )
    skills: Mapped[list[WorkerSkill]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="WorkerSkill.id"
    )
    experiences: Mapped[list[WorkerExperience]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="WorkerExperience.id"
    )
    qualifications: Mapped[list[WorkerQualification]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="WorkerQualification.id"
    )
    consents: Mapped[list[ConsentRecord]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ConsentRecord.id"
    )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class WorkerRelocationRegion(Base):
    __tablename__ = "worker_relocation_regions"

    worker_id: Mapped[int] = mapped_column(
        ForeignKey("workers.id", ondelete="CASCADE"), primary_key=True
    )
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True
    )


class WorkerLanguage(Base):
    __tablename__ = "worker_languages"

    worker_id: Mapped[int] = mapped_column(
        ForeignKey("workers.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(3), primary_key=True)  # ISO 639-1 (or 639-2)
    level: Mapped[LanguageLevel] = mapped_column(enum_by_value(LanguageLevel))


class WorkerSkill(Base):
    """A skill in the worker's words, and the taxonomy concept it was confirmed to mean.

    `concept_uri` is None while the words are unmapped (kept, shown for review, never dropped).
    """

    __tablename__ = "worker_skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    words: Mapped[str] = mapped_column(String(WORDS_MAX))
    concept_uri: Mapped[str | None] = mapped_column(String(URI_MAX), index=True)
    concept_label: Mapped[str | None] = mapped_column(String(LABEL_MAX))  # as confirmed
    score: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[Evidence] = mapped_column(
        enum_by_value(Evidence), default=Evidence.SELF_DECLARED
    )
    source: Mapped[SkillSource] = mapped_column(enum_by_value(SkillSource))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkerExperience(Base):
    __tablename__ = "worker_experiences"
    __table_args__ = (CheckConstraint("years >= 0 AND years <= 70", name="years"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    words: Mapped[str] = mapped_column(String(WORDS_MAX))
    occupation_uri: Mapped[str | None] = mapped_column(String(URI_MAX))
    occupation_label: Mapped[str | None] = mapped_column(String(LABEL_MAX))
    years: Mapped[float] = mapped_column(Float)
    kind: Mapped[ExperienceKind] = mapped_column(
        enum_by_value(ExperienceKind), default=ExperienceKind.PAID
    )


class WorkerQualification(Base):
    __tablename__ = "worker_qualifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(WORDS_MAX))
    country: Mapped[str | None] = mapped_column(String(2))
    level: Mapped[str] = mapped_column(String(100), default="")
    recognition: Mapped[Recognition] = mapped_column(
        enum_by_value(Recognition), default=Recognition.NOT_REQUESTED
    )


class ConsentRecord(Base):
    """One consent to one purpose, with the exact text version the worker saw."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(50))
    text_version: Mapped[str] = mapped_column(String(50))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None]


class WorkerInvite(Base):
    """A one-time link a provider sends so that a worker it registered gets a login."""

    __tablename__ = "worker_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ErasedWorkerTally(Base):
    """What statistics keep of erased workers: counts only, no person.

    One row per combination; `count` goes up by one per erased worker.
    """

    __tablename__ = "erased_worker_tallies"
    __table_args__ = (
        UniqueConstraint("registered_month", "sex", "age_band", "country_of_origin", "region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registered_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    sex: Mapped[str] = mapped_column(String(20))
    age_band: Mapped[str] = mapped_column(String(10))
    country_of_origin: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(default=0)
