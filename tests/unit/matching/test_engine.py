from __future__ import annotations

import random
from datetime import date, timedelta
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.matching import engine
from portal.matching.engine import MarketResult, pair_bounds, score_market
from portal.matching.score import score
from portal.matching.types import (
    LANGUAGE_LEVELS,
    ExperienceRef,
    MatchScore,
    Quality,
    SkillGraph,
    SkillLink,
    SkillRef,
    VacancyProfile,
    WorkerProfile,
)

NO_LINKS = SkillGraph(links={}, isco_of={})
PARTIAL_LINKS = [link for link in SkillLink if link is not SkillLink.EXACT]


def skills(*uris: str) -> tuple[SkillRef, ...]:
    return tuple(SkillRef(uri, uri.upper()) for uri in uris)


def random_market(
    seed: int, *, linked: bool, extras: bool, workers: int = 25, vacancies: int = 10
) -> tuple[list[WorkerProfile], list[VacancyProfile], SkillGraph]:
    """A small random market. `linked`: related-skill links; `extras`: optional skills,
    experience, languages and dates (the engine's dense path) besides essential skills."""
    rng = random.Random(seed)
    uris = [f"s{i:02d}" for i in range(14)]
    links: dict[str, dict[str, SkillLink]] = {}
    for _ in range(30 if linked else 0):
        wanted, held = rng.sample(uris, 2)
        links.setdefault(wanted, {})[held] = rng.choice(PARTIAL_LINKS)
    occupations = [f"occ{i}" for i in range(5)]
    isco_of = {o: rng.choice(["8344", "8343", "8331", "8211", "9333"]) for o in occupations}

    def some(k: int) -> tuple[SkillRef, ...]:
        return skills(*rng.sample(uris, k))

    def day() -> date | None:
        return (
            date(2025, 1, 1) + timedelta(days=rng.randint(0, 200)) if rng.random() < 0.3 else None
        )

    def languages() -> dict[str, str]:
        codes = rng.sample(["en", "uk", "fr"], rng.randint(0, 2))
        return {code: rng.choice(LANGUAGE_LEVELS) for code in codes}

    people = [
        WorkerProfile(
            id=1000 + i,
            skills=some(rng.randint(0, 6)),
            experiences=tuple(
                ExperienceRef(rng.choice(occupations), "job", rng.choice([0, 1, 2.5]))
                for _ in range(rng.randint(0, 2) if extras else 0)
            ),
            languages=languages() if extras else {},
            region_id=rng.choice([1, 2, 3, None]),
            accepted_regions=frozenset(rng.sample([1, 2, 3], rng.randint(0, 1))),
            relocate_anywhere=rng.random() < 0.1,
            available_from=day() if extras else None,
            available_until=day() if extras else None,
        )
        for i in range(workers)
    ]
    jobs = []
    for j in range(vacancies):
        listed = some(rng.randint(0, 7))
        cut = rng.randint(0, len(listed)) if extras else len(listed)
        jobs.append(
            VacancyProfile(
                id=50 + j,
                title="job",
                occupation_uri=rng.choice([*occupations, None]),
                isco_code=rng.choice([None, "8344", "83"]),
                essential=listed[:cut],
                optional=listed[cut:],
                languages=dict(list(languages().items())[:1]) if extras else {},
                region_id=rng.choice([1, 2, 3]),
                start_date=day() if extras else None,
                end_date=day() if extras else None,
            )
        )
    return people, jobs, SkillGraph(links=links, isco_of=isco_of)


def every_score(
    workers: list[WorkerProfile], vacancies: list[VacancyProfile], graph: SkillGraph
) -> list[MatchScore]:
    return [score(w, v, graph) for w in workers for v in vacancies]


def brute_force_kept(
    matches: list[MatchScore], per_vacancy: int, per_worker: int
) -> set[tuple[int, int]]:
    positive = [m for m in matches if m.eligible and m.score > 0]
    kept: set[tuple[int, int]] = set()
    for vacancy_id in {m.vacancy_id for m in positive}:
        ranked = sorted(
            (m for m in positive if m.vacancy_id == vacancy_id),
            key=lambda m: (-m.score, m.worker_id),
        )
        kept |= {(m.worker_id, m.vacancy_id) for m in ranked[:per_vacancy]}
    for worker_id in {m.worker_id for m in positive}:
        ranked = sorted(
            (m for m in positive if m.worker_id == worker_id),
            key=lambda m: (-m.score, m.vacancy_id),
        )
        kept |= {(m.worker_id, m.vacancy_id) for m in ranked[:per_worker]}
    return kept


def kept(result: MarketResult) -> set[tuple[int, int]]:
    return {(m.worker_id, m.vacancy_id) for m in result.matches}


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 10**6), linked=st.booleans(), extras=st.booleans())
def test_the_bound_is_never_below_the_exact_score(seed: int, linked: bool, extras: bool) -> None:
    workers, vacancies, graph = random_market(seed, linked=linked, extras=extras)

    bounds = pair_bounds(workers, vacancies, graph)

    for match in every_score(workers, vacancies, graph):
        if match.eligible and match.score > 0:
            assert bounds[match.worker_id, match.vacancy_id] >= match.score


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    extras=st.booleans(),
    per_vacancy=st.integers(0, 4),
    per_worker=st.integers(0, 3),
)
def test_without_related_links_the_kept_pairs_are_the_brute_force_best(
    seed: int, extras: bool, per_vacancy: int, per_worker: int
) -> None:
    workers, vacancies, graph = random_market(seed, linked=False, extras=extras)

    result = score_market(
        workers,
        vacancies,
        graph,
        quality=Quality(),
        per_vacancy=per_vacancy,
        per_worker=per_worker,
    )

    expected = brute_force_kept(every_score(workers, vacancies, graph), per_vacancy, per_worker)
    assert kept(result) == expected


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), extras=st.booleans())
def test_kept_pairs_carry_their_exact_score(seed: int, extras: bool) -> None:
    workers, vacancies, graph = random_market(seed, linked=True, extras=extras)
    by_id = {w.id: w for w in workers}, {v.id: v for v in vacancies}

    result = score_market(workers, vacancies, graph, quality=Quality(), per_vacancy=3)

    for match in result.matches:
        assert match == score(by_id[0][match.worker_id], by_id[1][match.vacancy_id], graph)
        assert match.eligible
        assert match.score > 0


def test_ineligible_pairs_are_never_kept_however_good() -> None:
    skilled = skills("a", "b")
    workers = [
        WorkerProfile(1, skilled, region_id=1),
        WorkerProfile(2, skilled, region_id=2),  # elsewhere
        WorkerProfile(3, skilled, region_id=1, available_from=date(2025, 6, 1)),  # too late
        WorkerProfile(4, skilled, region_id=2, relocate_anywhere=True),
    ]
    vacancy = VacancyProfile(9, "job", None, None, skilled, region_id=1, end_date=date(2025, 5, 1))

    result = score_market(workers, [vacancy], NO_LINKS, quality=Quality())

    assert kept(result) == {(1, 9), (4, 9)}


def test_reachable_counts_vacancies_in_accepted_regions_then_on_dates() -> None:
    worker = WorkerProfile(
        1,
        skills("a"),
        region_id=1,
        accepted_regions=frozenset({2}),
        available_from=date(2025, 3, 1),
    )
    vacancies = [
        VacancyProfile(1, "here", None, None, skills("a"), region_id=1),
        VacancyProfile(2, "there, ended", None, None, (), region_id=2, end_date=date(2025, 1, 1)),
        VacancyProfile(3, "far", None, None, skills("a"), region_id=3),
    ]
    mover = WorkerProfile(2, (), region_id=5, relocate_anywhere=True)

    result = score_market([worker, mover], vacancies, NO_LINKS, quality=Quality())

    assert result.reachable == {1: (2, 1), 2: (3, 3)}


def test_per_worker_and_per_vacancy_limit_what_is_kept() -> None:
    workers = [WorkerProfile(i, skills("a", "b", "c")[:i], region_id=1) for i in (1, 2, 3)]
    vacancies = [
        VacancyProfile(v, "job", None, None, skills("a", "b", "c"), region_id=1) for v in (7, 8)
    ]

    by_vacancy = score_market(
        workers, vacancies, NO_LINKS, quality=Quality(), per_vacancy=1, per_worker=0
    )
    by_worker = score_market(
        workers, vacancies, NO_LINKS, quality=Quality(), per_vacancy=0, per_worker=1
    )

    assert kept(by_vacancy) == {(3, 7), (3, 8)}
    assert kept(by_worker) == {(1, 7), (2, 7), (3, 7)}  # ties go to the lower vacancy id


def test_a_bar_keeps_every_pair_at_or_above_it_beyond_the_limits() -> None:
    workers = [WorkerProfile(i, skills("a", "b", "c", "d")[:i], region_id=1) for i in (1, 2, 3, 4)]
    vacancy = VacancyProfile(7, "job", None, None, skills("a", "b", "c", "d"), region_id=1)
    scores = {w.id: score(w, vacancy, NO_LINKS).score for w in workers}

    result = score_market(
        workers,
        [vacancy],
        NO_LINKS,
        quality=Quality(),
        per_vacancy=1,
        per_worker=0,
        bars={7: scores[2]},
    )

    assert kept(result) == {(2, 7), (3, 7), (4, 7)}


def test_gaps_rank_skills_by_vacancies_unlocked_then_wanted() -> None:
    worker = WorkerProfile(1, skills("a", "b"), region_id=1)
    vacancies = [
        VacancyProfile(1, "covered already", None, None, skills("a", "b", "c"), region_id=1),
        VacancyProfile(2, "one short", None, None, skills("a", "c", "d"), region_id=1),
        VacancyProfile(3, "one skill", None, None, skills("c"), region_id=1),
        VacancyProfile(4, "far off", None, None, skills("e", "f", "g", "h", "i"), region_id=1),
        VacancyProfile(5, "elsewhere", None, None, skills("z"), region_id=9),
    ]

    result = score_market([worker], vacancies, NO_LINKS, quality=Quality(0.6, 40.0))

    gaps = [(g.skill.uri, g.unlocks, g.wanted_by) for g in result.gaps[1]]
    assert gaps == [("c", 2, 3), ("d", 1, 1), ("e", 0, 1), ("f", 0, 1), ("g", 0, 1)]
    assert result.gaps[1][0].skill == SkillRef("c", "C")


def test_a_vacancy_the_worker_already_qualifies_for_unlocks_nothing() -> None:
    worker = WorkerProfile(1, skills("a"), region_id=1)
    vacancy = VacancyProfile(1, "job", None, None, skills("a", "k", "l"), region_id=1)

    result = score_market([worker], [vacancy], NO_LINKS, quality=Quality(0.3, 0.0))

    assert [(g.skill.uri, g.unlocks, g.wanted_by) for g in result.gaps[1]] == [
        ("k", 0, 1),
        ("l", 0, 1),
    ]


def test_progress_is_told_of_every_chunk_up_to_the_total() -> None:
    workers, vacancies, graph = random_market(3, linked=True, extras=False)
    calls: list[tuple[int, int]] = []

    result = score_market(
        workers, vacancies, graph, quality=Quality(), progress=lambda *a: calls.append(a)
    )

    assert calls and calls[-1] == (len(workers), len(workers))
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert set(result.timings) == {"matrices", "scoring", "explaining", "gaps"}


@pytest.mark.parametrize("empty", ["workers", "vacancies"])
def test_an_empty_side_keeps_nothing(empty: str) -> None:
    workers, vacancies, graph = random_market(5, linked=True, extras=True)
    if empty == "workers":
        workers = []
    else:
        vacancies = []

    result = score_market(workers, vacancies, graph, quality=Quality())

    assert result.matches == []
    assert set(result.reachable) == {w.id for w in workers}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), linked=st.booleans(), extras=st.booleans())
def test_blocks_of_regions_and_chunk_sizes_change_nothing_that_is_kept(
    seed: int, linked: bool, extras: bool
) -> None:
    """The market is cut into blocks of regions and chunks for speed only: with one vacancy
    per block and a handful of pairs per chunk, the same pairs, gaps and counts come out."""
    workers, vacancies, graph = random_market(seed, linked=linked, extras=extras)

    def run() -> MarketResult:
        return score_market(
            workers, vacancies, graph, quality=Quality(), per_vacancy=3, per_worker=2
        )

    usual = run()
    with (
        patch.object(engine, "_BLOCK_VACANCIES", 1),
        patch.object(engine, "_DENSE_CELLS", 7),
        patch.object(engine, "_SPARSE_ENTRIES", 5),
    ):
        small = run()

    assert small.matches == usual.matches
    assert small.gaps == usual.gaps
    assert small.reachable == usual.reachable
