"""Benchmark of the ESCO import: reading the official zips and storing them, per database.

    python benchmarks/import_esco.py [--esco-dir ../shared/esco]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each database gets a fresh, migrated schema (a temporary SQLite file; a `bench_import` schema in
PostgreSQL, dropped afterwards). Measures the read, the first store, a repeated store of the
same files (a no-op), the build of the in-process index, and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from portal import schema  # noqa: E402
from portal.db import Database  # noqa: E402
from portal.services import taxonomy as service  # noqa: E402
from portal.taxonomy.loaders.esco import read_esco  # noqa: E402
from portal.taxonomy.model import TaxonomyFileError  # noqa: E402

CLASSIFICATION_ZIP = "esco-v1.1.1-classification-en-csv.zip"
RELATIONS_ZIP = "esco-v1.1.1-relations-csv.zip"
SCHEMA = "bench_import"


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _measure(url: str, zips: tuple[Path, Path]) -> dict[str, float]:
    database = Database(url)
    schema.upgrade(database.engine)
    figures: dict[str, float] = {}
    started = time.perf_counter()
    taxonomy = read_esco(*zips)
    figures["read s"] = time.perf_counter() - started
    content_hash = service.files_hash(zips)
    with database.session_scope() as session:
        started = time.perf_counter()
        result = service.store_taxonomy(session, taxonomy, content_hash=content_hash)
        figures["store s"] = time.perf_counter() - started
        figures["rows"] = sum(result.counts.values())
        started = time.perf_counter()
        again = service.store_taxonomy(session, taxonomy, content_hash=content_hash)
        assert again.outcome == "unchanged"
        figures["re-import s"] = time.perf_counter() - started
        started = time.perf_counter()
        service.forget_indexes()
        service.taxonomy_index(session)
        figures["index build s"] = time.perf_counter() - started
    figures["peak MB"] = _peak_mb()
    database.dispose()
    return figures


def _postgres_url(base: str) -> str:
    database = Database(base)
    with database.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    database.dispose()
    url = make_url(base).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    return url.render_as_string(hide_password=False)


def _drop_postgres_schema(base: str) -> None:
    database = Database(base)
    with database.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    database.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--esco-dir", type=Path, default=REPO.parent / "shared" / "esco")
    parser.add_argument("--postgres", help="a PostgreSQL URL to measure as well")
    args = parser.parse_args(argv)
    zips = (args.esco_dir / CLASSIFICATION_ZIP, args.esco_dir / RELATIONS_ZIP)
    missing = [str(path) for path in zips if not path.is_file()]
    if missing:
        print(f"ESCO zips not found: {', '.join(missing)}", file=sys.stderr)
        return 1
    rows: list[tuple[str, dict[str, float]]] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            rows.append(("SQLite", _measure(f"sqlite:///{folder}/bench.sqlite3", zips)))
        if args.postgres:
            try:
                rows.append(("PostgreSQL", _measure(_postgres_url(args.postgres), zips)))
            finally:
                _drop_postgres_schema(args.postgres)
    except TaxonomyFileError as error:
        print(f"Could not read ESCO: {error}", file=sys.stderr)
        return 1
    columns = ["read s", "store s", "re-import s", "index build s", "rows", "peak MB"]
    print("| database | " + " | ".join(columns) + " |")
    print("| --- | " + " | ".join("---:" for _ in columns) + " |")
    for name, figures in rows:
        cells = [
            f"{figures[c]:.0f}" if c in ("rows", "peak MB") else f"{figures[c]:.1f}"
            for c in columns
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\n(peak MB is the whole process's, cumulative over the rows above it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
