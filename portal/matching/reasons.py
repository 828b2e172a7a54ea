"""Why a worker got no proposal in a round, and what came closest.

A worker left out should learn what to do next: widen their regions or dates, gain the skills
a vacancy lacked, or wait for positions that went to workers who covered more of what was asked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from portal.matching.types import (
    MatchScore,
    NoProposal,
    NoProposalReason,
    Proposal,
    Quality,
)


def why_not_proposed(
    worker_ids: Iterable[int],
    *,
    proposals: Iterable[Proposal],
    already_placed: Collection[int],
    open_vacancies: int,
    reachable: Mapping[int, tuple[int, int]],
    matches: Iterable[MatchScore],
    quality: Quality,
    titles: Mapping[int, str],
) -> list[NoProposal]:
    """One `NoProposal` per market worker without a proposal, sorted by worker id.

    `reachable` is the engine's (open vacancies in the worker's regions, of those on their
    dates); `matches` are the engine's scored pairs (only eligible ones are read); `titles`
    maps a vacancy id to its title. Reasons are tried most specific first (`NoProposalReason`).
    """
    proposals = list(proposals)
    proposed = {proposal.worker_id for proposal in proposals}
    by_worker: dict[int, list[MatchScore]] = defaultdict(list)
    by_pair: dict[tuple[int, int], MatchScore] = {}
    for match in matches:
        if match.eligible:
            by_worker[match.worker_id].append(match)
            by_pair[match.worker_id, match.vacancy_id] = match
    winners: dict[int, list[MatchScore | None]] = defaultdict(list)
    for proposal in proposals:
        winners[proposal.vacancy_id].append(by_pair.get((proposal.worker_id, proposal.vacancy_id)))

    result = []
    for worker in sorted(set(worker_ids) - proposed):
        if worker in already_placed:
            result.append(NoProposal(worker, NoProposalReason.ALREADY_PLACED))
        elif open_vacancies == 0:
            result.append(NoProposal(worker, NoProposalReason.NO_OPEN_VACANCY))
        elif (in_regions := reachable.get(worker, (0, 0)))[0] == 0:
            result.append(NoProposal(worker, NoProposalReason.NO_VACANCY_IN_REGIONS))
        elif in_regions[1] == 0:
            result.append(NoProposal(worker, NoProposalReason.NO_VACANCY_ON_DATES))
        else:
            result.append(_closest(worker, by_worker[worker], winners, quality, titles))
    return result


def _closest(
    worker: int,
    matches: list[MatchScore],
    winners: Mapping[int, list[MatchScore | None]],
    quality: Quality,
    titles: Mapping[int, str],
) -> NoProposal:
    """POSITIONS_TAKEN at their best acceptable vacancy, else BELOW_QUALITY at their best one.

    A worker with no scored pair at all (the engine kept none) is BELOW_QUALITY with no vacancy.
    """
    acceptable = [match for match in matches if quality.accepts(match)]
    if acceptable:
        best = _best(acceptable)
        taken = winners.get(best.vacancy_id, [])
        covered = [len(match.explanation.essential_matched) for match in taken if match is not None]
        return _at(
            NoProposalReason.POSITIONS_TAKEN,
            best,
            titles,
            positions=len(taken),
            winners_covered=min(covered, default=0),
        )
    if matches:
        return _at(NoProposalReason.BELOW_QUALITY, _best(matches), titles)
    return NoProposal(worker, NoProposalReason.BELOW_QUALITY)


def _best(matches: list[MatchScore]) -> MatchScore:
    """Highest score, then higher essential coverage, then the lower vacancy id."""
    return min(matches, key=lambda m: (-m.score, -m.essential_coverage, m.vacancy_id))


def _at(
    reason: NoProposalReason,
    match: MatchScore,
    titles: Mapping[int, str],
    *,
    positions: int = 0,
    winners_covered: int = 0,
) -> NoProposal:
    """The reason at `match`'s vacancy, with the essential skills the worker covers and lacks."""
    explanation = match.explanation
    covered = len(explanation.essential_matched)
    return NoProposal(
        match.worker_id,
        reason,
        match.vacancy_id,
        titles.get(match.vacancy_id, ""),
        positions=positions,
        winners_covered=winners_covered,
        covered=covered,
        essential_total=covered + len(explanation.essential_missing),
        missing=explanation.essential_missing,
    )
