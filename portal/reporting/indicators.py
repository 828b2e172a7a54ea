"""The statistics indicators: what each one counts, in words written once, and the counting.

Everything here works on plain per-worker facts (`WorkerFacts`) and per-vacancy facts
(`VacancyFacts`) that a service reads from the database, so the definitions can be tested and
reused without one. Tables come out as true counts (`Table`); suppression happens afterwards.

Words are written in English and marked for the catalogues (N_); titles and definitions come out
as `Message`s that services and pages translate for their reader.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from portal.reporting.tables import SEX_COLUMNS, Table
from portal.text import N_, Message

NOT_STATED = N_("not stated")
"""The row label for a worker or vacancy without the value (no birth year, no region ...);
the value itself stays English (filters and tallies use it), its label is translated."""
SEX_NOT_STATED = "not-stated"
"""The sex column for "prefer not to say" and for a sex never given."""

AGE_BANDS = ((15, 24), (25, 34), (35, 44), (45, 54), (55, 64))
OLDEST_BAND = "65+"
AGE_BAND_LABELS = (*(f"{first}-{last}" for first, last in AGE_BANDS), OLDEST_BAND, NOT_STATED)
"""Written as the anonymous tallies of erased workers write them, so both count together."""

ISCO_MAJOR_GROUPS: Mapping[str, str] = {
    "0": N_("0 Armed forces occupations"),
    "1": N_("1 Managers"),
    "2": N_("2 Professionals"),
    "3": N_("3 Technicians and associate professionals"),
    "4": N_("4 Clerical support workers"),
    "5": N_("5 Service and sales workers"),
    "6": N_("6 Skilled agricultural, forestry and fishery workers"),
    "7": N_("7 Craft and related trades workers"),
    "8": N_("8 Plant and machine operators, and assemblers"),
    "9": N_("9 Elementary occupations"),
}
"""ISCO-08 major groups, the sectors of our tables, labelled with their code first. The English
label is the value tables and filters use; `labels.label` gives it in the reader's language."""

DIMENSIONS = ("sector", "region", "origin", "age_band", "month")
"""What a table's rows may be; the columns are always sex."""
FILTER_DIMENSIONS = ("sector", "region", "origin", "age_band")

WORKER_INDICATORS = (
    "registered",
    "with_skills",
    "recognised_qualifications",
    "matched",
    "offered",
    "placed",
    "fee_reported",
)
"""The count indicators by sex, in the order of the funnel."""

VACANCY_MEASURES = ("vacancies", "positions")
VACANCY_COLUMNS = ("open", "filled")

DEFINITIONS: Mapping[str, str] = {
    "registered": N_(
        "Workers whose registration was finished (profile active or consent since withdrawn), "
        "counted in the period they registered. Includes workers who later had their data "
        "erased: they are kept as anonymous counts by month, sex, age band, origin and region, "
        "and count in this indicator only (their other facts were erased with them)."
    ),
    "with_skills": N_(
        "Registered workers with at least one skill confirmed as a taxonomy concept."
    ),
    "recognised_qualifications": N_(
        "Registered workers with at least one qualification recognised or partly recognised."
    ),
    "matched": N_(
        "Registered workers with at least one current match that passes every gate and reaches "
        "the administrator's minimum essential-skill coverage and minimum score."
    ),
    "offered": N_(
        "Registered workers who were ever offered a job (an offer event on a placement)."
    ),
    "placed": N_("Registered workers with a placement that was accepted, started or finished."),
    "placement_rate": N_(
        "Workers placed divided by workers registered, in the same cell; withheld where either "
        "count is withheld or the registered count is below the suppression threshold."
    ),
    "fee_reported": N_(
        "Registered workers who answered yes to 'Were you asked to pay anything to get this "
        "job?' on any placement."
    ),
    "days_to_placement": N_(
        "Whole days from registration to the first time one of the worker's placements was "
        "accepted; the median over placed workers."
    ),
    "placement_score": N_(
        "The match score (0-100) of the worker's first placement that was accepted, started or "
        "finished; the mean over placed workers who have one."
    ),
    "vacancies": N_(
        "Vacancies now open, and vacancies now filled (every position taken), as at the time of "
        "the export, whatever the period."
    ),
    "positions": N_(
        "Positions still free in open vacancies, and positions taken (by an accepted, started or "
        "finished placement) in any vacancy, as at the time of the export."
    ),
    "sector": N_(
        "ISCO-08 major group (first digit of the 4-digit occupation code). A vacancy's sector is "
        "that of its occupation. A worker's sector is that of the vacancy of their first "
        "placement that was accepted, started or finished; else of their first placement of any "
        "kind; else of their best-scoring match as defined for 'matched'; else 'not stated'. "
        "Vacancies without an occupation code are skipped in that order."
    ),
    "region": N_("The region the worker lives in (for vacancies: where the work is)."),
    "origin": N_("Country of origin (ISO 3166-1 alpha-2 code)."),
    "age_band": N_(
        "Age in the year of registration (that year minus the birth year), in ten-year bands; "
        "'not stated' without a birth year or below 15."
    ),
    "month": N_("The month of registration, YYYY-MM (UTC)."),
    "sex": N_("As the worker gave it; 'not-stated' for 'prefer not to say' or not given."),
}
"""Plain-words definitions (msgids), keyed by indicator or dimension id, shown with every table;
`definition` gives one to translate."""

_TITLES: Mapping[str, str] = {
    "registered": N_("Workers registered"),
    "with_skills": N_("Workers with confirmed skills"),
    "recognised_qualifications": N_("Workers with recognised qualifications"),
    "matched": N_("Workers matched"),
    "offered": N_("Workers offered a job"),
    "placed": N_("Workers placed"),
    "placement_rate": N_("Placement rate"),
    "days_to_placement": N_("Median days from registration to placement"),
    "placement_score": N_("Mean match score of placements"),
    "fee_reported": N_("Workers who reported being asked for a fee"),
    "vacancies": N_("Vacancies open and filled"),
    "positions": N_("Positions open and filled"),
}
_DIMENSION_WORDS: Mapping[str, str] = {
    "sector": N_("sector"),
    "region": N_("region"),
    "origin": N_("country of origin"),
    "age_band": N_("age band"),
    "month": N_("month of registration"),
}

GAP_STAGES = ("with_skills", "matched", "offered", "placed")
"""The funnel after registration, where the gender gaps are measured."""
GAP_LOW = Fraction(4, 5)
GAP_HIGH = Fraction(5, 4)
"""Women's rate over men's outside [0.8, 1.25] is flagged (the four-fifths rule, both ways)."""


@dataclass(frozen=True, slots=True)
class WorkerFacts:
    """What the indicators need to know of one worker, and nothing that names them."""

    sex: str
    age_band: str
    origin: str
    region: str
    sector: str
    registered_month: str
    has_confirmed_skill: bool
    has_recognised_qualification: bool
    matched: bool
    offered: bool
    placed: bool
    days_to_placement: int | None
    placement_score: float | None
    fee_reported: bool


def registered_only(
    *, sex: str, age_band: str, origin: str, region: str, registered_month: str
) -> WorkerFacts:
    """A worker known only as registered: an erased worker, of whom a tally keeps no more."""
    return WorkerFacts(
        sex=sex,
        age_band=age_band,
        origin=origin,
        region=region,
        sector=NOT_STATED,
        registered_month=registered_month,
        has_confirmed_skill=False,
        has_recognised_qualification=False,
        matched=False,
        offered=False,
        placed=False,
        days_to_placement=None,
        placement_score=None,
        fee_reported=False,
    )


@dataclass(frozen=True, slots=True)
class VacancyFacts:
    """What the vacancy tables need of one vacancy."""

    sector: str
    region: str
    open: bool
    filled: bool
    positions_open: int
    positions_filled: int


@dataclass(frozen=True, slots=True)
class GenderGap:
    """One funnel stage: women's and men's rates (stage count / registered) and their ratio.

    Rates are None without anyone registered, the ratio None when men's rate is None or zero.
    The counts are here so that a publisher can withhold the figures their base cannot carry.
    """

    stage: str
    women: int
    women_registered: int
    men: int
    men_registered: int
    women_rate: float | None
    men_rate: float | None
    ratio: float | None
    flagged: bool


@dataclass(frozen=True, slots=True)
class MeasureBySex:
    """A median or mean for one sex, with the number of workers it is over (for suppress_mean)."""

    sex: str
    value: float | None
    base: int


def age_band(birth_year: int | None, reference_year: int) -> str:
    """The band of someone's age in `reference_year`; "not stated" without a birth year."""
    if birth_year is None:
        return NOT_STATED
    age = reference_year - birth_year
    if age >= 65:
        return OLDEST_BAND
    for first, last in AGE_BANDS:
        if first <= age <= last:
            return f"{first}-{last}"
    return NOT_STATED


def sector(isco_code: str | None) -> str:
    """The ISCO-08 major group of an occupation code, labelled; "not stated" without one."""
    if not isco_code:
        return NOT_STATED
    return ISCO_MAJOR_GROUPS.get(isco_code[0], NOT_STATED)


def period_label(year: int, month: int) -> str:
    """A month as tables show it: "YYYY-MM"."""
    return f"{year:04d}-{month:02d}"


def checked_dimensions(by: Sequence[str]) -> tuple[str, ...]:
    """The dimensions asked for, or a ValueError that names the ones there are."""
    unknown = [name for name in by if name not in DIMENSIONS]
    if unknown:
        named = ", ".join(map(repr, unknown))
        raise ValueError(f"unknown dimension {named}: choose from {', '.join(DIMENSIONS)}")
    return tuple(dict.fromkeys(by))


def checked_filters(filters: Mapping[str, str] | None) -> dict[str, str]:
    """Filters as dimension → value, or a ValueError naming what may be filtered on."""
    filters = dict(filters or {})
    unknown = [name for name in filters if name not in FILTER_DIMENSIONS]
    if unknown:
        raise ValueError(
            f"cannot filter on {', '.join(map(repr, unknown))}: "
            f"choose from {', '.join(FILTER_DIMENSIONS)}"
        )
    return filters


def kept(facts: WorkerFacts | VacancyFacts, filters: Mapping[str, str]) -> bool:
    """Whether a worker or vacancy is in the filtered population (vacancies have no origin or
    age band: those filters do not apply to them)."""
    return all(
        getattr(facts, name, value) == value for name, value in filters.items() if value != ""
    )


_HAS: Mapping[str, Callable[[WorkerFacts], bool]] = {
    "registered": lambda facts: True,
    "with_skills": lambda facts: facts.has_confirmed_skill,
    "recognised_qualifications": lambda facts: facts.has_recognised_qualification,
    "matched": lambda facts: facts.matched,
    "offered": lambda facts: facts.offered,
    "placed": lambda facts: facts.placed,
    "fee_reported": lambda facts: facts.fee_reported,
}


def _value(facts: WorkerFacts, dimension: str) -> str:
    return facts.registered_month if dimension == "month" else str(getattr(facts, dimension))


def _row_order(label: str) -> tuple[bool, str]:
    """Labels sort as they read (bands, codes and months all sort as text), "not stated" last."""
    return (label == NOT_STATED, label)


def definition(name: str) -> Message:
    """The definition of an indicator or dimension, to translate."""
    return Message(DEFINITIONS[name])


def table_definition(indicator: str, dimension: str) -> Message:
    return Message(
        N_("%(indicator)s Rows: %(dimension)s"),
        {"indicator": definition(indicator), "dimension": definition(dimension)},
    )


def rate_title(indicator: str, dimension: str) -> Message:
    """The title of a table of `indicator` by `dimension` and sex (counts, rates or measures)."""
    return Message(
        N_("%(indicator)s, by %(dimension)s and sex"),
        {
            "indicator": Message(_TITLES[indicator]),
            "dimension": Message(_DIMENSION_WORDS[dimension]),
        },
    )


def count_table(facts: Iterable[WorkerFacts], indicator: str, by: str) -> Table:
    """Workers with `indicator`, rows by the dimension `by` and columns by sex.

    The rows are every value met among all the workers given, not only those with the
    indicator, so that the tables of one dimension share their rows (and rates can be taken)."""
    if indicator not in _HAS:
        raise ValueError(
            f"unknown indicator {indicator!r}: choose from {', '.join(WORKER_INDICATORS)}"
        )
    (dimension,) = checked_dimensions([by])
    has = _HAS[indicator]
    rows: set[str] = set()
    counts: Counter[tuple[str, str]] = Counter()
    for worker in facts:
        row = _value(worker, dimension)
        rows.add(row)
        if has(worker):
            counts[row, worker.sex] += 1
    ordered = tuple(sorted(rows, key=_row_order))
    return Table(
        name=f"{indicator}_by_{dimension}",
        title=rate_title(indicator, dimension),
        row_dimension=dimension,
        rows=ordered,
        counts=tuple(tuple(counts[row, sex] for sex in SEX_COLUMNS) for row in ordered),
        definition=table_definition(indicator, dimension),
    )


def vacancy_table(vacancies: Iterable[VacancyFacts], measure: str, by: str) -> Table:
    """Vacancies (or positions) open and filled, by sector or region; not about people by sex."""
    if measure not in VACANCY_MEASURES or by not in ("sector", "region"):
        raise ValueError(f"no vacancy table of {measure!r} by {by!r}")
    counts: Counter[tuple[str, str]] = Counter()
    rows: set[str] = set()
    for vacancy in vacancies:
        row = getattr(vacancy, by)
        rows.add(row)
        if measure == "vacancies":
            counts[row, "open"] += vacancy.open
            counts[row, "filled"] += vacancy.filled
        else:
            counts[row, "open"] += vacancy.positions_open
            counts[row, "filled"] += vacancy.positions_filled
    ordered = tuple(sorted(rows, key=_row_order))
    return Table(
        name=f"{measure}_by_{by}",
        title=Message(
            N_("%(indicator)s, by %(dimension)s"),
            {"indicator": Message(_TITLES[measure]), "dimension": Message(_DIMENSION_WORDS[by])},
        ),
        row_dimension=by,
        rows=ordered,
        counts=tuple(tuple(counts[row, col] for col in VACANCY_COLUMNS) for row in ordered),
        columns=VACANCY_COLUMNS,
        column_dimension="state",
        definition=table_definition(measure, by),
    )


def is_gap(ratio: Fraction | float) -> bool:
    """Whether women's rate over men's is outside [0.8, 1.25]."""
    ratio = Fraction(ratio)
    return ratio < GAP_LOW or ratio > GAP_HIGH


def gender_gaps(facts: Iterable[WorkerFacts]) -> tuple[GenderGap, ...]:
    """For each funnel stage, women's and men's rates from registration, their ratio, and a flag
    where the ratio is outside [0.8, 1.25]. Computed exactly (fractions), so 0.8 is not a gap."""
    registered: Counter[str] = Counter()
    reached: Counter[tuple[str, str]] = Counter()
    for worker in facts:
        registered[worker.sex] += 1
        for stage in GAP_STAGES:
            if _HAS[stage](worker):
                reached[stage, worker.sex] += 1
    return tuple(_gap(stage, reached, registered) for stage in GAP_STAGES)


def _gap(stage: str, reached: Counter[tuple[str, str]], registered: Counter[str]) -> GenderGap:
    women, men = reached[stage, "female"], reached[stage, "male"]
    women_base, men_base = registered["female"], registered["male"]
    women_rate = Fraction(women, women_base) if women_base else None
    men_rate = Fraction(men, men_base) if men_base else None
    ratio = women_rate / men_rate if women_rate is not None and men_rate else None
    return GenderGap(
        stage=stage,
        women=women,
        women_registered=women_base,
        men=men,
        men_registered=men_base,
        women_rate=None if women_rate is None else float(women_rate),
        men_rate=None if men_rate is None else float(men_rate),
        ratio=None if ratio is None else float(ratio),
        flagged=ratio is not None and is_gap(ratio),
    )


def median_days_to_placement(facts: Iterable[WorkerFacts]) -> tuple[MeasureBySex, ...]:
    """Median whole days from registration to first acceptance, per sex (None without any)."""
    return _by_sex(facts, lambda worker: worker.days_to_placement, statistics.median)


def mean_placement_score(facts: Iterable[WorkerFacts]) -> tuple[MeasureBySex, ...]:
    """Mean match score of the first placement, per sex, over placed workers who have one."""
    return _by_sex(
        facts, lambda worker: worker.placement_score if worker.placed else None, statistics.fmean
    )


MEASURES: Mapping[str, tuple[Callable[[WorkerFacts], float | None], Callable[[list[float]], float]]]
MEASURES = {
    "days_to_placement": (lambda worker: worker.days_to_placement, statistics.median),
    "placement_score": (
        lambda worker: worker.placement_score if worker.placed else None,
        statistics.fmean,
    ),
}
"""Measures over placed workers: what each takes of a worker, and how it is summarised."""


@dataclass(frozen=True, slots=True)
class MeasureGrid:
    """A measure per row and sex, per row, per sex and overall, each with how many workers it
    is over (the base that decides whether it may be published)."""

    rows: tuple[str, ...]
    cells: tuple[tuple[MeasureBySex, ...], ...]
    row_totals: tuple[MeasureBySex, ...]
    column_totals: tuple[MeasureBySex, ...]
    total: MeasureBySex


def measure_grid(facts: Iterable[WorkerFacts], measure: str, by: str) -> MeasureGrid:
    """`measure` (a key of MEASURES) crossed by the dimension `by` and sex, with its margins;
    the rows are those of `count_table` for the same facts."""
    (dimension,) = checked_dimensions([by])
    value_of, summary = MEASURES[measure]
    groups: dict[tuple[str | None, str | None], list[float]] = {}
    rows: set[str] = set()
    for worker in facts:
        row = _value(worker, dimension)
        rows.add(row)
        found = value_of(worker)
        if found is not None:
            for key in ((row, worker.sex), (row, None), (None, worker.sex), (None, None)):
                groups.setdefault(key, []).append(found)

    def of(row: str | None, sex: str | None) -> MeasureBySex:
        values = groups.get((row, sex), [])
        return MeasureBySex(sex or "", float(summary(values)) if values else None, len(values))

    ordered = tuple(sorted(rows, key=_row_order))
    return MeasureGrid(
        rows=ordered,
        cells=tuple(tuple(of(row, sex) for sex in SEX_COLUMNS) for row in ordered),
        row_totals=tuple(of(row, None) for row in ordered),
        column_totals=tuple(of(None, sex) for sex in SEX_COLUMNS),
        total=of(None, None),
    )


def _by_sex(
    facts: Iterable[WorkerFacts],
    value: Callable[[WorkerFacts], float | None],
    summary: Callable[[list[float]], float],
) -> tuple[MeasureBySex, ...]:
    values: dict[str, list[float]] = {sex: [] for sex in SEX_COLUMNS}
    for worker in facts:
        found = value(worker)
        if found is not None:
            values[worker.sex].append(found)
    return tuple(
        MeasureBySex(sex, float(summary(found)) if found else None, len(found))
        for sex, found in values.items()
    )
