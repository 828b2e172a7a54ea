from __future__ import annotations

import json
from datetime import date

from portal.matching.score import score
from portal.matching.serialise import (
    explanation_from_json,
    explanation_to_json,
    gaps_from_json,
    gaps_to_json,
)
from portal.matching.types import (
    ExperienceRef,
    SkillGap,
    SkillGraph,
    SkillLink,
    SkillRef,
    VacancyProfile,
    WorkerProfile,
)

GRAPH = SkillGraph(links={"weld": {"solder": SkillLink.RELATED}}, isco_of={"occ/a": "7212"})


def full_explanation() -> object:
    """An explanation with every kind of content: matches, misses, experience, languages."""
    worker = WorkerProfile(
        id=1,
        skills=(SkillRef("solder", "soldering"), SkillRef("grind", "grinding")),
        experiences=(ExperienceRef("occ/a", "welder", 2.5),),
        languages={"uk": "native", "en": "A2"},
        region_id=2,
        available_until=date(2024, 1, 1),
    )
    vacancy = VacancyProfile(
        id=9,
        title="welder",
        occupation_uri="occ/a",
        isco_code="7212",
        essential=(SkillRef("weld", "welding"), SkillRef("cut", "cutting")),
        optional=(SkillRef("grind", "grinding"), SkillRef("paint", "painting")),
        languages={"en": "B1", "uk": "B2"},
        region_id=1,
        start_date=date(2025, 1, 1),
    )
    return score(worker, vacancy, GRAPH).explanation


def test_an_explanation_survives_a_trip_through_json_text() -> None:
    explanation = full_explanation()

    text = json.dumps(explanation_to_json(explanation))  # type: ignore[arg-type]

    assert explanation_from_json(json.loads(text)) == explanation


def test_an_explanation_without_experience_or_languages_survives_the_trip() -> None:
    worker = WorkerProfile(id=1, skills=(), region_id=1)
    vacancy = VacancyProfile(9, "job", None, None, essential=(), region_id=1)
    explanation = score(worker, vacancy, GRAPH).explanation

    data = json.loads(json.dumps(explanation_to_json(explanation)))

    assert explanation_from_json(data) == explanation
    assert data["experience"] is None
    assert data["parts"]["optional"] is None


def test_explanation_json_holds_only_json_types() -> None:
    data = explanation_to_json(full_explanation())  # type: ignore[arg-type]

    def kinds(value: object) -> set[type]:
        if isinstance(value, dict):
            return {dict} | {k for item in value.values() for k in kinds(item)}
        if isinstance(value, list):
            return {list} | {k for item in value for k in kinds(item)}
        return {type(value)}

    assert kinds(data) <= {dict, list, str, float, int, bool, type(None)}
    assert data["essential_matched"][0][2] == "related"  # [uri, label, link, offered...]


def test_skill_gaps_survive_a_trip_through_json_text() -> None:
    gaps = (SkillGap(SkillRef("weld", "welding"), 3, 7), SkillGap(SkillRef("cut", "cutting"), 0, 2))

    assert gaps_from_json(json.loads(json.dumps(gaps_to_json(gaps)))) == gaps
    assert gaps_from_json(gaps_to_json(())) == ()
