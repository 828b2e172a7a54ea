"""Backups of an SQLite portal through SQLite's online backup API, and their restore.

The online backup copies a consistent snapshot page by page while the portal keeps running
(a plain file copy of a database in WAL mode can miss or tear recent writes). A backup is
checked (`PRAGMA integrity_check`) before it is reported as made, and a file is checked the
same way before it replaces the portal's data. PostgreSQL has pg_dump and pg_restore for
this (docs/operations.md). Plain `sqlite3`: no Flask, no SQLAlchemy session.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

PAGES_PER_STEP = 256
"""Pages copied between two yields to writers (each step holds the source's lock briefly)."""

Progress = Callable[[int, int], None]
"""Called with (pages copied, pages in all) as a copy goes on."""


class BackupProblem(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class BackupFacts:
    path: Path
    bytes: int
    revision: str | None  # the schema revision (Alembic) the copy is at


def _check(connection: sqlite3.Connection, what: str) -> str | None:
    """Raise unless `connection` holds an intact portal database; return its revision."""
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupProblem(f"{what} is not an SQLite database ({error}).") from None
    if verdict != "ok":
        raise BackupProblem(f"{what} is damaged: {verdict}")
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        raise BackupProblem(f"{what} is not a portal database (no schema revision).") from None
    return row[0] if row else None


def _copy(source: sqlite3.Connection, target: sqlite3.Connection, progress: Progress) -> None:
    def step(status: int, remaining: int, total: int) -> None:
        progress(total - remaining, total)

    source.backup(target, pages=PAGES_PER_STEP, progress=step)


def backup(
    database: Path, target: Path, progress: Progress = lambda done, total: None
) -> BackupFacts:
    """Copy the live `database` into the new file `target`, then check the copy.

    The copy is written beside `target` under a temporary name and renamed at the end, so a
    failed or interrupted backup never leaves a file that looks like a good one.
    """
    if not database.is_file():
        raise BackupProblem(f"There is no database at {database}.")
    if target.exists():
        raise BackupProblem(f"{target} already exists; choose a new name for the backup.")
    if not target.parent.is_dir():
        raise BackupProblem(f"The folder {target.parent} does not exist.")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as source,
            closing(sqlite3.connect(partial)) as copy,
        ):
            _copy(source, copy, progress)
            revision = _check(copy, "The backup")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupFacts(target, target.stat().st_size, revision)


def inspect(path: Path) -> BackupFacts:
    """The facts of a backup file, after checking that it is an intact portal database."""
    if not path.is_file():
        raise BackupProblem(f"There is no file at {path}.")
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        revision = _check(connection, str(path))
    return BackupFacts(path, path.stat().st_size, revision)


def restore(
    source: Path, database: Path, progress: Progress = lambda done, total: None
) -> BackupFacts:
    """Replace the contents of `database` with the backup `source`, checked first.

    The copy goes through the backup API into the open database, so it is one locked step for
    other connections (no torn state, WAL files stay consistent). Stop the portal first anyway:
    pages already open would show data that no longer exists.
    """
    facts = inspect(source)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup_file,
        closing(sqlite3.connect(database, timeout=30)) as live,
    ):
        _copy(backup_file, live, progress)
        _check(live, "The restored database")
    return facts
