"""Benchmark of the matcher on synthetic markets built from ESCO occupation profiles.

    python benchmarks/matching.py [--esco-dir ../shared/esco]
        [--sizes 1000x100,10000x1000,100000x10000] [--seed 7] [--positions 1-20]

Each size (workers x vacancies) runs in its own process, so that its peak memory is its own:
read ESCO, build the skill graph, generate the market, score it (`score_market`), then propose
with the optimal assignment and with the greedy baseline on the pairs that pass the default
`Quality()` (what the portal proposes from), and say why the others got nothing. Prints two
Markdown tables (scoring, assignment) and every figure as JSON. `--random-pairs
N_WORKERS,N_VACANCIES,K` times the assignment alone on K random pairs per vacancy instead.

The market (`make_market`, reproducible for a seed):
- occupations: those with >= 5 essential skills, of which a pool of max(20, vacancies / 50) is
  drawn; popularity follows Zipf (weight 1 / rank), the same for vacancies and workers, so that
  supply and demand meet in the same occupations, crowded in a few;
- vacancy: an occupation, all of its essential skills, up to 3 of its optional skills, positions
  uniform in `--positions` (default 1-20), one of 20 regions, a start within 120 days of a fixed
  date, lasting 30-180 days;
- worker: an occupation, each of its essential skills kept with p 0.7, up to 2 of its optional
  skills and 1 skill from anywhere, experience in the occupation with p 0.5 (1-10 years), one
  region, plus 2 more accepted with p 0.3, or relocating anywhere with p 0.1; available from
  30 days before to 90 days after the fixed date, until 60-365 days later (open-ended, p 0.3).
Workers are 10x vacancies: with 1-20 positions (mean 10.5) the positions roughly equal the
workers in number, so a vacancy is over- or under-subscribed by the luck of its occupation,
region and dates.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from portal.matching.assign import (  # noqa: E402
    CandidatePairs,
    assign_greedy,
    assign_optimal,
    total_score,
)
from portal.matching.engine import score_market  # noqa: E402
from portal.matching.graph import skill_graph  # noqa: E402
from portal.matching.reasons import why_not_proposed  # noqa: E402
from portal.matching.types import (  # noqa: E402
    ExperienceRef,
    MatchScore,
    Proposal,
    Quality,
    SkillRef,
    VacancyProfile,
    WorkerProfile,
)
from portal.taxonomy.loaders.esco import read_esco  # noqa: E402
from portal.taxonomy.model import RelationType, Taxonomy, preferred_label  # noqa: E402

CLASSIFICATION_ZIP = "esco-v1.1.1-classification-en-csv.zip"
RELATIONS_ZIP = "esco-v1.1.1-relations-csv.zip"
REGIONS = 20
DAY0 = date(2027, 3, 1)


# --- the market ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OccupationProfile:
    uri: str
    label: str
    isco_code: str
    essential: tuple[SkillRef, ...]
    optional: tuple[SkillRef, ...]


def occupation_profiles(taxonomy: Taxonomy) -> tuple[list[OccupationProfile], list[SkillRef]]:
    """Occupations with at least 5 essential skills (sorted by URI), and every skill."""
    skills = {s.uri: SkillRef(s.uri, preferred_label(s.labels, "en")) for s in taxonomy.skills}
    essential: dict[str, list[SkillRef]] = defaultdict(list)
    optional: dict[str, list[SkillRef]] = defaultdict(list)
    for relation in taxonomy.occupation_skills:
        kind = essential if relation.relation is RelationType.ESSENTIAL else optional
        kind[relation.occupation_uri].append(skills[relation.skill_uri])
    profiles = [
        OccupationProfile(
            o.uri,
            preferred_label(o.labels, "en"),
            o.isco_code,
            tuple(sorted(essential[o.uri], key=lambda s: s.uri)),
            tuple(sorted(optional[o.uri], key=lambda s: s.uri)),
        )
        for o in sorted(taxonomy.occupations, key=lambda o: o.uri)
        if len(essential[o.uri]) >= 5
    ]
    return profiles, sorted(skills.values(), key=lambda s: s.uri)


def make_market(
    profiles: Sequence[OccupationProfile],
    all_skills: Sequence[SkillRef],
    n_workers: int,
    n_vacancies: int,
    seed: int,
    positions: tuple[int, int] = (1, 20),
) -> tuple[list[WorkerProfile], list[VacancyProfile]]:
    """A reproducible market for a seed (see the module docstring for its design)."""
    rng = random.Random(seed)
    pool = rng.sample(list(profiles), min(len(profiles), max(20, n_vacancies // 50)))
    weights = [1 / rank for rank in range(1, len(pool) + 1)]
    vacancies = [
        _vacancy(i, occupation, rng, positions)
        for i, occupation in enumerate(rng.choices(pool, weights, k=n_vacancies), start=1)
    ]
    workers = [
        _worker(i, occupation, all_skills, rng)
        for i, occupation in enumerate(rng.choices(pool, weights, k=n_workers), start=1)
    ]
    return workers, vacancies


def _vacancy(
    id_: int, occupation: OccupationProfile, rng: random.Random, positions: tuple[int, int]
) -> VacancyProfile:
    start = DAY0 + timedelta(days=rng.randint(0, 120))
    return VacancyProfile(
        id=id_,
        title=occupation.label,
        occupation_uri=occupation.uri,
        isco_code=occupation.isco_code,
        essential=occupation.essential,
        optional=tuple(rng.sample(occupation.optional, min(3, len(occupation.optional)))),
        region_id=rng.randint(1, REGIONS),
        start_date=start,
        end_date=start + timedelta(days=rng.randint(30, 180)),
        positions_left=rng.randint(*positions),
    )


def _worker(
    id_: int, occupation: OccupationProfile, all_skills: Sequence[SkillRef], rng: random.Random
) -> WorkerProfile:
    held = {skill for skill in occupation.essential if rng.random() < 0.7}
    held.update(rng.sample(occupation.optional, min(2, len(occupation.optional))))
    held.add(rng.choice(all_skills))
    region = rng.randint(1, REGIONS)
    others = [r for r in range(1, REGIONS + 1) if r != region]
    mobility = rng.random()
    available_from = DAY0 + timedelta(days=rng.randint(-30, 90))
    return WorkerProfile(
        id=id_,
        skills=tuple(sorted(held, key=lambda s: s.uri)),
        experiences=(
            (ExperienceRef(occupation.uri, occupation.label, float(rng.randint(1, 10))),)
            if rng.random() < 0.5
            else ()
        ),
        region_id=region,
        accepted_regions=frozenset(rng.sample(others, 2)) if mobility < 0.3 else frozenset(),
        relocate_anywhere=0.3 <= mobility < 0.4,
        available_from=available_from,
        available_until=(
            None if rng.random() < 0.3 else available_from + timedelta(days=rng.randint(60, 365))
        ),
    )


# --- measuring ----------------------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(figures: dict[str, object], key: str, started: float) -> float:
    now = time.perf_counter()
    figures[key] = round(now - started, 3)
    return now


def measure_size(
    esco_dir: Path, n_workers: int, n_vacancies: int, seed: int, positions: tuple[int, int]
) -> dict[str, object]:
    """Every figure of one market size (run in a process of its own)."""
    figures: dict[str, object] = {"workers": n_workers, "vacancies": n_vacancies}
    started = time.perf_counter()
    taxonomy = read_esco(esco_dir / CLASSIFICATION_ZIP, esco_dir / RELATIONS_ZIP)
    started = _timed(figures, "read ESCO s", started)
    graph = skill_graph(taxonomy)
    started = _timed(figures, "graph s", started)
    profiles, all_skills = occupation_profiles(taxonomy)
    workers, vacancies = make_market(profiles, all_skills, n_workers, n_vacancies, seed, positions)
    del taxonomy
    started = _timed(figures, "market s", started)
    figures["positions"] = sum(v.positions_left for v in vacancies)
    figures["peak MB before scoring"] = round(_peak_mb())

    quality = Quality()
    result = score_market(workers, vacancies, graph, quality=quality)
    started = _timed(figures, "score s", started)
    figures["score timings"] = {k: round(float(v), 3) for k, v in dict(result.timings).items()}
    accepted = [match for match in result.matches if quality.accepts(match)]
    figures["kept pairs"] = len(result.matches)
    figures["acceptable pairs"] = len(accepted)
    pairs = CandidatePairs.of(accepted)
    capacities = {vacancy.id: vacancy.positions_left for vacancy in vacancies}

    started = time.perf_counter()
    optimal = assign_optimal(pairs, capacities)
    started = _timed(figures, "optimal s", started)
    greedy = assign_greedy(pairs, capacities)
    _timed(figures, "greedy s", started)
    for name, proposals in (("optimal", optimal), ("greedy", greedy)):
        figures[f"{name} total"] = round(total_score(proposals), 1)
        figures[f"{name} placed"] = len(proposals)
    figures.update(_binding(accepted, optimal, capacities))
    # the same comparison on every kept pair, with no quality minimum (the top candidates per
    # vacancy alone, as a plain capacity-constrained assignment would see them)
    every = CandidatePairs.of(match for match in result.matches if match.eligible)
    for name, assign in (("optimal", assign_optimal), ("greedy", assign_greedy)):
        proposals = assign(every, capacities)
        figures[f"unfiltered {name} total"] = round(total_score(proposals), 1)
        figures[f"unfiltered {name} placed"] = len(proposals)

    started = time.perf_counter()
    reasons = why_not_proposed(
        [worker.id for worker in workers],
        proposals=optimal,
        already_placed=frozenset(),
        open_vacancies=len(vacancies),
        reachable=result.reachable,
        matches=result.matches,
        quality=quality,
        titles={vacancy.id: vacancy.title for vacancy in vacancies},
    )
    _timed(figures, "reasons s", started)
    counts: dict[str, int] = defaultdict(int)
    for reason in reasons:
        counts[reason.reason.value] += 1
    figures["reasons"] = dict(sorted(counts.items()))
    figures["peak MB"] = round(_peak_mb())
    return figures


def _binding(
    accepted: Sequence[MatchScore], optimal: Sequence[Proposal], capacities: dict[int, int]
) -> dict[str, int]:
    """How many vacancies had more acceptable candidates than positions, and how many were
    filled by the optimal proposals: capacity binds only where candidates outnumber positions."""
    candidates: dict[int, int] = defaultdict(int)
    for match in accepted:
        candidates[match.vacancy_id] += 1
    filled: dict[int, int] = defaultdict(int)
    for proposal in optimal:
        filled[proposal.vacancy_id] += 1
    return {
        "vacancies oversubscribed": sum(
            1 for v, n in candidates.items() if n > capacities.get(v, 0)
        ),
        "vacancies filled": sum(1 for v, n in filled.items() if n >= capacities.get(v, 0)),
        "vacancies with a candidate": len(candidates),
    }


def measure_random_pairs(n_workers: int, n_vacancies: int, k: int, seed: int) -> dict[str, object]:
    """The assignment alone: k random workers per vacancy, scores uniform 40-100."""
    rng = np.random.default_rng(seed)
    pairs = CandidatePairs(
        rng.integers(1, n_workers + 1, n_vacancies * k, dtype=np.int64),
        np.repeat(np.arange(1, n_vacancies + 1, dtype=np.int64), k),
        np.round(rng.uniform(40, 100, n_vacancies * k), 2),
    )
    capacities = dict(enumerate(rng.integers(1, 21, n_vacancies).tolist(), start=1))
    figures: dict[str, object] = {"pairs": len(pairs)}
    started = time.perf_counter()
    optimal = assign_optimal(pairs, capacities)
    started = _timed(figures, "optimal s", started)
    greedy = assign_greedy(pairs, capacities)
    _timed(figures, "greedy s", started)
    for name, proposals in (("optimal", optimal), ("greedy", greedy)):
        figures[f"{name} total"] = round(total_score(proposals), 1)
        figures[f"{name} placed"] = len(proposals)
    figures["peak MB"] = round(_peak_mb())
    return figures


# --- output -------------------------------------------------------------------------------------


def _gain(figures: dict[str, object], key: str, prefix: str = "") -> str:
    optimal = float(figures[f"{prefix}optimal {key}"])  # type: ignore[arg-type]
    greedy = float(figures[f"{prefix}greedy {key}"])  # type: ignore[arg-type]
    return f"{(optimal / greedy - 1) * 100:+.1f} %" if greedy else "n/a"


def print_tables(rows: Sequence[dict[str, object]]) -> None:
    """Scoring, then assignment, as Markdown tables; then every figure as JSON."""
    phases = list(rows[0]["score timings"])  # type: ignore[call-overload]
    print(
        "| workers × vacancies | positions | graph s | score s | "
        + " | ".join(f"{phase} s" for phase in phases)
        + " | kept pairs | acceptable pairs | peak MB |"
    )
    print("| --- |" + " ---: |" * (6 + len(phases)))
    for r in rows:
        timings: dict[str, float] = r["score timings"]  # type: ignore[assignment]
        cells = [
            _size_cell(r),
            f"{r['positions']:,}",
            f"{r['graph s']:.1f}",
            f"{r['score s']:.1f}",
            *(f"{timings[phase]:.1f}" for phase in phases),
            f"{r['kept pairs']:,}",
            f"{r['acceptable pairs']:,}",
            f"{r['peak MB']:,}",
        ]
        print("| " + " | ".join(cells) + " |")
    print()
    print(
        "| workers × vacancies | optimal s | greedy s | total optimal | total greedy | gain "
        "| placed optimal | placed greedy | gain | vacancies full / oversubscribed |"
    )
    print("| --- |" + " ---: |" * 9)
    for r in rows:
        cells = [
            _size_cell(r),
            f"{r['optimal s']:.2f}",
            f"{r['greedy s']:.2f}",
            f"{r['optimal total']:,.0f}",
            f"{r['greedy total']:,.0f}",
            _gain(r, "total"),
            f"{r['optimal placed']:,}",
            f"{r['greedy placed']:,}",
            _gain(r, "placed"),
            f"{r['vacancies filled']:,} / {r['vacancies oversubscribed']:,}",
        ]
        print("| " + " | ".join(cells) + " |")
    print()
    print("Every kept pair, no quality minimum:")
    print()
    print(
        "| workers × vacancies | total optimal | total greedy | gain "
        "| placed optimal | placed greedy | gain |"
    )
    print("| --- |" + " ---: |" * 6)
    for r in rows:
        cells = [
            _size_cell(r),
            f"{r['unfiltered optimal total']:,.0f}",
            f"{r['unfiltered greedy total']:,.0f}",
            _gain(r, "total", "unfiltered "),
            f"{r['unfiltered optimal placed']:,}",
            f"{r['unfiltered greedy placed']:,}",
            _gain(r, "placed", "unfiltered "),
        ]
        print("| " + " | ".join(cells) + " |")
    print()
    for r in rows:
        print(f"{_size_cell(r)}:", json.dumps(r))


def _size_cell(row: dict[str, object]) -> str:
    return f"{row['workers']:,} × {row['vacancies']:,}"


def _size(text: str) -> tuple[int, int]:
    workers, _, vacancies = text.partition("x")
    return int(workers), int(vacancies)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--esco-dir", type=Path, default=REPO.parent / "shared" / "esco")
    parser.add_argument("--sizes", default="1000x100,10000x1000,100000x10000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--positions", default="1-20", help="positions per vacancy, uniform")
    parser.add_argument("--random-pairs", help="N_WORKERS,N_VACANCIES,K: time assignment alone")
    parser.add_argument("--json", action="store_true", help="one size, figures as JSON")
    args = parser.parse_args(argv)
    low, _, high = args.positions.partition("-")
    positions = (int(low), int(high))

    if args.random_pairs:
        n_workers, n_vacancies, k = (int(n) for n in args.random_pairs.split(","))
        print(json.dumps(measure_random_pairs(n_workers, n_vacancies, k, args.seed)))
        return 0
    missing = [z for z in (CLASSIFICATION_ZIP, RELATIONS_ZIP) if not (args.esco_dir / z).is_file()]
    if missing:
        print(f"ESCO zips not found in {args.esco_dir}: {', '.join(missing)}", file=sys.stderr)
        return 1
    sizes = [_size(text) for text in args.sizes.split(",")]
    if args.json:
        ((n_workers, n_vacancies),) = sizes
        figures = measure_size(args.esco_dir, n_workers, n_vacancies, args.seed, positions)
        print(json.dumps(figures))
        return 0
    rows = []
    for n_workers, n_vacancies in sizes:
        command = [
            sys.executable, __file__, "--json", "--esco-dir", str(args.esco_dir),
            "--sizes", f"{n_workers}x{n_vacancies}", "--seed", str(args.seed),
            "--positions", args.positions,
        ]  # fmt: skip
        print(f"measuring {n_workers:,} × {n_vacancies:,} ...", file=sys.stderr, flush=True)
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print_tables(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
