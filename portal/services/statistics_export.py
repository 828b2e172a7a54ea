"""Statistics exports: the published tables by sex, the gender gaps and the placement measures,
written as CSV, XLSX or JSON with the metadata a reader needs. One function serves both the
`portal stats export` command and the admin dashboard, so the two can never publish differently.

Rows: each dimension in `by` gives the indicator tables by that dimension and sex. Sex is always
the columns, so "sex" in `by` is accepted and dropped; `by` may then be empty, which gives the
tables by sex alone (gender gaps, median days, mean score) and the vacancy tables.

The words of an export (titles, headers, labels, definitions, metadata) are in the current
locale: the page's, or the one `portal stats export --lang` forces.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal.errors import ValidationProblem
from portal.reporting.disclosure import (
    DEFAULT_K,
    MIN_K,
    describe_rule,
    suppress,
    suppress_mean,
    suppress_ratio,
)
from portal.reporting.indicators import (
    DEFINITIONS,
    DIMENSIONS,
    FILTER_DIMENSIONS,
    GAP_HIGH,
    GAP_LOW,
    ISCO_MAJOR_GROUPS,
    NOT_STATED,
    GenderGap,
    MeasureBySex,
    definition,
    gender_gaps,
    mean_placement_score,
    median_days_to_placement,
)
from portal.reporting.labels import label
from portal.reporting.tables import (
    NOT_APPLICABLE,
    SEX_COLUMNS,
    WITHHELD,
    Cell,
    SuppressedTable,
    Table,
)
from portal.reporting.writers import ExportMetadata, write_csv, write_json, write_xlsx
from portal.services.statistics import Period, Statistics, compute_statistics
from portal.services.taxonomy import active_version
from portal.services.translation import translate
from portal.text import N_, Message

FORMATS = ("csv", "xlsx", "json")
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
SEX = "sex"
"""Always the columns; accepted in `by` so that "--by sex,sector" reads as people expect."""

Progress = Callable[[str, int, int], None]

GAP_COLUMNS = (
    "female",
    "female registered",
    "female rate",
    "male",
    "male registered",
    "male rate",
    "ratio",
    "gap",
)
GAP_DEFINITION = Message(
    N_(
        "For each stage of the funnel: women and men who reached it, women and men registered, "
        "each rate (reached / registered), and women's rate over men's. 'gap' is 1 where that "
        "ratio is below %(low)s or above %(high)s, else 0. Stages: with_skills, matched, "
        "offered, placed, as defined for those indicators."
    ),
    {"low": float(GAP_LOW), "high": float(GAP_HIGH)},
)
MEASURES_DEFINITION = Message(
    N_("days_to_placement: %(days)s placement_score: %(score)s"),
    {"days": definition("days_to_placement"), "score": definition("placement_score")},
)


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What to export, already checked: build one with `export_request`."""

    file_format: str
    by: tuple[str, ...]
    k: int = DEFAULT_K
    period: tuple[date, date] | None = None
    filters: Mapping[str, str] = field(default_factory=dict)


def export_request(
    file_format: str,
    by: Sequence[str] | str,
    *,
    k: int = DEFAULT_K,
    period: tuple[date, date] | None = None,
    filters: Mapping[str, str] | None = None,
) -> ExportRequest:
    """A checked request, or a `ValidationProblem` on the field at fault that names what is
    allowed. `by` may be a list or comma-separated text; "sex" in it is dropped (see module)."""
    file_format = file_format.strip().lower()
    if file_format not in FORMATS:
        raise ValidationProblem(
            "file_format",
            _("Unknown format “%(name)s”: use csv, xlsx or json.", name=file_format),
        )
    return ExportRequest(
        file_format=file_format,
        by=_checked_by(by),
        k=_checked_k(k),
        period=_checked_period(period),
        filters=_checked_filters(filters or {}),
    )


@dataclass(frozen=True, slots=True)
class Figures:
    """All that is published for a request: the tables by sex and dimension, the gender gaps
    and the placement measures, each suppressed."""

    tables: list[SuppressedTable]
    gaps: SuppressedTable
    measures: SuppressedTable


def figures(
    session: Session,
    *,
    by: Sequence[str],
    k: int,
    period: Period | None,
    filters: Mapping[str, str] | None = None,
) -> Figures:
    """What the dashboard shows and the exports write, counted from one read of the workers.

    Raises `NoData` when nobody registered in the period."""
    found = compute_statistics(session, by=by, k=k, period=period, filters=filters)
    return Figures(found.tables, *_by_sex(found, k))


def figures_by_dimension(
    session: Session,
    *,
    dimensions: Sequence[str],
    k: int,
    period: Period | None,
    filters: Mapping[str, str] | None = None,
) -> dict[str, Figures]:
    """`figures(by=[dimension])` for each of `dimensions`, from one read of the workers.

    Raises `NoData` when nobody registered in the period."""
    found = compute_statistics(session, by=dimensions, k=k, period=period, filters=filters)
    gaps, measures = _by_sex(found, k)
    return {
        dimension: Figures([*tables, *found.vacancy_tables], gaps, measures)
        for dimension, tables in found.by_dimension.items()
    }


def _by_sex(found: Statistics, k: int) -> tuple[SuppressedTable, SuppressedTable]:
    """The gender gaps and the placement measures, which depend on no dimension."""
    facts = found.workers
    return (
        gender_gap_table(gender_gaps(facts), k),
        measures_table(median_days_to_placement(facts), mean_placement_score(facts), k),
    )


def write_export(
    session: Session,
    request: ExportRequest,
    out: IO[bytes],
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the export to `out` (left open) and return how many tables it holds.

    Raises `NoData` when nobody registered in the period (before anything is written)."""
    report = progress or _no_progress
    report("counting", 0, 1)
    found = figures(
        session, by=request.by, k=request.k, period=request.period, filters=request.filters
    )
    tables = [*found.tables, found.gaps, found.measures]
    report("counting", 1, 1)
    metadata = _metadata(session, request, now or datetime.now(UTC))
    report("writing", 0, len(tables))
    _write(request.file_format, tables, metadata, out)
    report("writing", len(tables), len(tables))
    return len(tables)


def file_name(request: ExportRequest, now: datetime) -> str:
    """The name to offer for the download, e.g. "statistics-2026-11-28.xlsx"."""
    return f"statistics-{now:%Y-%m-%d}.{request.file_format}"


def period_words(period: tuple[date, date] | None) -> Message:
    """The period as the metadata and messages show it."""
    if period is None:
        return Message(N_("all time"))
    first, last = period
    return Message(
        N_("%(first)s to %(last)s"), {"first": first.isoformat(), "last": last.isoformat()}
    )


# --- the tables by sex alone ---------------------------------------------------------------------


def gender_gap_table(gaps: Iterable[GenderGap], k: int) -> SuppressedTable:
    """One row per funnel stage. Counts are protected as a table of their own (so that neither
    sex can be worked out from the other and a total); rates, ratio and flag go with them."""
    gaps = tuple(gaps)
    lines = tuple(_gap_line(gap, k) for gap in gaps)
    return _without_totals(
        name="gender_gaps",
        title=Message(
            N_("Gender gaps along the funnel: women's and men's rates from registration")
        ),
        row_dimension="stage",
        column_dimension="measure",
        rows=tuple(gap.stage for gap in gaps),
        columns=GAP_COLUMNS,
        cells=lines,
        k=k,
        definition=GAP_DEFINITION,
    )


def _gap_line(gap: GenderGap, k: int) -> tuple[Cell, ...]:
    women, men = _protected_pair(gap.stage, gap.women, gap.men, k)
    women_base, men_base = _protected_pair(
        "registered", gap.women_registered, gap.men_registered, k
    )
    women_rate = suppress_ratio(women, women_base, k)
    men_rate = suppress_ratio(men, men_base, k)
    if women_rate.suppressed or men_rate.suppressed:
        ratio = flag = WITHHELD
    elif gap.ratio is None:  # men's rate is zero: there is no ratio to take
        ratio = flag = NOT_APPLICABLE
    else:
        ratio, flag = Cell(gap.ratio), Cell(int(gap.flagged))
    return (women, women_base, women_rate, men, men_base, men_rate, ratio, flag)


def _protected_pair(label: str, women: int, men: int, k: int) -> tuple[Cell, Cell]:
    """Women and men as a one-row table suppressed with its total: a small count and whatever
    would give it back are withheld."""
    table = suppress(
        Table(
            name=label,
            title=label,
            row_dimension="stage",
            rows=(label,),
            counts=((women, men),),
            columns=("female", "male"),
        ),
        k,
    )
    first, second = table.cells[0]
    return first, second


def measures_table(
    days: Iterable[MeasureBySex], scores: Iterable[MeasureBySex], k: int
) -> SuppressedTable:
    """Median days to placement and mean placement score by sex, each withheld over fewer
    than k workers."""
    rows = (("days_to_placement", days), ("placement_score", scores))
    cells = tuple(_measure_line(measures, k) for _name, measures in rows)
    return _without_totals(
        name="placement_measures",
        title=Message(N_("Median days to placement and mean placement score, by sex")),
        row_dimension="measure",
        column_dimension="sex",
        rows=tuple(name for name, _measures in rows),
        columns=SEX_COLUMNS,
        cells=cells,
        k=k,
        definition=MEASURES_DEFINITION,
    )


def _measure_line(measures: Iterable[MeasureBySex], k: int) -> tuple[Cell, ...]:
    by_sex = {measure.sex: measure for measure in measures}
    return tuple(
        suppress_mean(by_sex[sex].value, Cell(by_sex[sex].base), k) if sex in by_sex else WITHHELD
        for sex in SEX_COLUMNS
    )


def _without_totals(
    *,
    rows: tuple[str, ...],
    columns: tuple[str, ...],
    cells: tuple[tuple[Cell, ...], ...],
    **table: Any,
) -> SuppressedTable:
    """A published table of rates or means, whose totals do not exist (shown empty)."""
    return SuppressedTable(
        rows=rows,
        columns=columns,
        cells=cells,
        row_totals=tuple(NOT_APPLICABLE for _row in rows),
        column_totals=tuple(NOT_APPLICABLE for _column in columns),
        total=NOT_APPLICABLE,
        **table,
    )


# --- writing ---------------------------------------------------------------------------------


def _metadata(session: Session, request: ExportRequest, now: datetime) -> ExportMetadata:
    version = active_version(session)
    unused = set(DIMENSIONS) - {"sector", "region", *request.by}  # vacancies use both
    return ExportMetadata(
        generated_at=now,
        taxonomy_version=version.name if version is not None else Message(N_("none")),
        k=request.k,
        filters={
            "period": period_words(request.period),
            **{name: label(value) for name, value in request.filters.items()},
        },
        definitions={name: definition(name) for name in DEFINITIONS if name not in unused},
        rule=describe_rule(request.k),
    )


def _write(
    file_format: str,
    tables: Sequence[SuppressedTable],
    metadata: ExportMetadata,
    out: IO[bytes],
) -> None:
    if file_format == "xlsx":
        write_xlsx(tables, metadata, out, translate=translate)
        return
    # utf-8-sig puts the BOM Excel needs before the first CSV byte; JSON is plain UTF-8.
    encoding = "utf-8-sig" if file_format == "csv" else "utf-8"
    text = io.TextIOWrapper(out, encoding=encoding, newline="")  # type: ignore[type-var]
    try:
        (write_csv if file_format == "csv" else write_json)(
            tables, metadata, text, translate=translate
        )
        text.flush()
    finally:
        text.detach()  # so that closing the wrapper never closes the caller's `out`


def _no_progress(_label: str, _done: int, _total: int) -> None:
    return None


# --- checks ----------------------------------------------------------------------------------


def _checked_by(by: Sequence[str] | str) -> tuple[str, ...]:
    names = by.split(",") if isinstance(by, str) else list(by)
    wanted: list[str] = []
    for name in (name.strip().lower() for name in names):
        if name in ("", SEX) or name in wanted:
            continue
        if name not in DIMENSIONS:
            raise ValidationProblem(
                "by",
                _(
                    "Unknown dimension “%(name)s”: use one of: %(allowed)s",
                    name=name,
                    allowed=", ".join(DIMENSIONS),
                ),
            )
        wanted.append(name)
    return tuple(wanted)


def _checked_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
        raise ValidationProblem(
            "k",
            _(
                "k must be a whole number of at least %(least)d (counts below k are withheld).",
                least=MIN_K,
            ),
        )
    return k


def _checked_period(period: Period | None) -> Period | None:
    if period is not None and period[1] < period[0]:
        raise ValidationProblem("period", _("The period ends before it starts."))
    return period


def _checked_filters(filters: Mapping[str, str]) -> dict[str, str]:
    """Filters that apply, with a sector given by its ISCO major group digit turned into the
    label the tables use, and countries in capitals; empty values mean no filter."""
    checked: dict[str, str] = {}
    for name, value in filters.items():
        if name not in FILTER_DIMENSIONS:
            raise ValidationProblem(
                "filters",
                _(
                    "Cannot filter on “%(name)s”: use one of: %(allowed)s",
                    name=name,
                    allowed=", ".join(FILTER_DIMENSIONS),
                ),
            )
        value = value.strip()
        if value:
            checked[name] = _filter_value(name, value)
    return checked


def _filter_value(name: str, value: str) -> str:
    if name == "origin":
        return NOT_STATED if value.casefold() == NOT_STATED else value.upper()
    if name != "sector" or value in ISCO_MAJOR_GROUPS.values() or value == NOT_STATED:
        return value
    if value in ISCO_MAJOR_GROUPS:
        return ISCO_MAJOR_GROUPS[value]
    raise ValidationProblem(
        "sector",
        _(
            "Unknown sector “%(value)s”: use an ISCO-08 major group, one of: %(allowed)s",
            value=value,
            allowed=", ".join(ISCO_MAJOR_GROUPS),
        ),
    )
