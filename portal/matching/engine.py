"""A whole market at once: every available worker against every open vacancy.

Scoring every pair exactly would take hours on a large market, so the engine works in two steps:

1. An UPPER BOUND of each pair's score, vectorised over sparse matrices, worker chunk by worker
   chunk. Essential credit is bounded by exact matches plus the sum of every related credit
   between the vacancy's essential skills and the worker's skills (one worker skill may count
   for several wanted skills here), capped by the number of essential skills and of the
   worker's skills; optional credit likewise. Experience and languages are computed exactly,
   gates are masks, and the same weights and demotion as :func:`score` apply, so the bound is
   never below the exact score. Pairs are ranked by it, ties by ids.
2. The exact :func:`score` of the best candidates by bound (a margin of MARGIN × the places
   kept), taken in order of bound until no remaining bound can beat the scores already found.
   The pairs kept are cut by EXACT score.

Without related-skill links (and with no skill listed twice, or as both essential and optional)
the bound is the exact score, and the kept set is the one brute force would keep.

Chunks run over workers, not vacancies: scipy's sparse product accumulates one chunk row over
all columns, and 10k vacancy columns stay in cache where 100k worker columns do not (measured
3.5× faster on 100k × 10k with the ESCO graph).

Where optional skills, experience or languages count (the dense path), every pair of a chunk is
bounded as a dense float32 matrix, so only pairs that can pass the place gate are: vacancies are
grouped by region, each group against the workers who accept one of its regions (on the ESCO
benchmark market, 20 regions: 17 % of the pairs), in chunks of _DENSE_CELLS pairs that stay in
cache, one float32 operation at a time in place. Each chunk passes on only the pairs among its
own best of a worker or of a vacancy. Measured on that market at 100k × 10k on 2 cores: 34 s
with chunks of every pair, 4M pairs each; 3 s so.
"""

from __future__ import annotations

import gc
import heapq
import math
import os
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from portal.matching.score import (
    DEMOTION_BELOW,
    DEMOTION_FLOOR,
    WEIGHTS,
    language_rank,
    score,
    vacancy_isco,
    years_factor,
)
from portal.matching.types import (
    LINK_CREDIT,
    PROXIMITY_CREDIT,
    MatchScore,
    OccupationProximity,
    Quality,
    SkillGap,
    SkillGraph,
    SkillRef,
    VacancyProfile,
    WorkerProfile,
)

MARGIN = 2
"""Candidates taken by bound for each place kept by exact score, to absorb the bound's slack."""

THREADS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))
"""Threads that bound chunks at once."""

GAPS_SHOWN = 5
BUCKETS = 1001  # scores in tenths of a point, 0-1000
_OPEN = 10**8  # an open-ended date, as a day number beyond any real one
_NOT_REQUIRED = 127  # language rank of a language the vacancy does not ask for: never met
_POOL_LIMIT = 4_000_000  # candidate pool size (per vacancy side) that triggers a compaction
_SPARSE_ENTRIES = 3_000_000  # target bound entries per worker chunk (sparse path)
_DENSE_CELLS = 1_000_000  # target pairs per chunk (dense path): its float32 parts stay in cache
_BLOCK_VACANCIES = 128  # least vacancies in a block of regions (dense path)

Progress = Callable[[int, int], None]
_STEPS = ("matrices", "scoring", "explaining", "gaps")


@dataclass(frozen=True, slots=True)
class MarketResult:
    """The kept pairs with their exact scores, and what each worker can reach or learn."""

    matches: list[MatchScore]
    reachable: dict[int, tuple[int, int]]  # worker id → (vacancies in their regions, on dates)
    gaps: dict[int, tuple[SkillGap, ...]]
    timings: dict[str, float] = field(default_factory=dict)


def score_market(
    workers: Sequence[WorkerProfile],
    vacancies: Sequence[VacancyProfile],
    graph: SkillGraph,
    *,
    quality: Quality,
    per_vacancy: int = 50,
    per_worker: int = 5,
    bars: Mapping[int, float] | None = None,
    progress: Progress | None = None,
) -> MarketResult:
    """Keep, by exact score, the best `per_vacancy` eligible workers of each vacancy and the best
    `per_worker` eligible vacancies of each worker, plus every eligible pair at or above the bar
    of its vacancy in `bars` (vacancy id → lowest score kept so far). Only eligible pairs
    scoring above 0 are kept."""
    if not workers or not vacancies:
        nothing = {w.id: (0, 0) for w in workers}
        return MarketResult([], nothing, {w.id: () for w in workers}, dict.fromkeys(_STEPS, 0.0))
    timings: dict[str, float] = {}
    started = time.perf_counter()
    market = _Market.build(workers, vacancies, graph, bars or {})
    timings["matrices"] = time.perf_counter() - started

    started = time.perf_counter()
    candidates = _candidates(market, per_vacancy * MARGIN, per_worker * MARGIN, progress)
    timings["scoring"] = time.perf_counter() - started

    with collector_paused():
        started = time.perf_counter()
        matches = _exact(market, candidates, per_vacancy, per_worker)
        timings["explaining"] = time.perf_counter() - started
        started = time.perf_counter()
        reachable = _reachable(market)
        gaps = _gaps(market, quality)
        timings["gaps"] = time.perf_counter() - started
    return MarketResult(matches=matches, reachable=reachable, gaps=gaps, timings=timings)


def pair_bounds(
    workers: Sequence[WorkerProfile], vacancies: Sequence[VacancyProfile], graph: SkillGraph
) -> dict[tuple[int, int], float]:
    """The upper bound the engine ranks pairs by, in points, for every eligible pair above 0:
    (worker id, vacancy id) → bound. For tests and diagnostics; never below :func:`score`."""
    market = _Market.build(workers, vacancies, graph, {})
    bounds: dict[tuple[int, int], float] = {}
    for chunk in _chunks(market):
        rows, cols, tenths = _chunk_entries(market, chunk)
        workers_ = chunk.workers()[rows]
        for row, col, bound in zip(workers_.tolist(), cols.tolist(), tenths.tolist(), strict=True):
            if bound > 0:
                bounds[market.workers[row].id, market.vacancies[col].id] = bound / 10
    return bounds


@contextmanager
def collector_paused() -> Iterator[None]:
    """Millions of small acyclic values are made while explaining; the cyclic garbage collector
    would scan them again and again (measured on 100k × 10k: explaining 2.3× and gaps 30×
    slower) and can find nothing to free."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- the market as matrices ---------------------------------------------------------------------


@dataclass(slots=True)
class _Market:
    """Workers and vacancies (each sorted by id, so index order is id order) as arrays."""

    workers: Sequence[WorkerProfile]
    vacancies: Sequence[VacancyProfile]
    graph: SkillGraph
    concepts: list[str]  # sorted URIs: index order is URI order
    held: sp.csr_matrix  # workers × concepts, 1 where held
    skill_count: np.ndarray  # per worker: skills listed
    essential: sp.csr_matrix  # vacancies × concepts, times listed
    essential_count: np.ndarray
    linked: bool  # some held skill earns related credit for a wanted one
    demotion_per_credit: np.ndarray  # per vacancy: 1 / (DEMOTION_BELOW × essential skills)
    tenths_per_credit: np.ndarray  # per vacancy: 1000 × essential weight / essential skills
    optional_count: np.ndarray
    essential_binary: sp.csr_matrix  # concepts × vacancies: 1 where listed as essential
    essential_credit: sp.csr_matrix  # concepts × vacancies: credit a held concept brings
    optional_credit: sp.csr_matrix | None
    weights: np.ndarray  # vacancies × 4 (essential, optional, experience, languages)
    accepts: np.ndarray  # workers × vacancy regions, bool
    region_of: np.ndarray  # per vacancy: its column in `accepts`
    dates: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # from, until, start, end
    gates_open: bool  # every pair passes both gates
    experience: list[tuple[float, sp.csr_matrix, np.ndarray]]  # per ISCO level
    worker_language: np.ndarray  # workers × languages: rank held
    vacancy_language: np.ndarray  # vacancies × languages: rank required
    languages_required: np.ndarray  # per vacancy
    bar: np.ndarray  # per vacancy: bar in tenths, or above any score

    @property
    def dense(self) -> bool:
        """Optional skills, experience or languages need the dense path."""
        return (
            self.optional_credit is not None
            or bool(self.experience)
            or self.worker_language.shape[1] > 0
        )

    @classmethod
    def build(
        cls,
        workers: Sequence[WorkerProfile],
        vacancies: Sequence[VacancyProfile],
        graph: SkillGraph,
        bars: Mapping[int, float],
    ) -> _Market:
        workers = sorted(workers, key=lambda w: w.id)
        vacancies = sorted(vacancies, key=lambda v: v.id)
        concepts = sorted(
            {s.uri for w in workers for s in w.skills}
            | {s.uri for v in vacancies for s in (*v.essential, *v.optional)}
        )
        index = {uri: i for i, uri in enumerate(concepts)}
        held = _rows([[s.uri for s in w.skills] for w in workers], index, binary=True)
        essential = _rows([[s.uri for s in v.essential] for v in vacancies], index)
        optional = _rows([[s.uri for s in v.optional] for v in vacancies], index)
        credit = _credit_matrix(graph, concepts, index, essential, optional)
        linked = credit.nnz > len(concepts)
        has_optional = optional.nnz > 0
        regions = sorted({v.region_id for v in vacancies})
        accepts = _accepts(workers, regions)
        region_of = np.searchsorted(regions, [v.region_id for v in vacancies])
        dates = _dates(workers, vacancies)
        gates_open = bool(accepts.all()) and _dates_always_overlap(dates)
        worker_language, vacancy_language = _languages(workers, vacancies)
        return cls(
            workers=workers,
            vacancies=vacancies,
            graph=graph,
            concepts=concepts,
            held=held,
            skill_count=np.array([len(w.skills) for w in workers], dtype=np.float32),
            essential=essential,
            essential_count=np.array([len(v.essential) for v in vacancies], dtype=np.float32),
            linked=linked,
            demotion_per_credit=_per_credit(vacancies, lambda v: 1.0 / DEMOTION_BELOW),
            tenths_per_credit=_per_credit(vacancies, lambda v: 1000.0 * _essential_weight(v)),
            optional_count=np.array([len(v.optional) for v in vacancies], dtype=np.float32),
            essential_binary=_binary(essential).T.tocsr(),
            essential_credit=(essential @ credit).T.tocsr(),
            optional_credit=(optional @ credit).T.tocsr() if has_optional else None,
            weights=_weights(vacancies),
            accepts=accepts,
            region_of=region_of,
            dates=dates,
            gates_open=gates_open,
            experience=_experience(workers, vacancies, graph),
            worker_language=worker_language,
            vacancy_language=vacancy_language,
            languages_required=np.array([len(v.languages) for v in vacancies], dtype=np.float32),
            bar=np.array(
                [math.ceil(bars[v.id] * 10 - 1e-6) if v.id in bars else BUCKETS for v in vacancies],
                dtype=np.int32,
            ),
        )


def _rows(lists: list[list[str]], index: Mapping[str, int], binary: bool = False) -> sp.csr_matrix:
    indptr = np.cumsum([0, *(len(uris) for uris in lists)])
    columns = np.fromiter((index[u] for uris in lists for u in uris), np.int32, indptr[-1])
    ones = np.ones(len(columns), dtype=np.float32)
    matrix = sp.csr_matrix((ones, columns, indptr), shape=(len(lists), len(index)))
    matrix.sum_duplicates()
    if binary:
        matrix.data[:] = 1.0
    return matrix


def _essential_weight(vacancy: VacancyProfile) -> float:
    return WEIGHTS[bool(vacancy.optional), bool(vacancy.languages)]["essential"]


def _per_credit(
    vacancies: Sequence[VacancyProfile], factor: Callable[[VacancyProfile], float]
) -> np.ndarray:
    return np.array(
        [factor(v) / len(v.essential) if v.essential else 0.0 for v in vacancies],
        dtype=np.float32,
    )


def _binary(matrix: sp.csr_matrix) -> sp.csr_matrix:
    ones = matrix.copy()
    ones.data[:] = 1.0
    return ones


def _credit_matrix(
    graph: SkillGraph,
    concepts: list[str],
    index: Mapping[str, int],
    *wanted_by: sp.csr_matrix,
) -> sp.csr_matrix:
    """concepts × concepts: 1 on the diagonal, LINK_CREDIT of each graph link off it."""
    wanted = np.unique(np.concatenate([m.indices for m in wanted_by]))
    rows: list[int] = []
    cols: list[int] = []
    credits: list[float] = []
    for row in wanted.tolist():
        for held, link in graph.links.get(concepts[row], {}).items():
            column = index.get(held)
            if column is not None:
                rows.append(row)
                cols.append(column)
                credits.append(LINK_CREDIT[link])
    size = len(concepts)
    related = sp.csr_matrix((np.array(credits, dtype=np.float32), (rows, cols)), shape=(size, size))
    return (related + sp.identity(size, dtype=np.float32, format="csr")).tocsr()


def _weights(vacancies: Sequence[VacancyProfile]) -> np.ndarray:
    rows = []
    for v in vacancies:
        weights = WEIGHTS[bool(v.optional), bool(v.languages)]
        rows.append(
            (weights["essential"], weights["optional"], weights["experience"], weights["languages"])
        )
    return np.array(rows, dtype=np.float32).reshape(len(vacancies), 4)


def _accepts(workers: Sequence[WorkerProfile], regions: list[int]) -> np.ndarray:
    column = {region: i for i, region in enumerate(regions)}
    accepts = np.zeros((len(workers), len(regions)), dtype=bool)
    for row, w in enumerate(workers):
        if w.relocate_anywhere:
            accepts[row] = True
            continue
        for region in (w.region_id, *w.accepted_regions):
            if region in column:
                accepts[row, column[region]] = True
    return accepts


def _day(value: object, open_end: int) -> int:
    return value.toordinal() if value is not None else open_end  # type: ignore[attr-defined]


def _dates(
    workers: Sequence[WorkerProfile], vacancies: Sequence[VacancyProfile]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    def days(values: list[object], open_end: int) -> np.ndarray:
        return np.array([_day(v, open_end) for v in values], dtype=np.int32)

    return (
        days([w.available_from for w in workers], -_OPEN),
        days([w.available_until for w in workers], _OPEN),
        days([v.start_date for v in vacancies], -_OPEN),
        days([v.end_date for v in vacancies], _OPEN),
    )


def _dates_always_overlap(dates: tuple[np.ndarray, ...]) -> bool:
    available_from, available_until, start, end = dates
    if not len(available_from) or not len(start):
        return True
    return bool(available_from.max() <= end.min() and available_until.min() >= start.max())


_ISCO_LEVELS = (
    (4, OccupationProximity.UNIT_GROUP),
    (3, OccupationProximity.MINOR_GROUP),
    (2, OccupationProximity.SUB_MAJOR_GROUP),
)


def _experience(
    workers: Sequence[WorkerProfile], vacancies: Sequence[VacancyProfile], graph: SkillGraph
) -> list[tuple[float, sp.csr_matrix, np.ndarray]]:
    """Per level of proximity: (its credit, workers × keys of best years factor, the key of
    each vacancy or -1). A vacancy's experience part is the best credit × factor over levels."""
    codes = [vacancy_isco(v, graph.isco_of) for v in vacancies]
    vacancy_keys: list[list[str | None]] = [[v.occupation_uri for v in vacancies]]
    worker_key: list[Callable[[str, str | None], str | None]] = [lambda uri, _: uri]
    for digits, _ in _ISCO_LEVELS:
        vacancy_keys.append([c[:digits] if c and len(c) >= digits else None for c in codes])
        worker_key.append(lambda _, isco, d=digits: isco[:d] if isco and len(isco) >= d else None)
    credits = [PROXIMITY_CREDIT[OccupationProximity.SAME_OCCUPATION]] + [
        PROXIMITY_CREDIT[p] for _, p in _ISCO_LEVELS
    ]
    levels = []
    for credit, keys, key_of in zip(credits, vacancy_keys, worker_key, strict=True):
        column = {key: i for i, key in enumerate(sorted({k for k in keys if k is not None}))}
        best: dict[tuple[int, int], float] = {}
        for row, w in enumerate(workers):
            for e in w.experiences:
                key = key_of(e.occupation_uri, graph.isco_of.get(e.occupation_uri))
                if key in column:
                    cell = (row, column[key])
                    best[cell] = max(best.get(cell, 0.0), years_factor(e.years))
        if not best:
            continue
        cells = np.array(list(best), dtype=np.int64).reshape(-1, 2)
        matrix = sp.csr_matrix(
            (np.array(list(best.values()), dtype=np.float32), (cells[:, 0], cells[:, 1])),
            shape=(len(workers), len(column)),
        )
        vacancy_column = np.array([column.get(k, -1) for k in keys], dtype=np.int64)
        levels.append((credit, matrix, vacancy_column))
    return levels


def _languages(
    workers: Sequence[WorkerProfile], vacancies: Sequence[VacancyProfile]
) -> tuple[np.ndarray, np.ndarray]:
    codes = sorted({code for v in vacancies for code in v.languages})
    held = np.array(
        [[language_rank(w.languages.get(code)) for code in codes] for w in workers],
        dtype=np.int8,
    ).reshape(len(workers), len(codes))
    required = np.array(
        [
            [
                language_rank(v.languages[code]) if code in v.languages else _NOT_REQUIRED
                for code in codes
            ]
            for v in vacancies
        ],
        dtype=np.int8,
    ).reshape(len(vacancies), len(codes))
    return held, required


# --- step 1: the bound --------------------------------------------------------------------------


def _coverage(product: sp.csr_matrix, listed: np.ndarray, skills: np.ndarray) -> np.ndarray:
    """Coverage bound, dense: the credit sum, at most one per listed skill and per worker skill,
    over the skills listed (in place; not a number where none are listed: callers set those)."""
    coverage = product.toarray()
    np.minimum(coverage, listed, out=coverage)
    np.minimum(coverage, skills, out=coverage)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(coverage, listed, out=coverage)
    return coverage


@dataclass(frozen=True, slots=True)
class _Block:
    """Vacancies of some regions and the workers who accept one of them: no other worker passes
    the place gate for these vacancies, so the dense path bounds only these pairs. Per-vacancy
    figures are those of the block's columns."""

    rows: np.ndarray  # worker indices, ascending
    cols: np.ndarray  # vacancy indices, ascending (int32)
    place_open: bool  # every worker of the block accepts every region of the block
    essential_credit: sp.csr_matrix  # concepts × cols
    optional_credit: sp.csr_matrix | None
    experience: list[tuple[sp.csr_matrix, sp.csr_matrix]]  # per level: (workers × keys of credit
    # × years factor, keys × cols with 1 at each vacancy's key)
    essential_count: np.ndarray
    without_essential: np.ndarray  # columns listing no essential skill
    optional_count: np.ndarray
    without_optional: np.ndarray
    weights: np.ndarray  # 4 × cols
    region_of: np.ndarray
    start: np.ndarray
    end: np.ndarray
    vacancy_language: np.ndarray  # cols × languages
    languages_required: np.ndarray
    without_languages: np.ndarray

    @classmethod
    def of(
        cls,
        market: _Market,
        rows: np.ndarray,
        cols: np.ndarray,
        place_open: bool,
        experience: list[tuple[sp.csr_matrix, np.ndarray]],
    ) -> _Block:
        every = len(cols) == len(market.vacancies)

        def columns(matrix: sp.csr_matrix) -> sp.csr_matrix:
            return matrix if every else matrix[:, cols].tocsr()

        levels = []
        for credit, column in experience:
            key = column[cols]
            known = np.flatnonzero(key >= 0)
            one_hot = sp.csr_matrix(
                (np.ones(len(known), dtype=np.float32), (key[known], known)),
                shape=(credit.shape[1], len(cols)),
            )
            levels.append((credit, one_hot))
        _, _, start, end = market.dates
        return cls(
            rows=rows,
            cols=cols.astype(np.int32),
            place_open=place_open,
            essential_credit=columns(market.essential_credit),
            optional_credit=(
                None if market.optional_credit is None else columns(market.optional_credit)
            ),
            experience=levels,
            essential_count=market.essential_count[cols],
            without_essential=np.flatnonzero(market.essential_count[cols] == 0),
            optional_count=market.optional_count[cols],
            without_optional=np.flatnonzero(market.optional_count[cols] == 0),
            weights=np.ascontiguousarray(market.weights[cols].T),
            region_of=market.region_of[cols],
            start=start[cols],
            end=end[cols],
            vacancy_language=market.vacancy_language[cols],
            languages_required=market.languages_required[cols],
            without_languages=np.flatnonzero(market.languages_required[cols] == 0),
        )


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Workers bounded at once: rows start:stop of a block (dense path), or of the market against
    every vacancy (sparse path, `block` None)."""

    block: _Block | None
    start: int
    stop: int
    cells: int  # pairs it covers

    def workers(self) -> np.ndarray:
        if self.block is None:
            return np.arange(self.start, self.stop, dtype=np.int32)
        return self.block.rows[self.start : self.stop].astype(np.int32)


def _chunks(market: _Market) -> list[_Chunk]:
    """The chunks to bound, in order: by worker within a block, so that each vacancy sees its
    workers in index order."""
    total = len(market.workers)
    if not market.dense:
        size = _chunk_size(market)
        return [
            _Chunk(None, start, min(total, start + size), (min(total, start + size) - start))
            for start in range(0, total, size)
        ]
    chunks = []
    for block in _blocks(market):
        width, height = len(block.cols), len(block.rows)
        size = max(1, _DENSE_CELLS // width)
        chunks += [
            _Chunk(
                block, start, min(height, start + size), (min(height, start + size) - start) * width
            )
            for start in range(0, height, size)
        ]
    return chunks


def _blocks(market: _Market) -> list[_Block]:
    experience = [(_scaled(matrix, credit), column) for credit, matrix, column in market.experience]
    return [
        _Block.of(market, rows, cols, place_open, experience)
        for rows, cols, place_open in _region_plan(market)
    ]


def _region_plan(market: _Market) -> list[tuple[np.ndarray, np.ndarray, bool]]:
    """The vacancies grouped by region (regions merged until a group has _BLOCK_VACANCIES), each
    with the workers who accept one of its regions, and whether they all accept all of them: no
    other worker passes the place gate for those vacancies. One group of everything where the
    groups would not spare a quarter of the pairs; groups without workers are left out."""
    regions = market.accepts.shape[1]
    counts = np.bincount(market.region_of, minlength=regions)
    groups: list[list[int]] = [[]]
    for region in range(regions):
        if groups[-1] and counts[groups[-1]].sum() >= _BLOCK_VACANCIES:
            groups.append([])
        groups[-1].append(region)
    plan = []
    for group in groups:
        accepting = market.accepts[:, group]
        rows = np.flatnonzero(accepting.any(axis=1))
        cols = np.flatnonzero(np.isin(market.region_of, group))
        plan.append((rows, cols, bool(accepting[rows].all())))
    workers, vacancies = len(market.workers), len(market.vacancies)
    if len(plan) > 1 and sum(len(r) * len(c) for r, c, _ in plan) > 0.75 * workers * vacancies:
        plan = [(np.arange(workers), np.arange(vacancies), bool(market.accepts.all()))]
    return [(rows, cols, place_open) for rows, cols, place_open in plan if len(rows) and len(cols)]


def _scaled(matrix: sp.csr_matrix, credit: float) -> sp.csr_matrix:
    scaled = matrix.copy()
    scaled.data = np.float32(credit) * scaled.data
    return scaled


def _chunk_entries(market: _Market, chunk: _Chunk) -> tuple[np.ndarray, ...]:
    """(row in chunk, vacancy, bound in tenths) of the chunk's pairs; the sparse path leaves in
    those that fail a gate or score 0 (as 0: callers filter once), the dense path leaves them
    out."""
    if chunk.block is not None:
        return _dense_entries(market, chunk.block, chunk.start, chunk.stop)
    start, stop = chunk.start, chunk.stop
    product = market.held[start:stop] @ market.essential_credit
    rows = np.repeat(np.arange(stop - start, dtype=np.int32), np.diff(product.indptr))
    cols = product.indices
    credit = np.minimum(product.data, market.essential_count[cols])
    np.minimum(credit, market.skill_count[start:stop][rows], out=credit)
    tenths = _essential_tenths(market, credit, cols)
    if not market.gates_open:
        tenths[~_gates(market, start + rows, cols)] = 0
    return rows, cols, tenths


def _essential_tenths(
    market: _Market, credit: np.ndarray, cols: np.ndarray, slack: float = 0.0
) -> np.ndarray:
    """The score in tenths, when essential skills are all that count: the formula of
    `_dense_entries` with the per-vacancy factors gathered once (this runs on every pair the
    product yields)."""
    demotion = credit * market.demotion_per_credit[cols]
    np.clip(demotion, DEMOTION_FLOOR, 1.0, out=demotion)
    demotion *= credit
    demotion *= market.tenths_per_credit[cols]
    demotion += 0.51 - slack
    return np.floor(demotion, out=demotion).astype(np.int16)


def _gates(market: _Market, workers: np.ndarray, vacancies: np.ndarray) -> np.ndarray:
    available_from, available_until, start, end = market.dates
    return (
        market.accepts[workers, market.region_of[vacancies]]
        & (available_from[workers] <= end[vacancies])
        & (available_until[workers] >= start[vacancies])
    )


def _dense_entries(
    market: _Market, block: _Block, start: int, stop: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The score formula of :func:`score` on the chunk × block matrix of parts, in float32, one
    operation at a time in place (the chunk is sized to stay in cache). The parts: essential and
    optional coverage bounds, experience and languages exact; experience stands in for essential
    skills where none are listed; the demotion applies."""
    rows = block.rows[start:stop]
    size, width = len(rows), len(block.cols)
    held = market.held[rows]
    skills = market.skill_count[rows, None]
    experience = np.zeros((size, width), dtype=np.float32)
    cells = experience.reshape(-1)
    for credit, one_hot in block.experience:
        part = credit[rows] @ one_hot  # one key of a level per vacancy: each value is exact
        at = np.repeat(np.arange(size, dtype=np.int64) * width, np.diff(part.indptr))
        at += part.indices
        cells[at] = np.maximum(cells[at], part.data)
    total = _coverage(held @ block.essential_credit, block.essential_count, skills)
    if len(block.without_essential):  # experience stands in
        total[:, block.without_essential] = experience[:, block.without_essential]
    demotion = np.divide(total, DEMOTION_BELOW)
    np.clip(demotion, DEMOTION_FLOOR, 1.0, out=demotion)
    demotion *= 100.0
    total *= block.weights[0]
    if block.optional_credit is not None:
        optional = _coverage(held @ block.optional_credit, block.optional_count, skills)
        optional[:, block.without_optional] = 0.0
        optional *= block.weights[1]
        total += optional
        del optional
    experience *= block.weights[2]
    total += experience
    if market.worker_language.shape[1]:
        met = np.zeros_like(experience)
        for code in range(market.worker_language.shape[1]):
            met += market.worker_language[rows, code, None] >= block.vacancy_language[:, code]
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(met, block.languages_required, out=met)
        met[:, block.without_languages] = 0.0
        met *= block.weights[3]
        total += met
        del met
    del experience
    total *= demotion
    total *= 10.0
    total += 0.51  # tenths once floored: a positive bound is at least 1 before flooring
    keep = total >= 1.0
    if not block.place_open:
        keep &= market.accepts[rows][:, block.region_of]
    available_from, available_until, _, _ = market.dates
    keep &= available_from[rows, None] <= block.end
    keep &= available_until[rows, None] >= block.start
    at = np.flatnonzero(keep)
    tenths = np.floor(total.reshape(-1)[at]).astype(np.int16)
    return (at // width).astype(np.int32), block.cols[at % width], tenths


@dataclass(slots=True)
class _Candidates:
    """Pairs (worker index, vacancy index, bound in tenths) worth an exact score."""

    by_worker: list[np.ndarray] = field(default_factory=list)
    by_vacancy: list[np.ndarray] = field(default_factory=list)
    at_bar: list[np.ndarray] = field(default_factory=list)

    @staticmethod
    def join(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts, axis=1) if parts else np.zeros((3, 0), dtype=np.int32)


def _candidates(
    market: _Market, per_vacancy: int, per_worker: int, progress: Progress | None
) -> _Candidates:
    """The best pairs by bound: `per_worker` per worker, `per_vacancy` per vacancy, and all at
    or above a vacancy's bar.

    Chunks are bounded on THREADS threads (numpy lets go of the interpreter lock, scipy's
    product does not, so they overlap) and merged in order."""
    total = len(market.workers)
    candidates = _Candidates()
    never = np.full(len(market.vacancies), BUCKETS, dtype=np.int32)
    pool = _VacancyPool(np.ones_like(never) if per_vacancy else never, per_vacancy)
    has_bars = bool((market.bar < BUCKETS).any())
    chunks = _chunks(market)
    cells = sum(chunk.cells for chunk in chunks)

    def survivors(chunk: _Chunk) -> tuple[np.ndarray, ...]:
        rows, cols, tenths = _chunk_entries(market, chunk)
        row_floor = _worker_floor(market, chunk, per_worker, rows, tenths)
        mine = tenths >= row_floor[rows]
        # a vacancy's pairs below the `per_vacancy`-th best of the chunk are not among its
        # best; the pool's floor may be stale, which only keeps more
        col_floor = pool.floor.copy()
        if per_vacancy:
            _kth_best(cols, tenths, per_vacancy, col_floor)
        keep = mine | (tenths >= col_floor[cols])
        if has_bars:
            keep |= tenths >= market.bar[cols]
        keep &= tenths > 0
        rows, cols, tenths, mine = rows[keep], cols[keep], tenths[keep], mine[keep]
        workers = chunk.workers()[rows]
        best = _top_k(workers[mine], cols[mine], tenths[mine], per_worker)
        return workers, cols, tenths, best

    done = 0
    with ThreadPoolExecutor(THREADS) as executor:
        pending: deque[Future[tuple[np.ndarray, ...]]] = deque()
        for index, chunk in enumerate(chunks):
            while len(pending) <= THREADS and index + len(pending) < len(chunks):
                pending.append(executor.submit(survivors, chunks[index + len(pending)]))
            workers, cols, tenths, best = pending.popleft().result()
            if per_worker:
                candidates.by_worker.append(best)
            if per_vacancy:
                pool.offer(workers, cols, tenths)
            if has_bars:
                at_bar = tenths >= market.bar[cols]
                candidates.at_bar.append(np.stack([workers[at_bar], cols[at_bar], tenths[at_bar]]))
            if progress is not None:
                done += chunk.cells
                progress(chunk.stop if chunk.block is None else total * done // cells, total)
    if progress is not None and not chunks:
        progress(total, total)
    if per_worker and len({id(chunk.block) for chunk in chunks}) > 1:
        # a worker's best in each block: keep the best of those
        workers, cols, tenths = _Candidates.join(candidates.by_worker)
        candidates.by_worker = [_top_k(workers, cols, tenths, per_worker)]
    if per_vacancy:
        candidates.by_vacancy.append(pool.compact())
    return candidates


def _worker_floor(
    market: _Market, chunk: _Chunk, per_worker: int, rows: np.ndarray, tenths: np.ndarray
) -> np.ndarray:
    """Per worker of the chunk, the least bound (in tenths) of a pair among their best (in the
    chunk's vacancies).

    Exact where cheap: the `per_worker`-th best bound of the row. With related links (sparse
    path), a lower figure from far fewer pairs: the score with exact matches alone is a lower
    bound of the exact score, so once a worker has `per_worker` pairs with at least L, no pair
    bounded below L is among their best by bound."""
    start, stop = chunk.start, chunk.stop
    if not per_worker:
        return np.full(stop - start, BUCKETS, dtype=np.int32)
    floor = np.ones(stop - start, dtype=np.int32)
    if chunk.block is not None or not market.linked:
        _kth_best(rows, tenths, per_worker, floor)
        return floor
    product = market.held[start:stop] @ market.essential_binary
    rows = np.repeat(np.arange(stop - start, dtype=np.int32), np.diff(product.indptr))
    cols = product.indices
    lower = _essential_tenths(market, product.data, cols, slack=1e-3)
    keep = lower > 0
    if not market.gates_open:
        keep &= _gates(market, rows + start, cols)
    _kth_best(rows[keep], lower[keep], per_worker, floor)
    return floor


def _chunk_size(market: _Market, exact: bool = False) -> int:
    """Workers per chunk on the sparse path."""
    per_concept = market.essential_credit if not exact else market.essential_binary
    per_skill = per_concept.nnz / max(1, per_concept.shape[0])
    per_worker = per_skill * market.held.nnz / max(1, market.held.shape[0])
    return int(min(50_000, max(256, _SPARSE_ENTRIES / max(1.0, per_worker))))


_MEMBER_BITS = 24
_GROUP_SHIFT = _MEMBER_BITS + 10  # bounds take 10 bits (0-1000)


def _sorted_keys(groups: np.ndarray, members: np.ndarray, tenths: np.ndarray) -> np.ndarray:
    """(group, bound desc, member) packed in one int64 each, sorted: sorting values is several
    times faster than an argsort or a lexsort."""
    if len(groups) and (groups.max() >= 1 << (63 - _GROUP_SHIFT) or members.max() >= 1 << 24):
        raise ValueError("market too large to pack: more than 16 million workers or vacancies")
    key = groups.astype(np.int64) << _GROUP_SHIFT
    key |= ((BUCKETS - 1) - tenths.astype(np.int64)) << _MEMBER_BITS
    key |= members
    key.sort()
    return key


def _unpack(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    groups = keys >> _GROUP_SHIFT
    tenths = (BUCKETS - 1) - ((keys >> _MEMBER_BITS) & 1023)
    return groups, keys & ((1 << _MEMBER_BITS) - 1), tenths


def _first_k(groups: np.ndarray, k: int) -> np.ndarray:
    """Mask of the first `k` entries of each group, in sorted `groups`."""
    first = np.full(len(groups), k > 0)
    if 0 < k < len(groups):
        first[k:] = groups[k:] != groups[:-k]
    return first


def _top_k(groups: np.ndarray, members: np.ndarray, tenths: np.ndarray, k: int) -> np.ndarray:
    """Each group's best `k` entries by (bound desc, member asc), as rows (group, member, bound)."""
    keys = _sorted_keys(groups, members, tenths)
    keys = keys[_first_k(keys >> _GROUP_SHIFT, k)]
    return np.stack(_unpack(keys))


def _kth_best(
    groups: np.ndarray, tenths: np.ndarray, k: int, floor: np.ndarray, above: int = 0
) -> None:
    """Raise `floor[g]` to the `k`-th best bound of group g (plus `above`), where g has `k`
    entries."""
    small = not len(groups) or groups.max() < 1 << 21
    keys = groups.astype(np.int32 if small else np.int64) << 10
    keys |= (BUCKETS - 1) - tenths
    keys.sort()
    sorted_groups = keys >> 10
    kth = keys[_first_k(sorted_groups, k) & ~_first_k(sorted_groups, k - 1)]
    winners = kth >> 10
    floor[winners] = np.maximum(floor[winners], (BUCKETS - 1) - (kth & 1023) + above)


def _ordered(groups: np.ndarray, members: np.ndarray, tenths: np.ndarray) -> tuple[np.ndarray, ...]:
    """The entries sorted by (group, bound desc, member)."""
    return _unpack(_sorted_keys(groups, members, tenths))


class _VacancyPool:
    """Each vacancy's best `limit` pairs by (bound desc, worker asc) over chunks seen so far.

    Workers come in index order, so once a vacancy holds `limit` pairs a newcomer must beat the
    lowest bound held: on a tie it has the higher index and loses."""

    def __init__(self, floor: np.ndarray, limit: int) -> None:
        self.limit = limit
        self.floor = floor  # least bound a newcomer needs
        self.parts: list[np.ndarray] = []
        self.size = 0

    def offer(self, workers: np.ndarray, cols: np.ndarray, tenths: np.ndarray) -> None:
        keep = tenths >= self.floor[cols]
        if not keep.all():
            workers, cols, tenths = workers[keep], cols[keep], tenths[keep]
        if len(cols):
            self.parts.append(np.stack([workers, cols, tenths]))
            self.size += len(cols)
        if self.size > max(_POOL_LIMIT, 4 * self.limit * len(self.floor)):
            self.compact()

    def compact(self) -> np.ndarray:
        workers, cols, tenths = _Candidates.join(self.parts)
        cols, workers, tenths = _top_k(cols, workers, tenths, self.limit)
        _kth_best(cols, tenths, self.limit, self.floor, above=1)
        self.parts = [np.stack([workers, cols, tenths])]
        self.size = len(cols)
        return self.parts[0]


# --- step 2: exact scores -----------------------------------------------------------------------


def _exact(
    market: _Market, candidates: _Candidates, per_vacancy: int, per_worker: int
) -> list[MatchScore]:
    scores: dict[tuple[int, int], MatchScore] = {}

    def exact(worker: int, vacancy: int) -> MatchScore:
        key = (worker, vacancy)
        if key not in scores:
            scores[key] = score(market.workers[worker], market.vacancies[vacancy], market.graph)
        return scores[key]

    by_vacancy = _Candidates.join(candidates.by_vacancy)
    by_worker = _Candidates.join(candidates.by_worker)
    _best_in_order(
        by_vacancy[1], by_vacancy[0], by_vacancy[2], per_vacancy, lambda v, w: exact(w, v)
    )
    _best_in_order(by_worker[0], by_worker[1], by_worker[2], per_worker, exact)
    at_bar = _Candidates.join(candidates.at_bar)
    barred = [exact(w, v) for w, v in zip(at_bar[0].tolist(), at_bar[1].tolist(), strict=True)]

    kept: dict[tuple[int, int], MatchScore] = {}
    positive = [m for m in scores.values() if m.eligible and m.score > 0]
    for m in _top(positive, lambda m: m.vacancy_id, lambda m: m.worker_id, per_vacancy):
        kept[m.worker_id, m.vacancy_id] = m
    for m in _top(positive, lambda m: m.worker_id, lambda m: m.vacancy_id, per_worker):
        kept[m.worker_id, m.vacancy_id] = m
    bar_of = {v.id: int(b) for v, b in zip(market.vacancies, market.bar.tolist(), strict=True)}
    for m in barred:
        if m.eligible and m.score > 0 and round(m.score * 10) >= bar_of[m.vacancy_id]:
            kept[m.worker_id, m.vacancy_id] = m
    return sorted(kept.values(), key=lambda m: (m.vacancy_id, -m.score, m.worker_id))


def _best_in_order(
    groups: np.ndarray,
    members: np.ndarray,
    tenths: np.ndarray,
    limit: int,
    exact: Callable[[int, int], MatchScore],
) -> None:
    """Score each group's candidates in order of bound until `limit` exact scores beat every
    bound left (a bound at least equals the exact score it bounds)."""
    if not limit or not len(groups):
        return
    groups, members, tenths = _ordered(groups, members, tenths)
    rows = zip(groups.tolist(), members.tolist(), tenths.tolist(), strict=True)
    best: list[int] = []
    current = -1
    for group, member, bound in rows:
        if group != current:
            current, best = group, []
        elif len(best) == limit and best[0] > bound:
            continue
        match = exact(group, member)
        if match.eligible and match.score > 0:
            heapq.heappush(best, round(match.score * 10))
            if len(best) > limit:
                heapq.heappop(best)


def _top(
    matches: list[MatchScore],
    group: Callable[[MatchScore], int],
    member: Callable[[MatchScore], int],
    limit: int,
) -> list[MatchScore]:
    chosen: list[MatchScore] = []
    grouped: dict[int, list[MatchScore]] = defaultdict(list)
    for m in matches:
        grouped[group(m)].append(m)
    for members in grouped.values():
        chosen += sorted(members, key=lambda m: (-m.score, member(m)))[:limit]
    return chosen


# --- what a worker can reach, and what to learn -------------------------------------------------


def _reachable(market: _Market) -> dict[int, tuple[int, int]]:
    """Per worker: vacancies in regions they accept, and how many of those are on their dates."""
    available_from, available_until, start, end = market.dates
    in_regions = np.zeros(len(market.workers), dtype=np.int64)
    on_dates = np.zeros(len(market.workers), dtype=np.int64)
    for region in range(market.accepts.shape[1]):
        here = np.flatnonzero(market.region_of == region)
        starts, ends = np.sort(start[here]), np.sort(end[here])
        workers = np.flatnonzero(market.accepts[:, region])
        in_regions[workers] += len(here)
        too_late = len(here) - np.searchsorted(starts, available_until[workers], side="right")
        too_early = np.searchsorted(ends, available_from[workers], side="left")
        on_dates[workers] += len(here) - too_late - too_early
    return {
        w.id: (int(a), int(b))
        for w, a, b in zip(market.workers, in_regions.tolist(), on_dates.tolist(), strict=True)
    }


def _gaps(market: _Market, quality: Quality) -> dict[int, tuple[SkillGap, ...]]:
    """Per worker, the essential skills they lack that eligible vacancies ask for most.

    `wanted_by` counts eligible vacancies listing the skill; `unlocks` those whose essential
    skills the worker's exact matches cover fewer than needed for the quality's minimum coverage,
    and the skill would be the one missing. Judged on exact matches: related skills are ignored.
    Workers who pass the same gates see the same vacancies, so counts are made once per such
    class (in blocks, as one sparse product), then corrected per worker where they match part.
    """
    essential = _binary(market.essential)
    listed = np.diff(essential.indptr)
    need = np.ceil(quality.min_essential_coverage * listed - 1e-9).astype(np.int64)
    single = ((need == 1) & (listed > 0)).astype(np.float32)  # any of their skills unlocks them
    representatives, members = _gate_classes(market)
    extra = _unlock_corrections(market, essential, need, listed)
    label: dict[str, SkillRef] = {}
    for v in reversed(market.vacancies):
        label.update((s.uri, s) for s in v.essential)
    skill_count = market.skill_count.astype(np.int64)
    shown = GAPS_SHOWN + int(skill_count.max(initial=0))
    shown += max((len(c) for c in extra.values()), default=0)
    by_concept = essential.T.tocsr()
    gaps: dict[int, tuple[SkillGap, ...]] = {}
    for block in range(0, len(representatives), _GAP_CLASSES_AT_ONCE):
        rows = representatives[block : block + _GAP_CLASSES_AT_ONCE]
        eligible = _eligible(market, rows).T.astype(np.float32)  # vacancies × classes
        wanted_block = np.ascontiguousarray((by_concept @ eligible).T)  # classes × concepts
        unlocks_block = np.ascontiguousarray((by_concept @ (eligible * single[:, None])).T)
        for k in range(len(rows)):
            wanted, unlocks = wanted_block[k], unlocks_block[k]
            asked = np.flatnonzero(wanted)
            ordered = asked[np.lexsort((asked, -wanted[asked], -unlocks[asked]))][:shown]
            order = list(
                zip(
                    ordered.tolist(),
                    unlocks[ordered].astype(np.int64).tolist(),
                    wanted[ordered].astype(np.int64).tolist(),
                    strict=True,
                )
            )
            for row in members[block + k].tolist():
                chosen = _worker_gaps(market, row, order, wanted, unlocks, extra.get(row, {}))
                gaps[market.workers[row].id] = tuple(
                    SkillGap(_skill(label, market.concepts[concept]), unlocked, wanted_by)
                    for concept, unlocked, wanted_by in chosen
                )
    return gaps


_GAP_CLASSES_AT_ONCE = 256


def _worker_gaps(
    market: _Market,
    row: int,
    order: list[tuple[int, int, int]],
    wanted: np.ndarray,
    unlocks: np.ndarray,
    corrections: Mapping[int, int],
) -> list[tuple[int, int, int]]:
    """(concept, unlocks, wanted by) of a worker's best gaps: the class's order (concept,
    unlocks, wanted by, best first), less what they hold, with their own corrections. Of the
    skills left uncorrected, only the first GAPS_SHOWN in order can be among the best."""
    held = market.held
    mine = set(held.indices[held.indptr[row] : held.indptr[row + 1]].tolist())
    chosen: dict[int, tuple[int, int]] = {}
    for concept, unlocked, wanted_by in order:
        if concept not in mine and concept not in corrections:
            chosen[concept] = (unlocked, wanted_by)
            if len(chosen) == GAPS_SHOWN:
                break
    for concept, delta in corrections.items():
        chosen[concept] = (int(unlocks[concept]) + delta, int(wanted[concept]))
    ranked = sorted(chosen.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return [(concept, u, w) for concept, (u, w) in ranked[:GAPS_SHOWN]]


def _skill(label: Mapping[str, SkillRef], uri: str) -> SkillRef:
    return label.get(uri) or SkillRef(uri, uri)


def _eligible(market: _Market, rows: np.ndarray) -> np.ndarray:
    """rows × vacancies: whether each of these workers passes both gates."""
    available_from, available_until, start, end = market.dates
    return (
        market.accepts[rows][:, market.region_of]
        & (available_from[rows, None] <= end)
        & (available_until[rows, None] >= start)
    )


def _gate_classes(market: _Market) -> tuple[np.ndarray, list[np.ndarray]]:
    """A representative worker of each class of workers who pass the same gates, and the
    members of each class. Dates count by their rank among vacancy dates, so that two workers
    whose dates let them into the same vacancies are in one class."""
    available_from, available_until, start, end = market.dates
    keys = np.concatenate(
        [
            np.packbits(market.accepts, axis=1).astype(np.int64),
            np.searchsorted(np.sort(end), available_from)[:, None],
            np.searchsorted(np.sort(start), available_until, side="right")[:, None],
        ],
        axis=1,
    )
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(first) + 1))
    members = [order[bounds[c] : bounds[c + 1]] for c in range(len(first))]
    return first, members


def _unlock_corrections(
    market: _Market, essential: sp.csr_matrix, need: np.ndarray, listed: np.ndarray
) -> dict[int, dict[int, int]]:
    """Per worker, per skill: unlocks to add to (or take from) the class counts, from the
    vacancies the worker already matches exactly in part: +1 for each skill the worker lacks
    of an eligible vacancy they are one skill short of (needing 2 or more), -1 for each skill
    they lack of an eligible single-skill-need vacancy they already reach (those were counted
    for every eligible worker). Worked out in chunks of workers of each region group."""
    keys: list[np.ndarray] = []
    signs: list[np.ndarray] = []
    concepts = len(market.concepts)
    held = market.held
    held_keys = np.repeat(np.arange(held.shape[0], dtype=np.int64), np.diff(held.indptr))
    held_keys *= concepts
    held_keys += held.indices
    held_keys.sort()
    for rows, cols, _ in _region_plan(market):
        wanted = essential[cols].T.tocsr()  # concepts × cols
        size = max(1, _DENSE_CELLS // len(cols))
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            exact = (held[chunk] @ wanted).tocoo()
            workers, vacancies = chunk[exact.row], cols[exact.col]
            covered = exact.data.astype(np.int64)
            eligible = _gates(market, workers, vacancies)
            one_short = eligible & (need[vacancies] >= 2) & (covered == need[vacancies] - 1)
            # single-skill needs were counted for every eligible worker: not for those there
            already = eligible & (need[vacancies] == 1) & (covered >= 1) & (listed[vacancies] > 0)
            for sign, mask in ((1, one_short), (-1, already)):
                if mask.any():
                    found = _lacking(essential, held_keys, concepts, workers[mask], vacancies[mask])
                    keys.append(found)
                    signs.append(np.full(len(found), sign, dtype=np.int64))
    if not keys:
        return {}
    unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    totals = np.zeros(len(unique), dtype=np.int64)
    np.add.at(totals, inverse.ravel(), np.concatenate(signs))
    corrections: dict[int, dict[int, int]] = defaultdict(dict)
    for worker, concept, total in zip(
        (unique // concepts).tolist(), (unique % concepts).tolist(), totals.tolist(), strict=True
    ):
        corrections[worker][concept] = total
    return dict(corrections)


def _lacking(
    essential: sp.csr_matrix,
    held_keys: np.ndarray,
    concepts: int,
    workers: np.ndarray,
    vacancies: np.ndarray,
) -> np.ndarray:
    """worker × concepts + concept, for each essential skill of each pair's vacancy that the
    pair's worker does not hold (`held_keys`: the same of every skill held, sorted)."""
    lengths = np.diff(essential.indptr)[vacancies]
    pair = np.repeat(np.arange(len(vacancies)), lengths)
    offset = np.arange(len(pair)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    wanted = essential.indices[essential.indptr[vacancies][pair] + offset]
    keys = workers.astype(np.int64)[pair] * concepts + wanted
    at = np.minimum(np.searchsorted(held_keys, keys), max(0, len(held_keys) - 1))
    if not len(held_keys):
        return keys
    return keys[held_keys[at] != keys]
