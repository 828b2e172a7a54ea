"""Proposals under positions: the optimal assignment against greedy and against brute force."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.matching import assign as assign_module
from portal.matching.assign import (
    CandidatePairs,
    assign_greedy,
    assign_optimal,
    total_score,
)
from portal.matching.types import Explanation, MatchScore, Proposal, ScoreParts

Pair = tuple[int, int, float]

# Small markets: up to 6 workers, 4 vacancies, scores on a 0.5 grid (so ties happen).
pair_lists = st.lists(
    st.tuples(st.integers(1, 6), st.integers(1, 4), st.integers(0, 200).map(lambda half: half / 2)),
    max_size=14,
)
capacity_maps = st.dictionaries(st.integers(1, 4), st.integers(0, 3))


def brute_force_best(pairs: list[Pair], capacities: Mapping[int, int]) -> float:
    """The best total by trying every choice of (no vacancy or one of its pairs) per worker."""
    options: dict[int, list[tuple[int, float] | None]] = {}
    for worker, vacancy, score in pairs:
        options.setdefault(worker, [None]).append((vacancy, score))
    best = 0.0
    for choice in itertools.product(*options.values()):
        used = Counter(option[0] for option in choice if option is not None)
        if all(count <= capacities.get(vacancy, 0) for vacancy, count in used.items()):
            best = max(best, sum(option[1] for option in choice if option is not None))
    return best


def assert_respects_positions(proposals: list[Proposal], capacities: Mapping[int, int]) -> None:
    workers = Counter(proposal.worker_id for proposal in proposals)
    vacancies = Counter(proposal.vacancy_id for proposal in proposals)
    assert all(count == 1 for count in workers.values())
    assert all(count <= capacities.get(vacancy, 0) for vacancy, count in vacancies.items())


@pytest.mark.parametrize("assign", [assign_optimal, assign_greedy])
@given(pairs=pair_lists, capacities=capacity_maps)
def test_proposals_never_exceed_positions_and_give_each_worker_at_most_one(
    assign, pairs: list[Pair], capacities: dict[int, int]
) -> None:
    proposals = assign(CandidatePairs.of(pairs), capacities)

    assert_respects_positions(proposals, capacities)
    assert set((p.worker_id, p.vacancy_id) for p in proposals) <= {(w, v) for w, v, _ in pairs}


@settings(max_examples=300)
@given(pairs=pair_lists, capacities=capacity_maps)
def test_optimal_total_equals_the_brute_force_best(
    pairs: list[Pair], capacities: dict[int, int]
) -> None:
    proposals = assign_optimal(CandidatePairs.of(pairs), capacities)

    assert total_score(proposals) == pytest.approx(brute_force_best(pairs, capacities))


@given(pairs=pair_lists, capacities=capacity_maps)
def test_optimal_total_is_never_below_greedy(pairs: list[Pair], capacities: dict[int, int]) -> None:
    candidates = CandidatePairs.of(pairs)

    optimal = total_score(assign_optimal(candidates, capacities))

    assert optimal >= total_score(assign_greedy(candidates, capacities)) - 1e-9


@pytest.mark.parametrize("assign", [assign_optimal, assign_greedy])
@given(pairs=pair_lists, capacities=capacity_maps, seed=st.integers(0, 2**32))
def test_same_pairs_in_any_order_give_the_same_proposals(
    assign, pairs: list[Pair], capacities: dict[int, int], seed: int
) -> None:
    shuffled = list(pairs)
    random.Random(seed).shuffle(shuffled)
    reordered_capacities = dict(reversed(list(capacities.items())))

    first = assign(CandidatePairs.of(pairs), capacities)

    assert assign(CandidatePairs.of(shuffled), reordered_capacities) == first


def test_optimal_matches_brute_force_on_random_larger_markets() -> None:
    rng = random.Random(7)
    for _ in range(40):
        pairs = [
            (worker, vacancy, round(rng.uniform(40, 100), 2))
            for worker in range(1, 8)
            for vacancy in rng.sample(range(1, 5), rng.randint(1, 3))
        ]
        capacities = {vacancy: rng.randint(0, 2) for vacancy in range(1, 5)}

        proposals = assign_optimal(CandidatePairs.of(pairs), capacities)

        assert total_score(proposals) == pytest.approx(brute_force_best(pairs, capacities))


def test_optimal_solved_in_many_small_batches_is_still_optimal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(assign_module, "BATCH_NODES", 3)
    rng = random.Random(11)
    for _ in range(40):
        pairs = [
            (worker, vacancy, round(rng.uniform(40, 100), 1))
            for worker in range(1, 9)
            for vacancy in rng.sample(range(1, 7), rng.randint(1, 2))
        ]
        capacities = {vacancy: rng.randint(0, 2) for vacancy in range(1, 7)}

        proposals = assign_optimal(CandidatePairs.of(pairs), capacities)

        assert total_score(proposals) == pytest.approx(brute_force_best(pairs, capacities))


def test_optimal_places_two_workers_where_greedy_places_one() -> None:
    pairs = CandidatePairs.of([(1, 1, 90.0), (1, 2, 80.0), (2, 1, 85.0)])
    capacities = {1: 1, 2: 1}

    optimal = assign_optimal(pairs, capacities)
    greedy = assign_greedy(pairs, capacities)

    assert optimal == [Proposal(2, 1, 85.0), Proposal(1, 2, 80.0)]
    assert total_score(optimal) == 165.0
    assert greedy == [Proposal(1, 1, 90.0)]


def test_optimal_prefers_a_higher_total_to_placing_more_workers() -> None:
    # Placing both (w1→v2 10, w2→v1 10) totals 20; w1→v1 alone totals 95.
    pairs = CandidatePairs.of([(1, 1, 95.0), (1, 2, 10.0), (2, 1, 10.0)])

    assert assign_optimal(pairs, {1: 1, 2: 0}) == [Proposal(1, 1, 95.0)]
    assert assign_optimal(pairs, {1: 1}) == [Proposal(1, 1, 95.0)]


def test_vacancies_with_no_position_left_or_unknown_get_no_proposal() -> None:
    pairs = CandidatePairs.of([(1, 1, 90.0), (2, 2, 90.0), (3, 3, 50.0)])

    for assign in (assign_optimal, assign_greedy):
        assert assign(pairs, {1: 0, 3: 1}) == [Proposal(3, 3, 50.0)]


def test_a_pair_given_twice_counts_once_with_its_best_score() -> None:
    pairs = CandidatePairs.of([(1, 1, 60.0), (1, 1, 70.0), (2, 1, 65.0)])

    for assign in (assign_optimal, assign_greedy):
        assert assign(pairs, {1: 1}) == [Proposal(1, 1, 70.0)]


def test_greedy_breaks_ties_toward_the_lower_worker_id() -> None:
    pairs = CandidatePairs.of([(9, 1, 80.0), (3, 1, 80.0), (5, 1, 80.0)])

    assert assign_greedy(pairs, {1: 2}) == [Proposal(3, 1, 80.0), Proposal(5, 1, 80.0)]


def test_proposals_come_sorted_by_vacancy_then_worker() -> None:
    pairs = CandidatePairs.of([(4, 2, 70.0), (1, 2, 75.0), (3, 1, 60.0), (2, 1, 65.0)])

    for assign in (assign_optimal, assign_greedy):
        proposals = assign(pairs, {1: 2, 2: 2})
        keys = [(p.vacancy_id, p.worker_id) for p in proposals]
        assert keys == [(1, 2), (1, 3), (2, 1), (2, 4)]


def test_no_pairs_give_no_proposals() -> None:
    empty = CandidatePairs.of([])

    assert assign_optimal(empty, {1: 3}) == []
    assert assign_greedy(empty, {1: 3}) == []
    assert assign_optimal(CandidatePairs.of([(1, 1, 50.0)]), {}) == []


def test_pairs_scoring_zero_at_the_cost_resolution_get_no_proposal() -> None:
    pairs = CandidatePairs.of([(1, 1, 0.0), (2, 1, 0.00001)])

    for assign in (assign_optimal, assign_greedy):
        assert assign(pairs, {1: 2}) == []


def test_candidate_pairs_are_read_from_match_scores() -> None:
    parts = ScoreParts(1.0, None, 0.0, None, {}, 1.0)
    explanation = Explanation((), (), (), (), None, (), (), parts)
    match = MatchScore(7, 3, 72.5, 1.0, True, explanation)

    pairs = CandidatePairs.of([match, (8, 3, 50.0)])

    assert pairs.worker_ids.tolist() == [7, 8]
    assert pairs.vacancy_ids.tolist() == [3, 3]
    assert pairs.scores.tolist() == [72.5, 50.0]


@pytest.mark.parametrize("bad", [-1.0, 100.5, float("nan")])
def test_candidate_pairs_refuse_scores_outside_0_to_100(bad: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        CandidatePairs.of([(1, 1, bad)])


def test_candidate_pairs_refuse_arrays_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        CandidatePairs(np.array([1], np.int64), np.array([], np.int64), np.array([1.0]))
