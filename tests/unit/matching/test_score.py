from __future__ import annotations

import dataclasses
import inspect
from datetime import date

import pytest

from portal.matching.score import DEMOTION_FLOOR, WEIGHTS, score
from portal.matching.types import (
    LINK_CREDIT,
    ExperienceRef,
    GateReason,
    OccupationProximity,
    SkillGraph,
    SkillLink,
    SkillRef,
    VacancyProfile,
    WorkerProfile,
)

DRIVER, OTHER_DRIVER, CRANE, CLEANER = "occ/driver", "occ/other-driver", "occ/crane", "occ/cleaner"
GRAPH = SkillGraph(
    links={
        "weld": {"solder": SkillLink.RELATED, "braze": SkillLink.SAME_GROUP},
        "cut": {"solder": SkillLink.RELATED},
        "drive": {"drive-lorry": SkillLink.NARROWER},
    },
    isco_of={DRIVER: "8332", OTHER_DRIVER: "8332", CRANE: "8343", CLEANER: "9112"},
)


def skills(*uris: str) -> tuple[SkillRef, ...]:
    return tuple(SkillRef(uri, uri.upper()) for uri in uris)


def worker(*uris: str, **fields: object) -> WorkerProfile:
    return WorkerProfile(id=1, skills=skills(*uris), region_id=1, **fields)  # type: ignore[arg-type]


def vacancy(*essential: str, **fields: object) -> VacancyProfile:
    values: dict[str, object] = {
        "id": 10,
        "title": "job",
        "occupation_uri": DRIVER,
        "isco_code": "8332",
        "essential": skills(*essential),
        "region_id": 1,
    }
    return VacancyProfile(**{**values, **fields})  # type: ignore[arg-type]


def test_a_worker_with_every_essential_skill_and_nothing_else_asked_scores_their_weight() -> None:
    match = score(worker("a", "b"), vacancy("a", "b"), GRAPH)

    weights = WEIGHTS[False, False]
    assert match.essential_coverage == 1.0
    assert match.score == round(100 * weights["essential"], 1)
    assert match.eligible


def test_essential_coverage_is_the_share_of_essential_skills_matched() -> None:
    match = score(worker("a", "b", "x"), vacancy("a", "b", "c", "d"), GRAPH)

    assert match.essential_coverage == 0.5
    assert [m.wanted.uri for m in match.explanation.essential_matched] == ["a", "b"]
    assert [s.uri for s in match.explanation.essential_missing] == ["c", "d"]


def test_a_related_skill_earns_partial_credit_named_by_its_link() -> None:
    match = score(worker("solder"), vacancy("weld"), GRAPH)

    (matched,) = match.explanation.essential_matched
    assert (matched.wanted.uri, matched.offered.uri) == ("weld", "solder")
    assert matched.link is SkillLink.RELATED
    assert matched.credit == LINK_CREDIT[SkillLink.RELATED]
    assert match.essential_coverage == LINK_CREDIT[SkillLink.RELATED]


def test_one_worker_skill_related_to_two_vacancy_skills_counts_once() -> None:
    match = score(worker("solder"), vacancy("weld", "cut"), GRAPH)

    assert len(match.explanation.essential_matched) == 1
    assert match.essential_coverage == LINK_CREDIT[SkillLink.RELATED] / 2


def test_the_assignment_maximises_total_credit_over_a_greedy_choice() -> None:
    # "solder" answers "weld" (related) and "cut" (related); "braze" only "weld" (same group):
    # the best total gives "weld" to "braze" so that "solder" can answer "cut"
    match = score(worker("solder", "braze"), vacancy("weld", "cut"), GRAPH)

    pairs = {(m.wanted.uri, m.offered.uri) for m in match.explanation.essential_matched}
    assert pairs == {("weld", "braze"), ("cut", "solder")}


def test_an_exact_skill_wins_over_a_related_one() -> None:
    match = score(worker("solder", "weld"), vacancy("weld"), GRAPH)

    (matched,) = match.explanation.essential_matched
    assert matched.offered.uri == "weld"
    assert matched.link is SkillLink.EXACT


def test_optional_skills_use_only_worker_skills_the_essential_ones_left() -> None:
    match = score(worker("weld"), vacancy("weld", optional=skills("weld")), GRAPH)

    assert match.explanation.parts.optional == 0.0
    assert [s.uri for s in match.explanation.optional_missing] == ["weld"]


def test_optional_coverage_adds_its_weight() -> None:
    match = score(worker("a", "o"), vacancy("a", optional=skills("o", "p")), GRAPH)

    weights = WEIGHTS[True, False]
    assert match.explanation.parts.optional == 0.5
    assert match.score == round(100 * (weights["essential"] + weights["optional"] * 0.5), 1)


@pytest.mark.parametrize(
    ("occupation", "proximity"),
    [
        (DRIVER, OccupationProximity.SAME_OCCUPATION),
        (OTHER_DRIVER, OccupationProximity.UNIT_GROUP),
        (CRANE, OccupationProximity.SUB_MAJOR_GROUP),
    ],
)
def test_experience_counts_by_occupation_proximity(
    occupation: str, proximity: OccupationProximity
) -> None:
    experienced = worker("a", experiences=(ExperienceRef(occupation, "job", 5),))

    match = score(experienced, vacancy("a"), GRAPH)

    assert match.explanation.experience is not None
    assert match.explanation.experience.proximity is proximity


def test_experience_in_an_unrelated_occupation_counts_nothing() -> None:
    experienced = worker("a", experiences=(ExperienceRef(CLEANER, "job", 5),))

    match = score(experienced, vacancy("a"), GRAPH)

    assert match.explanation.experience is None
    assert match.explanation.parts.experience == 0.0


def test_more_years_of_experience_count_more_up_to_a_cap() -> None:
    def credit(years: float) -> float:
        experienced = worker("a", experiences=(ExperienceRef(DRIVER, "job", years),))
        return score(experienced, vacancy("a"), GRAPH).explanation.parts.experience

    assert credit(0) < credit(1) < credit(2) == credit(10) == 1.0


def test_the_closest_experience_counts() -> None:
    experiences = (ExperienceRef(CRANE, "crane", 9), ExperienceRef(DRIVER, "driver", 9))

    match = score(worker("a", experiences=experiences), vacancy("a"), GRAPH)

    assert match.explanation.experience is not None
    assert match.explanation.experience.experience.occupation_uri == DRIVER


def test_languages_count_the_share_held_at_or_above_the_level() -> None:
    speaker = worker("a", languages={"en": "C1", "uk": "A2"})

    match = score(speaker, vacancy("a", languages={"en": "B2", "uk": "B1"}), GRAPH)

    checks = {c.code: c.met for c in match.explanation.languages}
    assert checks == {"en": True, "uk": False}
    assert match.explanation.parts.languages == 0.5


def test_a_vacancy_asking_no_language_has_no_language_part() -> None:
    match = score(worker("a", languages={"en": "C1"}), vacancy("a"), GRAPH)

    assert match.explanation.parts.languages is None
    assert match.explanation.parts.weights["languages"] == 0.0


def test_weights_of_parts_not_asked_for_go_to_the_others_in_proportion() -> None:
    every = score(worker("a"), vacancy("a", optional=skills("o"), languages={"en": "A1"}), GRAPH)
    fewer = score(worker("a"), vacancy("a"), GRAPH)

    assert every.explanation.parts.weights == {
        "essential": 0.6,
        "optional": 0.15,
        "experience": 0.15,
        "languages": 0.10,
    }
    weights = fewer.explanation.parts.weights
    assert weights["optional"] == weights["languages"] == 0.0
    assert weights["essential"] == pytest.approx(0.6 / 0.75)
    assert weights["experience"] == pytest.approx(0.15 / 0.75)
    assert sum(weights.values()) == pytest.approx(1.0)


def test_a_vacancy_without_essential_skills_is_not_a_free_pass() -> None:
    no_skills = vacancy()

    novice = score(worker("a"), no_skills, GRAPH)
    experienced = worker("a", experiences=(ExperienceRef(DRIVER, "driver", 3),))
    veteran = score(experienced, no_skills, GRAPH)

    assert novice.explanation.no_skills_listed
    assert novice.essential_coverage == 0.0
    assert novice.score == 0.0
    assert veteran.essential_coverage == 1.0
    assert veteran.score == 100.0


def test_low_essential_coverage_demotes_in_proportion() -> None:
    match = score(worker("a", "b"), vacancy("a", "b", "c", "d", "e", "f", "g", "h"), GRAPH)

    assert match.explanation.parts.demotion == 0.25 / 0.5
    weight = WEIGHTS[False, False]["essential"]
    assert match.score == round(100 * 0.5 * weight * 0.25, 1)


def test_demotion_stops_at_its_floor() -> None:
    match = score(worker("a"), vacancy(*"abcdefghijklmnopqrst"), GRAPH)

    assert match.explanation.parts.demotion == DEMOTION_FLOOR


def test_half_essential_coverage_is_not_demoted() -> None:
    match = score(worker("a"), vacancy("a", "b"), GRAPH)

    assert match.explanation.parts.demotion == 1.0


@pytest.mark.parametrize(
    ("available", "job", "reason"),
    [
        ((None, None), (date(2025, 1, 1), date(2025, 2, 1)), GateReason.DATES_OVERLAP),
        (
            (date(2025, 3, 1), None),
            (date(2025, 1, 1), date(2025, 2, 1)),
            GateReason.AVAILABLE_AFTER_END,
        ),
        (
            (None, date(2024, 12, 1)),
            (date(2025, 1, 1), None),
            GateReason.UNAVAILABLE_BEFORE_START,
        ),
    ],
)
def test_the_availability_gate_says_why(
    available: tuple[date | None, date | None],
    job: tuple[date | None, date | None],
    reason: GateReason,
) -> None:
    person = worker("a", available_from=available[0], available_until=available[1])

    match = score(person, vacancy("a", start_date=job[0], end_date=job[1]), GRAPH)

    (gate,) = [g for g in match.explanation.gates if g.gate == "availability"]
    assert gate.reason is reason
    assert gate.passed is (reason is GateReason.DATES_OVERLAP)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({}, GateReason.SAME_REGION),
        ({"region_id": 2, "accepted_regions": frozenset({1})}, GateReason.ACCEPTS_REGION),
        ({"region_id": 2, "relocate_anywhere": True}, GateReason.RELOCATES_ANYWHERE),
        ({"region_id": 2, "accepted_regions": frozenset({3})}, GateReason.REGION_NOT_ACCEPTED),
        ({"region_id": None}, GateReason.REGION_NOT_ACCEPTED),
    ],
)
def test_the_place_gate_says_why(fields: dict[str, object], reason: GateReason) -> None:
    person = dataclasses.replace(worker("a"), **fields)  # type: ignore[arg-type]

    match = score(person, vacancy("a"), GRAPH)

    (gate,) = [g for g in match.explanation.gates if g.gate == "place"]
    assert gate.reason is reason
    assert gate.passed is (reason is not GateReason.REGION_NOT_ACCEPTED)


def test_a_failed_gate_scores_zero_but_still_explains_the_skills() -> None:
    far = dataclasses.replace(worker("a", "b"), region_id=2)

    match = score(far, vacancy("a", "c"), GRAPH)

    assert not match.eligible
    assert match.score == 0.0
    assert match.essential_coverage == 0.5
    assert [m.wanted.uri for m in match.explanation.essential_matched] == ["a"]
    assert [s.uri for s in match.explanation.essential_missing] == ["c"]


def test_the_score_is_rounded_to_one_decimal() -> None:
    match = score(worker("a"), vacancy("a", "b", "c"), GRAPH)

    assert match.score == round(match.score, 1)
    assert 0 < match.score < 100


def test_equal_choices_are_settled_by_the_order_skills_are_given_in() -> None:
    graph = SkillGraph(links={"w": {"p": SkillLink.RELATED, "q": SkillLink.RELATED}}, isco_of={})

    first = score(worker("p", "q"), vacancy("w"), graph)
    swapped = score(worker("q", "p"), vacancy("w"), graph)

    assert first.explanation.essential_matched[0].offered.uri == "p"
    assert swapped.explanation.essential_matched[0].offered.uri == "q"
    assert score(worker("p", "q"), vacancy("w"), graph) == first


def test_sex_age_and_origin_cannot_be_inputs() -> None:
    fields = {f.name for f in dataclasses.fields(WorkerProfile)}
    parameters = set(inspect.signature(score).parameters)

    assert not fields & {"sex", "gender", "age", "birth_year", "origin", "country_of_origin"}
    assert parameters == {"worker", "vacancy", "graph"}
