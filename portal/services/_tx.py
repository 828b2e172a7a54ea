"""The one way a service ends its work: commit, or roll back and re-raise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit what the block did, or roll all of it back if it raised.

    Works whether or not the session has already begun (a request may have loaded the user).
    """
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def transaction_holding(session: Session, row: Any) -> Iterator[Session]:
    """`transaction`, begun by holding `row` (a stored ORM object) to its end, so that two
    requests doing the same thing to it at once (a double click) take turns, and the checks of
    the second see what the first wrote.

    The reads before are ended first and the hold (an UPDATE that changes nothing) is the
    transaction's first statement: SQLite in WAL mode cannot turn a reading transaction into a
    writing one once another writer has committed, but it queues one that begins with a write;
    PostgreSQL locks the row.
    """
    session.commit()  # services write only inside their transactions: nothing is pending here
    with transaction(session):
        table = type(row).__table__
        # set a column to itself; one with an onupdate default (updated_at) must not move
        kept = next((column for column in table.columns if column.onupdate is not None), table.c.id)
        session.execute(update(table).where(table.c.id == row.id).values({kept.name: kept}))
        yield session
