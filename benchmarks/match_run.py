"""End-to-end benchmark of `portal match run` on a stored market, per database.

    python benchmarks/match_run.py [--esco-dir ../shared/esco] [--workers 10000]
        [--vacancies 1000] [--seed 7] [--databases sqlite,postgres]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each database gets a fresh, migrated schema (a temporary SQLite file; a `bench_match_run`
schema in PostgreSQL, dropped afterwards), the official ESCO stored and active, and the same
synthetic market as `benchmarks/matching.py` (same generator, same seed) stored as workers
and open vacancies. Then the real command runs twice in a child process, as an operator would
start it: the first run scores, stores the explained matches and proposes; the second finds
those proposals and re-scores everything. Wall time includes starting the app.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parent.parent
for folder in (REPO, REPO / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from matching import (  # noqa: E402  (benchmarks/matching.py: the market generator)
    CLASSIFICATION_ZIP,
    REGIONS,
    RELATIONS_ZIP,
    make_market,
    occupation_profiles,
)

from portal import schema  # noqa: E402
from portal.db import Database  # noqa: E402
from portal.matching.types import VacancyProfile, WorkerProfile  # noqa: E402
from portal.models import (  # noqa: E402
    ConsentRecord,
    Organisation,
    OrganisationKind,
    ProfileStatus,
    Region,
    Sex,
    SkillSource,
    Vacancy,
    VacancySkill,
    VacancyState,
    Worker,
    WorkerExperience,
    WorkerRelocationRegion,
    WorkerSkill,
)
from portal.models.base import utcnow  # noqa: E402
from portal.services import taxonomy as taxonomy_service  # noqa: E402
from portal.taxonomy.loaders.esco import read_esco  # noqa: E402
from portal.taxonomy.model import RelationType  # noqa: E402

SCHEMA = "bench_match_run"
BATCH = 5_000
SEXES = (Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE, Sex.OTHER, Sex.NOT_STATED)


def _batched(session: Session, model: Any, rows: Iterable[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            session.execute(insert(model), batch)
            batch = []
    if batch:
        session.execute(insert(model), batch)


def store_market(
    session: Session, workers: Sequence[WorkerProfile], vacancies: Sequence[VacancyProfile]
) -> None:
    """The market as rows: 20 regions, one employer, one labour provider, and their people."""
    now = utcnow()
    session.execute(
        insert(Region), [{"id": i, "name": f"Region {i}"} for i in range(1, REGIONS + 1)]
    )
    employer, provider = (
        Organisation(kind=kind, name=f"Benchmark {kind.value}", verified_at=now)
        for kind in (OrganisationKind.EMPLOYER, OrganisationKind.PROVIDER)
    )
    session.add_all([employer, provider])
    session.flush()
    _batched(session, Vacancy, (_vacancy_row(v, employer.id, now) for v in vacancies))
    _batched(
        session,
        VacancySkill,
        (
            {
                "vacancy_id": v.id,
                "relation": relation,
                "words": skill.label[:200],
                "concept_uri": skill.uri,
                "concept_label": skill.label,
                "source": SkillSource.CHECKLIST,
            }
            for v in vacancies
            for relation, skills in (
                (RelationType.ESSENTIAL, v.essential),
                (RelationType.OPTIONAL, v.optional),
            )
            for skill in skills
        ),
    )
    _batched(session, Worker, (_worker_row(w, provider.id, now) for w in workers))
    _batched(
        session,
        WorkerSkill,
        (
            {
                "worker_id": w.id,
                "words": s.label[:200],
                "concept_uri": s.uri,
                "concept_label": s.label,
                "source": SkillSource.UPLOAD,
                "created_at": now,
            }
            for w in workers
            for s in w.skills
        ),
    )
    _batched(
        session,
        WorkerExperience,
        (
            {
                "worker_id": w.id,
                "words": e.label[:200],
                "occupation_uri": e.occupation_uri,
                "occupation_label": e.label,
                "years": e.years,
            }
            for w in workers
            for e in w.experiences
        ),
    )
    _batched(
        session,
        WorkerRelocationRegion,
        ({"worker_id": w.id, "region_id": r} for w in workers for r in w.accepted_regions),
    )
    _batched(
        session,
        ConsentRecord,
        (
            {"worker_id": w.id, "purpose": "matching", "text_version": "bench", "given_at": now}
            for w in workers
        ),
    )
    session.commit()


def _vacancy_row(v: VacancyProfile, organisation_id: int, now: Any) -> dict[str, Any]:
    return {
        "id": v.id,
        "organisation_id": organisation_id,
        "external_id": f"bench-v{v.id}",
        "state": VacancyState.OPEN,
        "title": v.title[:200],
        "occupation_words": v.title[:200],
        "occupation_uri": v.occupation_uri,
        "occupation_label": v.title,
        "isco_code": v.isco_code,
        "description": "",
        "positions": v.positions_left,
        "positions_taken": 0,
        "region_id": v.region_id,
        "workplace": "",
        "start_date": v.start_date,
        "end_date": v.end_date,
        "accommodation": False,
        "transport": False,
        "no_fee_pledge": True,
        "pledged_at": now,
        "moderation_note": "",
        "created_at": now,
        "updated_at": now,
        "published_at": now,
    }


def _worker_row(w: WorkerProfile, provider_id: int, now: Any) -> dict[str, Any]:
    return {
        "id": w.id,
        "provider_id": provider_id,
        "external_id": f"bench-w{w.id}",
        "status": ProfileStatus.ACTIVE,
        "given_name": f"Worker {w.id}",
        "family_name": "",
        "phone": f"+000 {w.id:07d}",
        "sex": SEXES[w.id % len(SEXES)],
        "birth_year": 1960 + w.id % 45,
        "region_id": w.region_id,
        "relocate_anywhere": w.relocate_anywhere,
        "available_from": w.available_from,
        "available_until": w.available_until,
        "created_at": now,
        "updated_at": now,
    }


def _fresh_url(kind: str, postgres: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'match_run.sqlite3'}"
    database = Database(postgres)
    with database.engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    database.dispose()
    url = make_url(postgres).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    return url.render_as_string(hide_password=False)


def _drop(kind: str, postgres: str) -> None:
    if kind == "postgres":
        database = Database(postgres)
        with database.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        database.dispose()


def _match_run(url: str) -> tuple[float, str]:
    """`portal match run` in a child process; its wall time and what it printed."""
    environment = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
    }
    command = [str(Path(sys.executable).parent / "portal"), "match", "run"]
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        command, env=environment, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"portal match run failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def measure(kind: str, args: argparse.Namespace, market: tuple[Any, Any], esco: Any) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        url = _fresh_url(kind, args.postgres, Path(folder))
        database = Database(url)
        try:
            schema.upgrade(database.engine)
            figures: dict[str, Any] = {"database": kind}
            with database.session_scope() as session:
                started = time.perf_counter()
                taxonomy_service.store_taxonomy(session, esco, content_hash="bench-esco")
                figures["store ESCO s"] = round(time.perf_counter() - started, 1)
                started = time.perf_counter()
                store_market(session, *market)
                figures["store market s"] = round(time.perf_counter() - started, 1)
            database.dispose()
            for run in ("first", "second"):
                seconds, output = _match_run(url)
                figures[f"{run} run s"] = round(seconds, 1)
                figures[f"{run} run output"] = " ".join(output.split())
            figures["child peak MB"] = round(
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            )
            return figures
        finally:
            database.dispose()
            _drop(kind, args.postgres)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--esco-dir", type=Path, default=REPO.parent / "shared" / "esco")
    parser.add_argument("--workers", type=int, default=10_000)
    parser.add_argument("--vacancies", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args(argv)
    zips = (args.esco_dir / CLASSIFICATION_ZIP, args.esco_dir / RELATIONS_ZIP)
    if not all(path.exists() for path in zips):
        print(f"The ESCO zips are not in {args.esco_dir}: {', '.join(p.name for p in zips)}")
        return 2
    esco = read_esco(*zips)
    profiles, all_skills = occupation_profiles(esco)
    market = make_market(profiles, all_skills, args.workers, args.vacancies, args.seed)
    print(f"Market: {args.workers} workers × {args.vacancies} vacancies, seed {args.seed}")
    for kind in args.databases.split(","):
        figures = measure(kind, args, market, esco)
        for key, value in figures.items():
            print(f"  {key}: {value}")
        took = re.search(r"Took ([\d.]+) s", str(figures["first run output"]))
        if took:
            print(f"  (inside the command: {took.group(1)} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
