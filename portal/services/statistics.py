"""Statistics by sex: the per-worker facts read from the database, and the published tables.

Reads only. The facts come from one streamed query per population (workers, erased-worker
tallies, vacancies), each fact a correlated EXISTS or scalar subquery, so the database does the
joining and Python never loads a worker's rows one by one. Counting and suppression are the pure
core's (`portal.reporting`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from portal.errors import DomainError
from portal.models import (
    ErasedWorkerTally,
    Match,
    Placement,
    PlacementEvent,
    PlacementState,
    ProfileStatus,
    Recognition,
    Region,
    Vacancy,
    VacancyState,
    Worker,
    WorkerQualification,
    WorkerSkill,
)
from portal.models.placements import POSITION_STATES
from portal.reporting.disclosure import rate_table, suppress, suppress_mean
from portal.reporting.indicators import (
    MEASURES,
    NOT_STATED,
    SEX_NOT_STATED,
    WORKER_INDICATORS,
    MeasureBySex,
    VacancyFacts,
    WorkerFacts,
    age_band,
    checked_dimensions,
    checked_filters,
    count_table,
    definition,
    kept,
    measure_grid,
    rate_title,
    registered_only,
    sector,
    table_definition,
    vacancy_table,
)
from portal.reporting.tables import WITHHELD, Cell, SuppressedTable
from portal.services import data_rights
from portal.services.matching_settings import current_settings

Period = tuple[date, date]
"""First and last day, both included (UTC)."""

STREAM_ROWS = 1000
RECOGNISED = (Recognition.RECOGNISED, Recognition.PARTLY_RECOGNISED)


class NoData(DomainError):
    """No worker registered in the period (or filtered population): there is nothing to show,
    and empty tables would look like a portal nobody uses."""


def worker_facts(
    session: Session, *, period: Period | None, filters: Mapping[str, str] | None = None
) -> Iterator[WorkerFacts]:
    """The facts of every worker registered in `period` (all time when None), then one
    registered-only fact per erased worker from the anonymous tallies, filtered as asked."""
    wanted = checked_filters(filters)
    for facts in _live_workers(session, period):
        if kept(facts, wanted):
            yield facts
    for facts in _erased_workers(session, period):
        if kept(facts, wanted):
            yield facts


@dataclass(frozen=True, slots=True)
class Statistics:
    """The published tables, and the worker facts they were counted from (read once, for the
    figures by sex that come on top: gender gaps, time to placement)."""

    by_dimension: dict[str, list[SuppressedTable]]
    """The worker indicators' tables, for each dimension asked for."""
    vacancy_tables: list[SuppressedTable]
    workers: list[WorkerFacts]

    @property
    def tables(self) -> list[SuppressedTable]:
        return [table for tables in self.by_dimension.values() for table in tables] + list(
            self.vacancy_tables
        )


def compute_statistics(
    session: Session,
    *,
    by: Sequence[str],
    k: int,
    period: Period | None,
    filters: Mapping[str, str] | None = None,
) -> Statistics:
    """Every indicator by sex for each dimension in `by`, then vacancies and positions by sector
    and by region; all suppressed with `k`.

    Raises ValueError for an unknown dimension or filter or a k below the minimum (before any
    worker is read), and `NoData` when no worker registered in the period."""
    dimensions = checked_dimensions(by)
    wanted = checked_filters(filters)
    vacancies = [facts for facts in _vacancies(session) if kept(facts, wanted)]
    vacancy_tables = [
        suppress(vacancy_table(vacancies, measure, dimension), k)
        for dimension in ("sector", "region")
        for measure in ("vacancies", "positions")
    ]
    workers = list(worker_facts(session, period=period, filters=wanted))
    if not workers:
        raise NoData(_("No worker registered in this period."))
    by_dimension: dict[str, list[SuppressedTable]] = {}
    for dimension in dimensions:
        counts = {
            indicator: suppress(count_table(workers, indicator, dimension), k)
            for indicator in WORKER_INDICATORS
        }
        tables = by_dimension[dimension] = list(counts.values())
        tables.append(
            rate_table(
                counts["placed"],
                counts["registered"],
                name=f"placement_rate_by_{dimension}",
                title=rate_title("placement_rate", dimension),
                definition=definition("placement_rate"),
            )
        )
        tables += (
            _measure_table(workers, measure, dimension, counts["placed"], k) for measure in MEASURES
        )
    return Statistics(by_dimension, vacancy_tables, workers)


def statistics_tables(
    session: Session,
    *,
    by: Sequence[str],
    k: int,
    period: Period | None,
    filters: Mapping[str, str] | None = None,
) -> list[SuppressedTable]:
    """The published tables alone (see `compute_statistics`)."""
    return compute_statistics(session, by=by, k=k, period=period, filters=filters).tables


def _measure_table(
    workers: list[WorkerFacts], measure: str, dimension: str, placed: SuppressedTable, k: int
) -> SuppressedTable:
    """A median or mean over the placed workers of each cell, withheld where the placed count
    is withheld or the workers it is over are fewer than k."""
    grid = measure_grid(workers, measure, dimension)

    def cell(value: MeasureBySex, base: Cell) -> Cell:
        return WITHHELD if value.base < k else suppress_mean(value.value, base, k)

    return SuppressedTable(
        name=f"{measure}_by_{dimension}",
        title=rate_title(measure, dimension),
        row_dimension=dimension,
        column_dimension=placed.column_dimension,
        rows=grid.rows,
        columns=placed.columns,
        cells=tuple(
            tuple(cell(value, base) for value, base in zip(values, bases, strict=True))
            for values, bases in zip(grid.cells, placed.cells, strict=True)
        ),
        row_totals=tuple(
            cell(value, base)
            for value, base in zip(grid.row_totals, placed.row_totals, strict=True)
        ),
        column_totals=tuple(
            cell(value, base)
            for value, base in zip(grid.column_totals, placed.column_totals, strict=True)
        ),
        total=cell(grid.total, placed.total),
        k=k,
        definition=table_definition(measure, dimension),
    )


# --- workers ------------------------------------------------------------------------------------


def _live_workers(session: Session, period: Period | None) -> Iterator[WorkerFacts]:
    statement = _worker_query(session, period).execution_options(yield_per=STREAM_ROWS)
    for row in session.execute(statement):
        created_at = _utc(row.created_at)
        accepted_at = _utc(row.accepted_at) if row.accepted_at is not None else None
        yield WorkerFacts(
            sex=row.sex.value if row.sex is not None else SEX_NOT_STATED,
            age_band=age_band(row.birth_year, created_at.year),
            origin=row.country_of_origin or NOT_STATED,
            region=row.region or NOT_STATED,
            sector=sector(row.isco_code),
            registered_month=created_at.strftime("%Y-%m"),
            has_confirmed_skill=bool(row.with_skills),
            has_recognised_qualification=bool(row.recognised),
            matched=bool(row.matched),
            offered=bool(row.offered),
            placed=bool(row.placed),
            days_to_placement=(
                max((accepted_at - created_at).days, 0) if accepted_at is not None else None
            ),
            placement_score=row.placement_score,
            fee_reported=bool(row.fee_reported),
        )


def _worker_query(session: Session, period: Period | None) -> Select:
    """One row per registered worker with each fact as a correlated subquery."""
    settings = current_settings(session)
    worker = Worker.id
    qualifying_match = and_(
        Match.worker_id == worker,
        Match.eligible.is_(True),
        Match.essential_coverage >= settings.min_essential_coverage,
        Match.score >= settings.min_score,
    )
    placed = and_(Placement.worker_id == worker, Placement.state.in_(POSITION_STATES))
    first_placed = select(Placement).where(placed).order_by(Placement.created_at, Placement.id)
    statement = (
        select(
            Worker.sex,
            Worker.birth_year,
            Worker.country_of_origin,
            Worker.created_at,
            Region.name.label("region"),
            _exists(WorkerSkill.worker_id == worker, WorkerSkill.concept_uri.is_not(None)).label(
                "with_skills"
            ),
            _exists(
                WorkerQualification.worker_id == worker,
                WorkerQualification.recognition.in_(RECOGNISED),
            ).label("recognised"),
            _exists(qualifying_match).label("matched"),
            exists()
            .where(
                PlacementEvent.placement_id == Placement.id,
                Placement.worker_id == worker,
                PlacementEvent.to_state == PlacementState.OFFERED,
            )
            .label("offered"),
            _exists(placed).label("placed"),
            _exists(Placement.worker_id == worker, Placement.fee_asked.is_(True)).label(
                "fee_reported"
            ),
            select(func.min(PlacementEvent.at))
            .join(Placement, Placement.id == PlacementEvent.placement_id)
            .where(
                Placement.worker_id == worker,
                PlacementEvent.to_state == PlacementState.ACCEPTED,
            )
            .scalar_subquery()
            .label("accepted_at"),
            first_placed.with_only_columns(Placement.score)
            .limit(1)
            .scalar_subquery()
            .label("placement_score"),
            _worker_sector(worker, qualifying_match).label("isco_code"),
        )
        .outerjoin(Region, Region.id == Worker.region_id)
        .where(Worker.status != ProfileStatus.DRAFT)
        .order_by(Worker.id)
    )
    if period is not None:
        start, end = _bounds(period)
        statement = statement.where(Worker.created_at >= start, Worker.created_at < end)
    return statement


def _exists(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(*conditions)


def _worker_sector(
    worker: InstrumentedAttribute[int], qualifying_match: ColumnElement[bool]
) -> ColumnElement[str | None]:
    """The occupation code that gives a worker their sector (see DEFINITIONS["sector"])."""
    coded = Vacancy.isco_code.is_not(None)
    placement_code = (
        select(Vacancy.isco_code)
        .join(Placement, Placement.vacancy_id == Vacancy.id)
        .where(Placement.worker_id == worker, coded)
    )
    placed_code = placement_code.where(Placement.state.in_(POSITION_STATES)).order_by(
        Placement.created_at, Placement.id
    )
    any_code = placement_code.order_by(Placement.created_at, Placement.id)
    match_code = (
        select(Vacancy.isco_code)
        .join(Match, Match.vacancy_id == Vacancy.id)
        .where(qualifying_match, coded)
        .order_by(Match.score.desc(), Match.id)
    )
    return func.coalesce(
        *(query.limit(1).scalar_subquery() for query in (placed_code, any_code, match_code))
    )


# --- erased workers -----------------------------------------------------------------------------


def _erased_workers(session: Session, period: Period | None) -> Iterator[WorkerFacts]:
    """One registered-only fact per erased worker. The tallies keep the month of registration
    only, so a period counts the erased workers of every month it touches."""
    statement = select(ErasedWorkerTally).where(ErasedWorkerTally.count > 0)
    if period is not None:
        first, last = period
        statement = statement.where(
            ErasedWorkerTally.registered_month >= first.strftime("%Y-%m"),
            ErasedWorkerTally.registered_month <= last.strftime("%Y-%m"),
        )
    for tally in session.scalars(statement.order_by(ErasedWorkerTally.id)):
        facts = registered_only(
            sex=SEX_NOT_STATED if tally.sex == data_rights.UNKNOWN else tally.sex,
            age_band=NOT_STATED if tally.age_band == data_rights.UNKNOWN else tally.age_band,
            origin=(
                NOT_STATED
                if tally.country_of_origin == data_rights.UNKNOWN_COUNTRY
                else tally.country_of_origin
            ),
            region=NOT_STATED if tally.region == data_rights.UNKNOWN else tally.region,
            registered_month=tally.registered_month,
        )
        for _erased in range(tally.count):
            yield facts


# --- vacancies ----------------------------------------------------------------------------------


def _vacancies(session: Session) -> Iterator[VacancyFacts]:
    """Open and filled vacancies, and any other with a position taken, as they are now."""
    statement = (
        select(
            Vacancy.isco_code,
            Region.name,
            Vacancy.state,
            Vacancy.positions,
            Vacancy.positions_taken,
        )
        .join(Region, Region.id == Vacancy.region_id)
        .where(
            Vacancy.state.in_((VacancyState.OPEN, VacancyState.FILLED))
            | (Vacancy.positions_taken > 0)
        )
        .order_by(Vacancy.id)
        .execution_options(yield_per=STREAM_ROWS)
    )
    for isco_code, region, state, positions, taken in session.execute(statement):
        is_open = state is VacancyState.OPEN
        yield VacancyFacts(
            sector=sector(isco_code),
            region=region,
            open=is_open,
            filled=state is VacancyState.FILLED,
            positions_open=positions - taken if is_open else 0,
            positions_filled=taken,
        )


def _bounds(period: Period) -> tuple[datetime, datetime]:
    first, last = period
    if last < first:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    start = datetime.combine(first, time.min, tzinfo=UTC)
    return start, datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
