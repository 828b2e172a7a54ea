"""The one way a service ends its work: commit, or roll back and re-raise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
