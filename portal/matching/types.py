"""What the matcher reads and writes, as plain frozen values.

Services turn stored workers and vacancies into these; the core never sees a database row.
A worker's sex, age and origin have no field here: they cannot be inputs to a score.
Explanations hold codes and values, not sentences, so that pages say them in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

# --- the taxonomy as the matcher needs it ------------------------------------------------------


class SkillLink(StrEnum):
    """How a worker's skill answers a skill a vacancy asks for (best first)."""

    EXACT = "exact"  # the same concept
    NARROWER = "narrower"  # the worker's skill is a specialisation of the one asked for
    BROADER = "broader"  # the worker's skill is the more general one
    RELATED = "related"  # a skill-to-skill relation of the taxonomy
    SAME_GROUP = "same-group"  # both sit directly in the same skill group


LINK_CREDIT: Mapping[SkillLink, float] = {
    SkillLink.EXACT: 1.0,
    SkillLink.NARROWER: 0.8,
    SkillLink.BROADER: 0.6,
    SkillLink.RELATED: 0.5,
    SkillLink.SAME_GROUP: 0.3,
}
"""Share of a skill's credit each kind of link earns."""


class OccupationProximity(StrEnum):
    """How close a worker's experience is to the vacancy's occupation (ISCO-08 distance)."""

    SAME_OCCUPATION = "same-occupation"
    UNIT_GROUP = "unit-group"  # same 4-digit ISCO group
    MINOR_GROUP = "minor-group"  # same 3 digits
    SUB_MAJOR_GROUP = "sub-major-group"  # same 2 digits


PROXIMITY_CREDIT: Mapping[OccupationProximity, float] = {
    OccupationProximity.SAME_OCCUPATION: 1.0,
    OccupationProximity.UNIT_GROUP: 0.8,
    OccupationProximity.MINOR_GROUP: 0.5,
    OccupationProximity.SUB_MAJOR_GROUP: 0.25,
}


@dataclass(frozen=True, slots=True)
class SkillGraph:
    """The skill relations and occupation codes of one taxonomy version.

    `links[a][b]` is how skill `b` (held by a worker) answers skill `a` (asked for), for every
    pair that is not exact; `isco_of` maps an occupation URI to its 4-digit ISCO unit group.
    """

    links: Mapping[str, Mapping[str, SkillLink]]
    isco_of: Mapping[str, str]


# --- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SkillRef:
    uri: str
    label: str  # as the worker confirmed it or the employer listed it


@dataclass(frozen=True, slots=True)
class ExperienceRef:
    occupation_uri: str
    label: str
    years: float


LANGUAGE_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2", "native")
"""CEFR levels in order; a level meets a requirement when it is at or after it here."""


@dataclass(frozen=True, slots=True)
class WorkerProfile:
    """An available worker: confirmed skills only (unmapped words cannot be matched)."""

    id: int
    skills: tuple[SkillRef, ...]
    experiences: tuple[ExperienceRef, ...] = ()
    languages: Mapping[str, str] = field(default_factory=dict)  # code → CEFR level
    region_id: int | None = None
    accepted_regions: frozenset[int] = frozenset()  # beside their own region
    relocate_anywhere: bool = False
    available_from: date | None = None
    available_until: date | None = None


@dataclass(frozen=True, slots=True)
class VacancyProfile:
    id: int
    title: str
    occupation_uri: str | None
    isco_code: str | None
    essential: tuple[SkillRef, ...]
    optional: tuple[SkillRef, ...] = ()
    languages: Mapping[str, str] = field(default_factory=dict)  # code → minimum CEFR level
    region_id: int = 0
    start_date: date | None = None
    end_date: date | None = None
    positions_left: int = 1  # positions not yet used or promised


# --- outputs ------------------------------------------------------------------------------------


class Gate(StrEnum):
    AVAILABILITY = "availability"
    PLACE = "place"


class GateReason(StrEnum):
    # availability
    DATES_OVERLAP = "dates-overlap"
    AVAILABLE_AFTER_END = "available-after-end"  # the worker is free only after the job ends
    UNAVAILABLE_BEFORE_START = "unavailable-before-start"  # their availability ends too early
    # place
    SAME_REGION = "same-region"
    ACCEPTS_REGION = "accepts-region"  # listed among the regions they would move to
    RELOCATES_ANYWHERE = "relocates-anywhere"
    REGION_NOT_ACCEPTED = "region-not-accepted"


@dataclass(frozen=True, slots=True)
class GateResult:
    gate: Gate
    passed: bool
    reason: GateReason


@dataclass(frozen=True, slots=True)
class SkillMatch:
    """A vacancy skill answered by a distinct worker skill (one to one)."""

    wanted: SkillRef
    offered: SkillRef
    link: SkillLink
    credit: float  # LINK_CREDIT[link]


@dataclass(frozen=True, slots=True)
class ExperienceMatch:
    experience: ExperienceRef
    proximity: OccupationProximity
    credit: float  # 0-1, with the years


@dataclass(frozen=True, slots=True)
class LanguageCheck:
    code: str
    required: str
    held: str | None
    met: bool


@dataclass(frozen=True, slots=True)
class ScoreParts:
    """Each part 0-1 (None: the vacancy does not ask for it), the weights used, and the demotion
    factor applied for low essential-skill coverage."""

    essential: float
    optional: float | None
    experience: float
    languages: float | None
    weights: Mapping[str, float]
    demotion: float  # 1.0 when essential coverage is high enough; never below DEMOTION_FLOOR


@dataclass(frozen=True, slots=True)
class Explanation:
    essential_matched: tuple[SkillMatch, ...]
    essential_missing: tuple[SkillRef, ...]
    optional_matched: tuple[SkillMatch, ...]
    optional_missing: tuple[SkillRef, ...]
    experience: ExperienceMatch | None
    languages: tuple[LanguageCheck, ...]
    gates: tuple[GateResult, ...]
    parts: ScoreParts
    no_skills_listed: bool = False  # the vacancy lists no essential skill: experience stands in


@dataclass(frozen=True, slots=True)
class MatchScore:
    worker_id: int
    vacancy_id: int
    score: float  # 0-100; 0 when a gate fails
    essential_coverage: float  # 0-1
    eligible: bool  # every gate passed
    explanation: Explanation


@dataclass(frozen=True, slots=True)
class SkillGap:
    """A skill the worker lacks that open vacancies ask for: worth developing."""

    skill: SkillRef
    unlocks: int  # vacancies it would bring above the quality threshold
    wanted_by: int  # vacancies (passing the worker's gates) that list it as essential


@dataclass(frozen=True, slots=True)
class Quality:
    """The minimum match quality for a proposal (an admin setting)."""

    min_essential_coverage: float = 0.6
    min_score: float = 40.0

    def accepts(self, match: MatchScore) -> bool:
        return (
            match.eligible
            and match.essential_coverage >= self.min_essential_coverage
            and match.score >= self.min_score
        )


# --- proposals ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proposal:
    worker_id: int
    vacancy_id: int
    score: float


class NoProposalReason(StrEnum):
    """Why a round left a worker without a proposal (most specific first)."""

    ALREADY_PLACED = "already-placed"  # a live offer or placement already
    NO_OPEN_VACANCY = "no-open-vacancy"
    NO_VACANCY_IN_REGIONS = "no-vacancy-in-regions"  # none in the regions they accept
    NO_VACANCY_ON_DATES = "no-vacancy-on-dates"  # some in their regions, none on their dates
    BELOW_QUALITY = "below-quality"  # eligible somewhere, but under the minimum match quality
    POSITIONS_TAKEN = "positions-taken"  # good enough, but the positions went to others


@dataclass(frozen=True, slots=True)
class NoProposal:
    """The reason, with the vacancy that came closest and what the worker lacked for it."""

    worker_id: int
    reason: NoProposalReason
    vacancy_id: int | None = None
    vacancy_title: str = ""
    positions: int = 0  # positions of that vacancy given out in this round
    winners_covered: int = 0  # the fewest essential skills covered by a worker who got one
    covered: int = 0  # essential skills this worker covers there
    essential_total: int = 0
    missing: tuple[SkillRef, ...] = ()
