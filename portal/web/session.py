"""The database session of the current request: opened on first use, closed at teardown."""

from __future__ import annotations

from flask import g
from sqlalchemy.orm import Session

from portal.db import current_database


def db_session() -> Session:
    if "db_session" not in g:
        g.db_session = current_database().sessionmaker()
    return g.db_session  # type: ignore[no-any-return]


def close_db_session(_error: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
