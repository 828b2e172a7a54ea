"""Matches through the API, explained as the pages explain them (in codes and values, which a
client words in its own language): a worker's best vacancies, and a vacancy's ranked candidates
by reference, never by name, sex, age or origin."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from portal.matching.types import Explanation, NoProposal, SkillMatch, SkillRef
from portal.models import Placement, Role
from portal.services import matching, workers
from portal.services.placement_export import vacancy_public_id
from portal.web.api.auth import api_account, token_required
from portal.web.api.blueprint import ID, blueprint
from portal.web.api.input import Problems, Query
from portal.web.api.output import moment, paged
from portal.web.session import db_session


@blueprint.get(f"/workers/<{ID}:worker_id>/matches")
@token_required(Role.PROVIDER, Role.ADMIN)
def worker_matches(worker_id: int) -> dict[str, Any]:
    """The worker's best matches on open vacancies (re-scored first if their profile changed),
    the skills worth learning and why the last round proposed them nothing."""
    session, account = db_session(), api_account()
    worker = workers.worker_for(session, account, worker_id)
    workers.record_view(session, account, worker)
    found = matching.worker_matches(session, worker)
    return {
        "worker_id": worker.id,
        "computed_at": moment(found.computed_at),
        "items": [
            {
                "vacancy": {
                    "id": view.vacancy.id,
                    "reference": vacancy_public_id(view.vacancy.id, view.vacancy.external_id),
                    "title": view.vacancy.title,
                },
                "score": view.match.score,
                "essential_coverage": view.match.essential_coverage,
                "eligible": view.match.eligible,
                "explanation": explanation_document(view.explanation),
                "placement": _placement(view.placement),
            }
            for view in found.matches
        ],
        "skill_gaps": [
            {"skill": _skill(gap.skill), "unlocks": gap.unlocks, "wanted_by": gap.wanted_by}
            for gap in found.skill_gaps
        ],
        "no_proposal": _no_proposal(found.no_proposal),
    }


@blueprint.get(f"/vacancies/<{ID}:vacancy_id>/candidates")
@token_required(Role.EMPLOYER, Role.ADMIN)
def vacancy_candidates(vacancy_id: int) -> dict[str, Any]:
    """The vacancy's ranked candidates, for its employer and admins."""
    problems = Problems()
    page, per_page = Query(problems).page()
    problems.raise_any()
    _vacancy, found = matching.vacancy_candidates(
        db_session(), api_account(), vacancy_id, page=page, size=per_page
    )
    return paged(
        found,
        page,
        lambda candidates: [
            {
                "rank": candidate.rank,
                "reference": candidate.reference,
                "score": candidate.match.score,
                "essential_coverage": candidate.match.essential_coverage,
                "explanation": explanation_document(candidate.explanation),
                "placement": _placement(candidate.placement),
            }
            for candidate in candidates
        ],
    )


# --- documents ------------------------------------------------------------------------------------


def explanation_document(explanation: Explanation) -> dict[str, Any]:
    parts = explanation.parts
    experience = explanation.experience
    return {
        "essential_matched": _matched(explanation.essential_matched),
        "essential_missing": [_skill(skill) for skill in explanation.essential_missing],
        "optional_matched": _matched(explanation.optional_matched),
        "optional_missing": [_skill(skill) for skill in explanation.optional_missing],
        "experience": (
            {
                "occupation_uri": experience.experience.occupation_uri,
                "label": experience.experience.label,
                "years": experience.experience.years,
                "proximity": experience.proximity.value,
                "credit": experience.credit,
            }
            if experience is not None
            else None
        ),
        "languages": [
            {"code": check.code, "required": check.required, "held": check.held, "met": check.met}
            for check in explanation.languages
        ],
        "gates": [
            {"gate": gate.gate.value, "passed": gate.passed, "reason": gate.reason.value}
            for gate in explanation.gates
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


def _skill(skill: SkillRef) -> dict[str, str]:
    return {"uri": skill.uri, "label": skill.label}


def _matched(matches: Iterable[SkillMatch]) -> list[dict[str, Any]]:
    return [
        {
            "wanted": _skill(match.wanted),
            "offered": _skill(match.offered),
            "link": match.link.value,
            "credit": match.credit,
        }
        for match in matches
    ]


def _placement(placement: Placement | None) -> dict[str, Any] | None:
    return {"id": placement.id, "state": placement.state.value} if placement else None


def _no_proposal(note: NoProposal | None) -> dict[str, Any] | None:
    if note is None:
        return None
    return {
        "reason": note.reason.value,
        "vacancy_id": note.vacancy_id,
        "vacancy_title": note.vacancy_title,
        "positions": note.positions,
        "winners_covered": note.winners_covered,
        "covered": note.covered,
        "essential_total": note.essential_total,
        "missing": [_skill(skill) for skill in note.missing],
    }
