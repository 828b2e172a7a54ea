"""Why a worker got no proposal: one test per reason, on hand-built scores."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from portal.matching.reasons import why_not_proposed
from portal.matching.types import (
    Explanation,
    MatchScore,
    NoProposal,
    NoProposalReason,
    Proposal,
    Quality,
    ScoreParts,
    SkillLink,
    SkillMatch,
    SkillRef,
)

SKILLS = {name: SkillRef(f"urn:test:skill:{name}", name) for name in "abcde"}
TITLES = {10: "Fruit picker", 20: "Forklift driver", 30: "Cook"}


def match(
    worker: int,
    vacancy: int,
    score: float,
    *,
    matched: str = "",
    missing: str = "",
    eligible: bool = True,
    link: SkillLink = SkillLink.EXACT,
) -> MatchScore:
    """A score whose explanation matches the skills named in `matched` and lacks `missing`."""
    wanted = tuple(SKILLS[name] for name in matched)
    explanation = Explanation(
        essential_matched=tuple(SkillMatch(skill, skill, link, 1.0) for skill in wanted),
        essential_missing=tuple(SKILLS[name] for name in missing),
        optional_matched=(),
        optional_missing=(),
        experience=None,
        languages=(),
        gates=(),
        parts=ScoreParts(0.0, None, 0.0, None, {}, 1.0),
    )
    coverage = len(matched) / max(len(matched) + len(missing), 1)
    return MatchScore(worker, vacancy, score, coverage, eligible, explanation)


def reasons(
    workers: Iterable[int],
    *,
    proposals: Iterable[Proposal] = (),
    already_placed: frozenset[int] = frozenset(),
    open_vacancies: int = 3,
    reachable: Mapping[int, tuple[int, int]] | None = None,
    matches: Iterable[MatchScore] = (),
) -> list[NoProposal]:
    workers = list(workers)
    return why_not_proposed(
        workers,
        proposals=proposals,
        already_placed=already_placed,
        open_vacancies=open_vacancies,
        reachable=reachable if reachable is not None else dict.fromkeys(workers, (3, 3)),
        matches=matches,
        quality=Quality(),
        titles=TITLES,
    )


def test_workers_with_a_proposal_get_no_reason() -> None:
    result = reasons([1, 2], proposals=[Proposal(1, 10, 80.0)], matches=[match(1, 10, 80.0)])

    assert [item.worker_id for item in result] == [2]


def test_a_worker_with_a_live_placement_is_already_placed() -> None:
    result = reasons([1], already_placed=frozenset({1}), open_vacancies=0)

    assert result == [NoProposal(1, NoProposalReason.ALREADY_PLACED)]


def test_no_open_vacancy_at_all() -> None:
    result = reasons([1], open_vacancies=0, reachable={1: (0, 0)})

    assert result == [NoProposal(1, NoProposalReason.NO_OPEN_VACANCY)]


def test_no_vacancy_in_the_regions_the_worker_accepts() -> None:
    result = reasons([1, 2], reachable={1: (0, 0)})  # worker 2 unknown to the engine: none either

    assert [item.reason for item in result] == [NoProposalReason.NO_VACANCY_IN_REGIONS] * 2


def test_vacancies_in_their_regions_but_none_on_their_dates() -> None:
    result = reasons([1], reachable={1: (4, 0)})

    assert result == [NoProposal(1, NoProposalReason.NO_VACANCY_ON_DATES)]


def test_below_quality_names_the_best_match_and_the_missing_essential_skills() -> None:
    matches = [
        match(1, 10, 35.0, matched="a", missing="bcd"),
        match(1, 20, 38.0, matched="ab", missing="cde"),
        match(1, 30, 90.0, matched="abc", eligible=False),  # a gate failed: not a candidate
    ]

    result = reasons([1], matches=matches)

    assert result == [
        NoProposal(
            1,
            NoProposalReason.BELOW_QUALITY,
            vacancy_id=20,
            vacancy_title="Forklift driver",
            covered=2,
            essential_total=5,
            missing=(SKILLS["c"], SKILLS["d"], SKILLS["e"]),
        )
    ]


def test_below_quality_without_any_kept_match_names_no_vacancy() -> None:
    result = reasons([1], matches=[match(1, 10, 95.0, matched="ab", eligible=False)])

    assert result == [NoProposal(1, NoProposalReason.BELOW_QUALITY)]


def test_positions_taken_says_what_the_workers_proposed_there_covered() -> None:
    matches = [
        match(1, 10, 70.0, matched="abc", missing="d"),
        match(1, 20, 55.0, matched="ab", missing="c"),
        match(2, 10, 90.0, matched="abcd"),
        match(3, 10, 85.0, matched="abd", missing="c", link=SkillLink.RELATED),
    ]
    proposals = [Proposal(2, 10, 90.0), Proposal(3, 10, 85.0), Proposal(4, 20, 60.0)]

    result = reasons([1, 2, 3, 4], proposals=proposals, matches=matches)

    assert result == [
        NoProposal(
            1,
            NoProposalReason.POSITIONS_TAKEN,
            vacancy_id=10,
            vacancy_title="Fruit picker",
            positions=2,
            winners_covered=3,
            covered=3,
            essential_total=4,
            missing=(SKILLS["d"],),
        )
    ]


def test_positions_taken_prefers_an_acceptable_match_to_a_higher_unacceptable_one() -> None:
    matches = [
        match(1, 10, 45.0, matched="a", missing="bcd"),  # coverage 0.25: under the minimum
        match(1, 20, 42.0, matched="abc", missing="d"),
    ]

    (result,) = reasons([1], matches=matches)

    assert (result.reason, result.vacancy_id, result.positions) == (
        NoProposalReason.POSITIONS_TAKEN,
        20,
        0,
    )


def test_reasons_are_tried_most_specific_first() -> None:
    good = match(1, 10, 80.0, matched="ab")

    placed = reasons([1], already_placed=frozenset({1}), reachable={1: (0, 0)}, matches=[good])
    no_region = reasons([1], reachable={1: (0, 0)}, matches=[good])

    assert placed[0].reason is NoProposalReason.ALREADY_PLACED
    assert no_region[0].reason is NoProposalReason.NO_VACANCY_IN_REGIONS


def test_results_come_sorted_by_worker_id() -> None:
    result = reasons([5, 3, 9], reachable={})

    assert [item.worker_id for item in result] == [3, 5, 9]
