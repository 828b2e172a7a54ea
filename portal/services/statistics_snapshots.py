"""The dashboard's statistics as last computed, so that a visit does not count every worker.

At 100,000 workers counting takes seconds to tens of seconds (docs/benchmarks.md), far longer
than a page may. Each view of the dashboard (dimension, k, period, filters) keeps its published
figures, already suppressed, with the time they were computed; a visit shows them while they
are younger than the maximum age it is given, and counts again (and keeps the result) when they
are older, when there are none, or when an admin asks. `recompute_views` counts the usual views
ahead of visits (`portal stats refresh`, run by the operator's scheduler). Downloads are always
counted when asked.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.models import StatisticsSnapshot
from portal.models.base import utcnow
from portal.reporting.indicators import DIMENSIONS, checked_dimensions, checked_filters
from portal.reporting.stored import table_from_json, table_to_json
from portal.services._tx import transaction
from portal.services.matching_settings import current_settings
from portal.services.statistics import NoData, Period
from portal.services.statistics_export import Figures, figures_by_dimension

KEPT_FOR = timedelta(days=1)
"""Views not computed again for this long are deleted when another one is stored."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One view's figures (None: nobody registered in its period and population), when they
    were computed and how long that took."""

    figures: Figures | None
    computed_at: datetime
    seconds: float


def dashboard_figures(
    session: Session,
    *,
    by: str,
    k: int,
    period: Period | None,
    filters: Mapping[str, str] | None = None,
    max_age: timedelta,
) -> Snapshot:
    """The view's figures as last computed if they are at most `max_age` old, else counted now
    and kept (a `max_age` of zero always counts). Raises ValueError as `compute_statistics`."""
    checked_dimensions([by])
    wanted = checked_filters(filters)
    stored = session.scalars(
        select(StatisticsSnapshot).where(
            StatisticsSnapshot.key == _key(session, by, k, period, wanted)
        )
    ).one_or_none()
    if stored is not None and utcnow() - stored.computed_at <= max_age:
        return _loaded(stored)
    return recompute_views(session, dimensions=[by], k=k, period=period, filters=wanted)[by]


def recompute_views(
    session: Session,
    *,
    dimensions: Sequence[str] = DIMENSIONS,
    k: int,
    period: Period | None = None,
    filters: Mapping[str, str] | None = None,
) -> dict[str, Snapshot]:
    """Count the views of `dimensions` (each with the same k, period and filters) from one read
    of the workers, keep them and return them."""
    dimensions = checked_dimensions(dimensions)
    wanted = checked_filters(filters)
    started, computed_at = time.perf_counter(), utcnow()
    try:
        counted: Mapping[str, Figures | None] = figures_by_dimension(
            session, dimensions=dimensions, k=k, period=period, filters=wanted
        )
    except NoData:
        counted = dict.fromkeys(dimensions)
    seconds = round(time.perf_counter() - started, 3)
    snapshots = {
        dimension: Snapshot(figures, computed_at, seconds) for dimension, figures in counted.items()
    }
    _keep(
        session,
        {
            _key(session, dimension, k, period, wanted): snapshot
            for dimension, snapshot in snapshots.items()
        },
    )
    return snapshots


def _key(
    session: Session, by: str, k: int, period: Period | None, filters: Mapping[str, str]
) -> str:
    """The view's name. It holds the matching settings that define "matched": figures counted
    before an admin changed them are not shown after."""
    settings = current_settings(session)
    view = {
        "by": by,
        "k": k,
        "period": [day.isoformat() for day in period] if period is not None else None,
        "filters": dict(sorted(filters.items())),
        "matched": [settings.min_essential_coverage, settings.min_score],
    }
    return hashlib.sha256(json.dumps(view, sort_keys=True).encode()).hexdigest()


def _keep(session: Session, snapshots: Mapping[str, Snapshot]) -> None:
    """Replace the views' stored figures and drop views unused for `KEPT_FOR`. Two admins
    counting the same view at once both show their figures; one of them is kept."""
    session.commit()  # end the reads: the write below is a transaction of its own
    try:
        with transaction(session):
            session.execute(
                delete(StatisticsSnapshot).where(
                    StatisticsSnapshot.key.in_(list(snapshots))
                    | (StatisticsSnapshot.computed_at < utcnow() - KEPT_FOR)
                )
            )
            session.add_all(
                StatisticsSnapshot(
                    key=key,
                    computed_at=snapshot.computed_at,
                    seconds=snapshot.seconds,
                    figures=_figures_to_json(snapshot.figures),
                )
                for key, snapshot in snapshots.items()
            )
    except IntegrityError:
        pass  # the same view was kept by another request in the meantime: as fresh as this one


def _loaded(stored: StatisticsSnapshot) -> Snapshot:
    return Snapshot(_figures_from_json(stored.figures), stored.computed_at, stored.seconds)


def _figures_to_json(figures: Figures | None) -> dict[str, Any] | None:
    if figures is None:
        return None
    return {
        "tables": [table_to_json(table) for table in figures.tables],
        "gaps": table_to_json(figures.gaps),
        "measures": table_to_json(figures.measures),
    }


def _figures_from_json(stored: Mapping[str, Any] | None) -> Figures | None:
    if stored is None:
        return None
    return Figures(
        tables=[table_from_json(table) for table in stored["tables"]],
        gaps=table_from_json(stored["gaps"]),
        measures=table_from_json(stored["measures"]),
    )
