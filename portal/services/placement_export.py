"""Placements as a file for other systems: one row per placement, keyed by the ids those
systems know (the external ids of the bulk uploads)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Placement, Vacancy, Worker

EXPORT_HEADER = ("vacancy_external_id", "worker_external_id", "score", "state")


def worker_public_id(worker_id: int, external_id: str | None) -> str:
    """The provider's id for the worker; for a worker registered through the pages, a stable id
    made from the portal's own (it never changes and is never reused)."""
    return external_id or f"portal-w{worker_id}"


def vacancy_public_id(vacancy_id: int, external_id: str | None) -> str:
    return external_id or f"portal-v{vacancy_id}"


def placement_rows(session: Session) -> Iterator[tuple[str, str, float | None, str]]:
    """Every placement of a worker still on the portal, oldest first, streamed."""
    statement = (
        select(
            Vacancy.id,
            Vacancy.external_id,
            Worker.id,
            Worker.external_id,
            Placement.score,
            Placement.state,
        )
        .join(Vacancy, Vacancy.id == Placement.vacancy_id)
        .join(Worker, Worker.id == Placement.worker_id)
        .order_by(Placement.id)
        .execution_options(yield_per=1_000)
    )
    for vacancy_id, vacancy_external, worker_id, worker_external, score, state in session.execute(
        statement
    ):
        yield (
            vacancy_public_id(vacancy_id, vacancy_external),
            worker_public_id(worker_id, worker_external),
            score,
            state.value,
        )
