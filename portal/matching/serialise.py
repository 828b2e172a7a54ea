"""Explanations, skill gaps and reasons for no proposal as JSON-safe values, for JSON columns.

Only str, float, int, bool, None, lists and dicts come out; reading them back gives values equal
to the ones written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portal.matching.types import (
    LINK_CREDIT,
    ExperienceMatch,
    ExperienceRef,
    Explanation,
    Gate,
    GateReason,
    GateResult,
    LanguageCheck,
    NoProposal,
    NoProposalReason,
    OccupationProximity,
    ScoreParts,
    SkillGap,
    SkillLink,
    SkillMatch,
    SkillRef,
)

Json = dict[str, Any]


def explanation_to_json(explanation: Explanation) -> Json:
    """Skills as [uri, label]; a match as [uri, label, link], plus the worker's [uri, label]
    when their skill is not the very one asked for (credit follows from the link). A run
    stores ~10^5 explanations: lists are half the work of dicts, and most matches are exact.
    (`str(member)` of a StrEnum is C code; `.value` is a Python-level descriptor, 3x slower.)"""
    parts = explanation.parts
    return {
        "essential_matched": [_match_to_json(m) for m in explanation.essential_matched],
        "essential_missing": [[s.uri, s.label] for s in explanation.essential_missing],
        "optional_matched": [_match_to_json(m) for m in explanation.optional_matched],
        "optional_missing": [[s.uri, s.label] for s in explanation.optional_missing],
        "experience": _experience_to_json(explanation.experience),
        "languages": [
            {"code": c.code, "required": c.required, "held": c.held, "met": c.met}
            for c in explanation.languages
        ],
        "gates": [
            {"gate": str(g.gate), "passed": g.passed, "reason": str(g.reason)}
            for g in explanation.gates
        ],
        "parts": {
            "essential": parts.essential,
            "optional": parts.optional,
            "experience": parts.experience,
            "languages": parts.languages,
            "weights": dict(parts.weights),
            "demotion": parts.demotion,
        },
        "no_skills_listed": explanation.no_skills_listed,
    }


def explanation_from_json(data: Json) -> Explanation:
    parts = data["parts"]
    return Explanation(
        essential_matched=tuple(_match_from_json(m) for m in data["essential_matched"]),
        essential_missing=tuple(_skill_from_json(s) for s in data["essential_missing"]),
        optional_matched=tuple(_match_from_json(m) for m in data["optional_matched"]),
        optional_missing=tuple(_skill_from_json(s) for s in data["optional_missing"]),
        experience=_experience_from_json(data["experience"]),
        languages=tuple(
            LanguageCheck(c["code"], c["required"], c["held"], c["met"]) for c in data["languages"]
        ),
        gates=tuple(
            GateResult(Gate(g["gate"]), g["passed"], GateReason(g["reason"])) for g in data["gates"]
        ),
        parts=ScoreParts(
            essential=parts["essential"],
            optional=parts["optional"],
            experience=parts["experience"],
            languages=parts["languages"],
            weights=dict(parts["weights"]),
            demotion=parts["demotion"],
        ),
        no_skills_listed=data["no_skills_listed"],
    )


def gaps_to_json(gaps: Sequence[SkillGap]) -> list[Json]:
    return [
        {"skill": _skill_to_json(g.skill), "unlocks": g.unlocks, "wanted_by": g.wanted_by}
        for g in gaps
    ]


def gaps_from_json(data: Sequence[Json]) -> tuple[SkillGap, ...]:
    return tuple(SkillGap(_skill_from_json(g["skill"]), g["unlocks"], g["wanted_by"]) for g in data)


def _skill_to_json(skill: SkillRef) -> list[str]:
    return [skill.uri, skill.label]


def _skill_from_json(data: Sequence[str]) -> SkillRef:
    return SkillRef(data[0], data[1])


def _match_to_json(match: SkillMatch) -> list[str]:
    wanted, offered = match.wanted, match.offered
    if offered.uri == wanted.uri and offered.label == wanted.label:
        return [wanted.uri, wanted.label, str(match.link)]
    return [wanted.uri, wanted.label, str(match.link), offered.uri, offered.label]


def _match_from_json(data: Sequence[str]) -> SkillMatch:
    wanted = SkillRef(data[0], data[1])
    offered = SkillRef(data[3], data[4]) if len(data) == 5 else wanted
    link = SkillLink(data[2])
    return SkillMatch(wanted, offered, link, LINK_CREDIT[link])


def _experience_to_json(match: ExperienceMatch | None) -> Json | None:
    if match is None:
        return None
    experience = match.experience
    return {
        "occupation_uri": experience.occupation_uri,
        "label": experience.label,
        "years": experience.years,
        "proximity": str(match.proximity),
        "credit": match.credit,
    }


def _experience_from_json(data: Json | None) -> ExperienceMatch | None:
    if data is None:
        return None
    experience = ExperienceRef(data["occupation_uri"], data["label"], data["years"])
    return ExperienceMatch(experience, OccupationProximity(data["proximity"]), data["credit"])


def no_proposal_to_json(note: NoProposal) -> Json:
    return {
        "worker_id": note.worker_id,
        "reason": note.reason.value,
        "vacancy_id": note.vacancy_id,
        "vacancy_title": note.vacancy_title,
        "positions": note.positions,
        "winners_covered": note.winners_covered,
        "covered": note.covered,
        "essential_total": note.essential_total,
        "missing": [_skill_to_json(skill) for skill in note.missing],
    }


def no_proposal_from_json(data: Json) -> NoProposal:
    return NoProposal(
        worker_id=data["worker_id"],
        reason=NoProposalReason(data["reason"]),
        vacancy_id=data["vacancy_id"],
        vacancy_title=data["vacancy_title"],
        positions=data["positions"],
        winners_covered=data["winners_covered"],
        covered=data["covered"],
        essential_total=data["essential_total"],
        missing=tuple(_skill_from_json(skill) for skill in data["missing"]),
    )
