"""The taxonomy as plain values: what the resolver, the matcher and the loaders share.

No Flask and no SQLAlchemy here. Concepts are identified by a stable URI (the ESCO URI where
there is one); every concept carries its labels in every language the source provides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class LabelKind(StrEnum):
    PREFERRED = "preferred"
    ALTERNATIVE = "alternative"
    HIDDEN = "hidden"
    LEARNED = "learned"


class SkillType(StrEnum):
    SKILL = "skill/competence"
    KNOWLEDGE = "knowledge"


class ReuseLevel(StrEnum):
    TRANSVERSAL = "transversal"
    CROSS_SECTOR = "cross-sector"
    SECTOR_SPECIFIC = "sector-specific"
    OCCUPATION_SPECIFIC = "occupation-specific"


class RelationType(StrEnum):
    ESSENTIAL = "essential"
    OPTIONAL = "optional"


@dataclass(frozen=True, slots=True)
class Label:
    text: str
    lang: str
    kind: LabelKind = LabelKind.PREFERRED


def preferred_label(labels: Iterable[Label], lang: str, fallback: str = "en") -> str:
    """The preferred label in `lang`, else in `fallback`, else any label at all."""
    best: dict[str, str] = {}
    first = ""
    for label in labels:
        first = first or label.text
        if label.kind is LabelKind.PREFERRED:
            best.setdefault(label.lang, label.text)
    return best.get(lang) or best.get(fallback) or first


@dataclass(frozen=True, slots=True)
class IscoGroup:
    """An ISCO-08 group: major (1 digit), sub-major (2), minor (3) or unit group (4)."""

    uri: str
    code: str
    labels: tuple[Label, ...]
    description: str = ""

    @property
    def level(self) -> int:
        return len(self.code)

    @property
    def parent_code(self) -> str | None:
        return self.code[:-1] or None


@dataclass(frozen=True, slots=True)
class SkillGroup:
    """A node of the skills hierarchy (ESCO skill groups, or our sector groups)."""

    uri: str
    code: str
    labels: tuple[Label, ...]
    broader: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class Skill:
    uri: str
    labels: tuple[Label, ...]
    skill_type: SkillType | None = None
    reuse_level: ReuseLevel | None = None
    description: str = ""
    broader: tuple[str, ...] = ()  # URIs of broader skills or skill groups


@dataclass(frozen=True, slots=True)
class Occupation:
    uri: str
    isco_code: str  # the ISCO-08 unit group (4 digits) the occupation belongs to
    labels: tuple[Label, ...]
    code: str = ""  # e.g. ESCO's "8344.1"
    description: str = ""
    broader: tuple[str, ...] = ()  # a broader occupation, where the source nests them


@dataclass(frozen=True, slots=True)
class OccupationSkill:
    occupation_uri: str
    skill_uri: str
    relation: RelationType


@dataclass(frozen=True, slots=True)
class SkillRelation:
    skill_uri: str
    related_uri: str
    relation: RelationType


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """One complete taxonomy version, as read from its source files."""

    name: str
    source: str
    languages: tuple[str, ...]
    isco_groups: tuple[IscoGroup, ...] = ()
    skill_groups: tuple[SkillGroup, ...] = ()
    skills: tuple[Skill, ...] = ()
    occupations: tuple[Occupation, ...] = ()
    occupation_skills: tuple[OccupationSkill, ...] = ()
    skill_relations: tuple[SkillRelation, ...] = ()


class TaxonomyFileError(Exception):
    """A source file that cannot be read: names the file and, where known, the line."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {message}")
