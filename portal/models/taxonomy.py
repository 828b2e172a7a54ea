"""Taxonomy versions as stored: concepts, their labels in every language, and relations.

One table holds every kind of concept (ISCO groups, skill groups, skills, occupations) so that
labels and broader relations need one table each. Learned labels are keyed by concept URI, not by
version: what people taught the portal survives a re-import.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, enum_by_value, utcnow
from portal.taxonomy.model import LabelKind, RelationType, ReuseLevel, SkillType

URI_MAX = 300
LABEL_MAX = 500


class ConceptKind(StrEnum):
    ISCO_GROUP = "isco-group"
    SKILL_GROUP = "skill-group"
    SKILL = "skill"
    OCCUPATION = "occupation"


class TaxonomyVersion(Base):
    __tablename__ = "taxonomy_versions"
    __table_args__ = (
        Index(
            "uq_taxonomy_versions_one_active",
            "is_active",
            unique=True,
            sqlite_where=text("is_active"),
            postgresql_where=text("is_active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    source: Mapped[str] = mapped_column(String(500))
    languages: Mapped[str] = mapped_column(String(100))  # comma-separated language codes
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_active: Mapped[bool] = mapped_column(default=False)

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class Concept(Base):
    __tablename__ = "concepts"
    __table_args__ = (
        UniqueConstraint("version_id", "uri"),
        Index("ix_concepts_version_kind", "version_id", "kind"),
        Index("ix_concepts_version_code", "version_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("taxonomy_versions.id", ondelete="CASCADE"))
    kind: Mapped[ConceptKind] = mapped_column(enum_by_value(ConceptKind))
    uri: Mapped[str] = mapped_column(String(URI_MAX))
    code: Mapped[str | None] = mapped_column(String(30))  # ISCO code, skill group code ...
    isco_code: Mapped[str | None] = mapped_column(String(4))  # an occupation's unit group
    skill_type: Mapped[SkillType | None] = mapped_column(enum_by_value(SkillType))
    reuse_level: Mapped[ReuseLevel | None] = mapped_column(enum_by_value(ReuseLevel))
    description: Mapped[str] = mapped_column(Text, default="")

    labels: Mapped[list[ConceptLabel]] = relationship(
        back_populates="concept", cascade="all, delete-orphan", passive_deletes=True
    )


class ConceptLabel(Base):
    __tablename__ = "concept_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_id: Mapped[int] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), index=True
    )
    lang: Mapped[str] = mapped_column(String(8))
    kind: Mapped[LabelKind] = mapped_column(enum_by_value(LabelKind))
    text: Mapped[str] = mapped_column(String(LABEL_MAX))

    concept: Mapped[Concept] = relationship(back_populates="labels")


class ConceptBroader(Base):
    """`concept` is narrower than `broader` (skill → group, group → group, occupation → ...)."""

    __tablename__ = "concept_broader"

    concept_id: Mapped[int] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), primary_key=True
    )
    broader_id: Mapped[int] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class OccupationSkillLink(Base):
    __tablename__ = "occupation_skills"

    occupation_id: Mapped[int] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    relation: Mapped[RelationType] = mapped_column(enum_by_value(RelationType))


class SkillRelationLink(Base):
    __tablename__ = "skill_relations"

    skill_id: Mapped[int] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), primary_key=True
    )
    related_id: Mapped[int] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    relation: Mapped[RelationType] = mapped_column(enum_by_value(RelationType))


class LearnedLabel(Base):
    """Words people confirmed as meaning a concept; they rank that concept first next time."""

    __tablename__ = "learned_labels"
    __table_args__ = (UniqueConstraint("concept_uri", "lang", "normalised"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_uri: Mapped[str] = mapped_column(String(URI_MAX), index=True)
    concept_kind: Mapped[ConceptKind] = mapped_column(enum_by_value(ConceptKind))
    lang: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(String(LABEL_MAX))
    normalised: Mapped[str] = mapped_column(String(LABEL_MAX))
    confirmations: Mapped[int] = mapped_column(default=1)
    first_confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class LearnedLabelConfirmation(Base):
    """Who confirmed a learned label, and when: learned labels stay attributable."""

    __tablename__ = "learned_label_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    learned_label_id: Mapped[int] = mapped_column(
        ForeignKey("learned_labels.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
