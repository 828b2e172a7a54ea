"""What the reliability tests share: a deterministic Hypothesis profile, the whole database as a
value (to say "nothing changed"), and undoing one example's writes before the next.

The profile is derandomised (the same examples on every run and machine) and keeps no example
database; each test names its own number of examples, small enough that the folder runs in well
under a minute per database. To search harder locally, RELIABILITY_SCALE=20 runs twenty times as
many, and RELIABILITY_RANDOM=1 draws new ones on every run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, settings
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from portal.models import Base

settings.register_profile(
    "reliability",
    derandomize=os.environ.get("RELIABILITY_RANDOM") != "1",
    database=None,
    deadline=None,
    print_blob=False,
    # Function-scoped fixtures arrange data once per test; every example undoes its own writes
    # (`undone`), so sharing them between examples is intended.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
RELIABILITY = settings.get_profile("reliability")


def examples(count: int) -> int:
    """`count` examples, times RELIABILITY_SCALE when a deeper search is asked for."""
    return count * max(1, int(os.environ.get("RELIABILITY_SCALE") or 1))


def database_state(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, each table's rows in a stable order."""
    return {
        table.name: sorted((tuple(row) for row in session.execute(select(table))), key=repr)
        for table in Base.metadata.sorted_tables
    }


def row_counts(state: dict[str, list[tuple[Any, ...]]]) -> dict[str, int]:
    return {name: len(rows) for name, rows in state.items()}


@contextmanager
def undone(connection: Connection) -> Iterator[None]:
    """Whatever the block writes through `connection` is rolled back at its end (a SAVEPOINT
    below the services' own, so their commits and rollbacks behave as in production)."""
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()


@contextmanager
def fresh_session(app: Flask) -> Iterator[Session]:
    """A new session on the test's connection, as a request or a command would have."""
    with app.extensions["portal.db"].session_scope() as session:
        yield session


@pytest.fixture
def state_of(app: Flask):  # type: ignore[no-untyped-def]
    """The database as a value, read through a fresh session (so nothing cached is seen)."""

    def read() -> dict[str, list[tuple[Any, ...]]]:
        with fresh_session(app) as session:
            return database_state(session)

    return read
