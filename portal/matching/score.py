"""One worker × one vacancy → a score with its explanation: the one source of truth for a pair.

The engine ranks a whole market with a vectorised upper bound of this score, then calls
:func:`score` on the pairs it keeps; anything that changes here must keep that bound above.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
from scipy.optimize import linear_sum_assignment

from portal.matching.types import (
    LANGUAGE_LEVELS,
    LINK_CREDIT,
    PROXIMITY_CREDIT,
    ExperienceMatch,
    ExperienceRef,
    Explanation,
    Gate,
    GateReason,
    GateResult,
    LanguageCheck,
    MatchScore,
    OccupationProximity,
    ScoreParts,
    SkillGraph,
    SkillLink,
    SkillMatch,
    SkillRef,
    VacancyProfile,
    WorkerProfile,
)

ESSENTIAL_WEIGHT = 0.6
OPTIONAL_WEIGHT = 0.15
EXPERIENCE_WEIGHT = 0.15
LANGUAGES_WEIGHT = 0.10
PARTS = ("essential", "optional", "experience", "languages")

DEMOTION_FLOOR = 0.25
"""The least a score keeps of itself when essential coverage is low."""
DEMOTION_BELOW = 0.5
"""Essential coverage under which a score is demoted, in proportion, down to DEMOTION_FLOOR."""

YEARS_BASE = 0.6
YEARS_STEP = 0.2
"""Experience counts YEARS_BASE + YEARS_STEP per year of its proximity credit, at most all of it."""

_TIE_BREAK = 1e-9  # favours earlier skills among equally good assignments; far below 0.1 credit


def _weights(has_optional: bool, has_languages: bool) -> Mapping[str, float]:
    base = {
        "essential": ESSENTIAL_WEIGHT,
        "optional": OPTIONAL_WEIGHT if has_optional else 0.0,
        "experience": EXPERIENCE_WEIGHT,
        "languages": LANGUAGES_WEIGHT if has_languages else 0.0,
    }
    total = sum(base.values())
    return MappingProxyType({part: weight / total for part, weight in base.items()})


WEIGHTS: Mapping[tuple[bool, bool], Mapping[str, float]] = {
    (optional, languages): _weights(optional, languages)
    for optional in (False, True)
    for languages in (False, True)
}
"""The weights of the parts by (vacancy lists optional skills, vacancy requires languages): a
part the vacancy does not ask for gives its weight to the others in proportion."""


def score(worker: WorkerProfile, vacancy: VacancyProfile, graph: SkillGraph) -> MatchScore:
    """The score (0-100) of a worker for a vacancy, with everything a page needs to say why.

    A failed gate makes the score 0 but the explanation stays complete.
    """
    gates = (availability_gate(worker, vacancy), place_gate(worker, vacancy))
    essential_matched, essential_missing, used = assign_skills(
        vacancy.essential, worker.skills, graph.links
    )
    optional_matched, optional_missing, _ = assign_skills(
        vacancy.optional, worker.skills, graph.links, taken=used
    )
    experience = best_experience(worker.experiences, vacancy, graph.isco_of)
    languages = check_languages(worker.languages, vacancy.languages)

    experience_part = experience.credit if experience else 0.0
    if vacancy.essential:
        essential = sum(m.credit for m in essential_matched) / len(vacancy.essential)
    else:
        essential = experience_part  # not a free pass: experience in the occupation stands in
    optional = (
        sum(m.credit for m in optional_matched) / len(vacancy.optional)
        if vacancy.optional
        else None
    )
    languages_part = sum(c.met for c in languages) / len(languages) if languages else None
    weights = WEIGHTS[optional is not None, languages_part is not None]
    demotion = demotion_for(essential)
    total = (
        weights["essential"] * essential
        + weights["optional"] * (optional or 0.0)
        + weights["experience"] * experience_part
        + weights["languages"] * (languages_part or 0.0)
    )
    eligible = gates[0].passed and gates[1].passed
    parts = ScoreParts(essential, optional, experience_part, languages_part, weights, demotion)
    return MatchScore(
        worker_id=worker.id,
        vacancy_id=vacancy.id,
        score=round(100.0 * demotion * total, 1) if eligible else 0.0,
        essential_coverage=essential,
        eligible=eligible,
        explanation=Explanation(
            essential_matched=essential_matched,
            essential_missing=essential_missing,
            optional_matched=optional_matched,
            optional_missing=optional_missing,
            experience=experience,
            languages=languages,
            gates=gates,
            parts=parts,
            no_skills_listed=not vacancy.essential,
        ),
    )


def demotion_for(essential_coverage: float) -> float:
    """Low essential coverage demotes a pair rather than excluding it."""
    if essential_coverage >= DEMOTION_BELOW:
        return 1.0
    return max(DEMOTION_FLOOR, essential_coverage / DEMOTION_BELOW)


def assign_skills(
    wanted: Sequence[SkillRef],
    offered: Sequence[SkillRef],
    links: Mapping[str, Mapping[str, SkillLink]],
    taken: frozenset[int] = frozenset(),
) -> tuple[tuple[SkillMatch, ...], tuple[SkillRef, ...], frozenset[int]]:
    """Each wanted skill answered by a distinct offered skill (not in `taken`), maximising the
    total credit; returns the matches, the wanted skills left unanswered, and the offered
    indices used. Among equally good assignments, earlier skills are matched first."""
    if not wanted:
        return (), (), taken
    offered_at: dict[str, list[int]] = {}
    for j, offer in enumerate(offered):
        if j not in taken:
            offered_at.setdefault(offer.uri, []).append(j)
    edges: list[tuple[int, int, SkillLink]] = []
    partial = False
    for i, want in enumerate(wanted):
        edges += [(i, j, SkillLink.EXACT) for j in offered_at.get(want.uri, ())]
        near = links.get(want.uri)
        if near:
            for uri in [uri for uri in offered_at if uri in near]:
                edges += [(i, j, near[uri]) for j in offered_at[uri]]
                partial = True
    chosen = _best_assignment(edges) if partial else _exact_assignment(edges)
    matched = tuple(
        SkillMatch(wanted[i], offered[j], link, LINK_CREDIT[link]) for i, (j, link) in chosen
    )
    answered = {i for i, _ in chosen}
    missing = tuple(want for i, want in enumerate(wanted) if i not in answered)
    return matched, missing, taken | {j for _, (j, _) in chosen}


def _exact_assignment(
    edges: list[tuple[int, int, SkillLink]],
) -> list[tuple[int, tuple[int, SkillLink]]]:
    """With exact links only, the first free offered copy of each wanted skill is optimal."""
    chosen: dict[int, tuple[int, SkillLink]] = {}
    used: set[int] = set()
    for i, j, link in edges:
        if i not in chosen and j not in used:
            chosen[i] = (j, link)
            used.add(j)
    return sorted(chosen.items())


def _best_assignment(
    edges: list[tuple[int, int, SkillLink]],
) -> list[tuple[int, tuple[int, SkillLink]]]:
    rows = sorted({i for i, _, _ in edges})
    cols = sorted({j for _, j, _ in edges})
    row_of = {i: r for r, i in enumerate(rows)}
    col_of = {j: c for c, j in enumerate(cols)}
    credit = np.zeros((len(rows), len(cols)))
    link_at: dict[tuple[int, int], SkillLink] = {}
    for i, j, link in edges:
        r, c = row_of[i], col_of[j]
        credit[r, c] = LINK_CREDIT[link] - _TIE_BREAK * (r * len(cols) + c) / credit.size
        link_at[r, c] = link
    picked_rows, picked_cols = linear_sum_assignment(credit, maximize=True)
    return [
        (rows[r], (cols[c], link_at[r, c]))
        for r, c in zip(picked_rows.tolist(), picked_cols.tolist(), strict=True)
        if (r, c) in link_at
    ]


ISCO_LEVELS = (
    (4, OccupationProximity.UNIT_GROUP),
    (3, OccupationProximity.MINOR_GROUP),
    (2, OccupationProximity.SUB_MAJOR_GROUP),
)
"""How many leading ISCO digits two occupations share → how close they are."""


def years_factor(years: float) -> float:
    return min(1.0, YEARS_BASE + YEARS_STEP * max(0.0, years))


def vacancy_isco(vacancy: VacancyProfile, isco_of: Mapping[str, str]) -> str | None:
    """The vacancy's ISCO unit group, from its occupation when it does not say."""
    if vacancy.isco_code:
        return vacancy.isco_code
    return isco_of.get(vacancy.occupation_uri) if vacancy.occupation_uri else None


def occupation_proximity(
    occupation_uri: str, isco: str | None, vacancy_uri: str | None, vacancy_code: str | None
) -> OccupationProximity | None:
    if vacancy_uri is not None and occupation_uri == vacancy_uri:
        return OccupationProximity.SAME_OCCUPATION
    if not isco or not vacancy_code:
        return None
    for digits, proximity in ISCO_LEVELS:
        if len(isco) >= digits and isco[:digits] == vacancy_code[:digits]:
            return proximity
    return None


def best_experience(
    experiences: Sequence[ExperienceRef], vacancy: VacancyProfile, isco_of: Mapping[str, str]
) -> ExperienceMatch | None:
    """The worker's experience that counts most for the vacancy (the first among equals)."""
    code = vacancy_isco(vacancy, isco_of)
    best: ExperienceMatch | None = None
    for experience in experiences:
        proximity = occupation_proximity(
            experience.occupation_uri,
            isco_of.get(experience.occupation_uri),
            vacancy.occupation_uri,
            code,
        )
        if proximity is None:
            continue
        credit = PROXIMITY_CREDIT[proximity] * years_factor(experience.years)
        if best is None or credit > best.credit:
            best = ExperienceMatch(experience, proximity, credit)
    return best


def language_rank(level: str | None) -> int:
    """Position in LANGUAGE_LEVELS; -1 for a level we do not know, -2 for none at all."""
    if level is None:
        return -2
    return LANGUAGE_LEVELS.index(level) if level in LANGUAGE_LEVELS else -1


def check_languages(
    held: Mapping[str, str], required: Mapping[str, str]
) -> tuple[LanguageCheck, ...]:
    checks = []
    for code, level in required.items():
        have = held.get(code)
        met = have is not None and language_rank(have) >= language_rank(level)
        checks.append(LanguageCheck(code, level, have, met))
    return tuple(checks)


def availability_gate(worker: WorkerProfile, vacancy: VacancyProfile) -> GateResult:
    """Open-ended dates (None) overlap everything on that side."""
    start, end = vacancy.start_date, vacancy.end_date
    if worker.available_from and end and worker.available_from > end:
        return GateResult(Gate.AVAILABILITY, False, GateReason.AVAILABLE_AFTER_END)
    if worker.available_until and start and worker.available_until < start:
        return GateResult(Gate.AVAILABILITY, False, GateReason.UNAVAILABLE_BEFORE_START)
    return GateResult(Gate.AVAILABILITY, True, GateReason.DATES_OVERLAP)


def place_gate(worker: WorkerProfile, vacancy: VacancyProfile) -> GateResult:
    if worker.region_id is not None and worker.region_id == vacancy.region_id:
        return GateResult(Gate.PLACE, True, GateReason.SAME_REGION)
    if vacancy.region_id in worker.accepted_regions:
        return GateResult(Gate.PLACE, True, GateReason.ACCEPTS_REGION)
    if worker.relocate_anywhere:
        return GateResult(Gate.PLACE, True, GateReason.RELOCATES_ANYWHERE)
    return GateResult(Gate.PLACE, False, GateReason.REGION_NOT_ACCEPTED)
