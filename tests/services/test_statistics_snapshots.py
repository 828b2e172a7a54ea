"""The dashboard's figures as last computed: kept through the database exactly as counted,
shown while young enough, counted again when old, asked for, or missing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Region, Role, Sex, StatisticsSnapshot
from portal.reporting.indicators import DIMENSIONS
from portal.services import statistics_snapshots
from portal.services.matching_settings import update_settings
from portal.services.statistics_export import figures
from portal.services.statistics_snapshots import KEPT_FOR, dashboard_figures, recompute_views
from tests.conftest import Factory
from tests.services.test_statistics import (  # noqa: F401 - the fixture
    MARCH,
    _people,
    portal,
)

pytestmark = pytest.mark.usefixtures("portal")
K = 5
TEN_MINUTES = timedelta(minutes=10)


def _region(session: Session, name: str) -> Region:
    return session.scalars(select(Region).where(Region.name == name)).one()


def _registered_total(snapshot: statistics_snapshots.Snapshot) -> int | float | None:
    assert snapshot.figures is not None
    (registered,) = [t for t in snapshot.figures.tables if t.name.startswith("registered_by_")]
    return registered.total.value


def _rows(session: Session) -> list[StatisticsSnapshot]:
    session.expire_all()
    return list(session.scalars(select(StatisticsSnapshot).order_by(StatisticsSnapshot.id)))


@pytest.mark.parametrize("by", DIMENSIONS)
def test_kept_figures_are_exactly_the_counted_ones(session: Session, by: str) -> None:
    counted = figures(session, by=[by], k=K, period=MARCH, filters={"region": "North"})

    dashboard_figures(
        session, by=by, k=K, period=MARCH, filters={"region": "North"}, max_age=TEN_MINUTES
    )
    session.expunge_all()
    kept = dashboard_figures(
        session, by=by, k=K, period=MARCH, filters={"region": "North"}, max_age=TEN_MINUTES
    )

    assert kept.figures == counted  # every table, cell (withheld, not applicable), text
    assert len(_rows(session)) == 1


def test_young_figures_are_shown_without_counting_again(session: Session) -> None:
    first = dashboard_figures(session, by="region", k=K, period=MARCH, max_age=TEN_MINUTES)
    _people(session, _region(session, "North"), Sex.FEMALE, 10)  # ten more register in March

    again = dashboard_figures(session, by="region", k=K, period=MARCH, max_age=TEN_MINUTES)
    now = dashboard_figures(session, by="region", k=K, period=MARCH, max_age=timedelta(0))

    assert again.computed_at == first.computed_at and again.figures == first.figures
    assert _registered_total(now) == _registered_total(first) + 10
    assert now.computed_at > first.computed_at
    assert len(_rows(session)) == 1  # the view's figures were replaced, not added


def test_old_figures_are_counted_again(session: Session) -> None:
    first = dashboard_figures(session, by="sector", k=K, period=MARCH, max_age=TEN_MINUTES)
    (row,) = _rows(session)
    row.computed_at -= TEN_MINUTES + timedelta(seconds=1)
    session.commit()
    _people(session, _region(session, "South"), Sex.MALE, 5)

    later = dashboard_figures(session, by="sector", k=K, period=MARCH, max_age=TEN_MINUTES)

    assert _registered_total(later) == _registered_total(first) + 5


def test_each_view_is_kept_apart(session: Session) -> None:
    views = [
        {"by": "region", "period": MARCH},
        {"by": "sector", "period": MARCH},
        {"by": "region", "period": None},
        {"by": "region", "period": MARCH, "filters": {"region": "South"}},
        {"by": "region", "period": MARCH, "k": 10},
    ]
    totals = []
    for view in views:
        options = {"k": K, **view}
        totals.append(
            _registered_total(dashboard_figures(session, max_age=TEN_MINUTES, **options))  # type: ignore[arg-type]
        )

    assert len(_rows(session)) == len(views)
    assert totals[2] == totals[0] + 1  # all time counts the worker who registered in 2025
    assert totals[3] is not None and totals[3] < totals[0]


def test_a_view_without_registrations_is_kept_as_no_data(session: Session) -> None:
    january = (date(2026, 1, 1), date(2026, 1, 31))

    first = dashboard_figures(session, by="region", k=K, period=january, max_age=TEN_MINUTES)
    again = dashboard_figures(session, by="region", k=K, period=january, max_age=TEN_MINUTES)

    assert first.figures is None and again.figures is None
    assert again.computed_at == first.computed_at
    (row,) = _rows(session)
    assert row.figures is None


def test_every_dimension_is_counted_from_one_read_and_kept(session: Session) -> None:
    views = recompute_views(session, k=K, period=MARCH)

    assert set(views) == set(DIMENSIONS)
    assert len(_rows(session)) == len(DIMENSIONS)
    assert len({snapshot.computed_at for snapshot in views.values()}) == 1
    for by in DIMENSIONS:
        shown = dashboard_figures(session, by=by, k=K, period=MARCH, max_age=TEN_MINUTES)
        assert shown.figures == figures(session, by=[by], k=K, period=MARCH)
        assert shown.computed_at == views[by].computed_at  # not counted again


def test_views_not_counted_for_a_day_are_dropped_when_another_is_kept(session: Session) -> None:
    dashboard_figures(session, by="region", k=K, period=MARCH, max_age=TEN_MINUTES)
    (old,) = _rows(session)
    old.computed_at -= KEPT_FOR + timedelta(minutes=1)
    old_view = old.key
    session.commit()

    dashboard_figures(session, by="sector", k=K, period=MARCH, max_age=TEN_MINUTES)

    assert [row.key for row in _rows(session)] != [old_view]
    assert len(_rows(session)) == 1


def test_an_unknown_view_is_refused_before_anything_is_read_or_kept(session: Session) -> None:
    with pytest.raises(ValueError, match="unknown dimension"):
        dashboard_figures(session, by="shoe_size", k=K, period=MARCH, max_age=TEN_MINUTES)
    with pytest.raises(ValueError, match="cannot filter"):
        dashboard_figures(
            session, by="region", k=K, period=MARCH, filters={"sex": "x"}, max_age=TEN_MINUTES
        )
    assert _rows(session) == []


def test_figures_counted_before_the_matching_settings_changed_are_not_shown(
    session: Session, make: Factory
) -> None:
    def matched_total() -> int | float | None:
        shown = dashboard_figures(session, by="region", k=K, period=MARCH, max_age=TEN_MINUTES)
        assert shown.figures is not None
        (matched,) = [t for t in shown.figures.tables if t.name == "matched_by_region"]
        return matched.total.value

    before = matched_total()
    update_settings(session, make.user(Role.ADMIN), min_score=65.0)  # the men's 60 no longer

    assert matched_total() != before
    assert len(_rows(session)) == 2
