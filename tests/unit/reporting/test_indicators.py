"""The indicator definitions: age bands, sectors, dimensions, count tables and gender gaps."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from portal.reporting.indicators import (
    DEFINITIONS,
    DIMENSIONS,
    WORKER_INDICATORS,
    VacancyFacts,
    WorkerFacts,
    age_band,
    checked_dimensions,
    checked_filters,
    count_table,
    gender_gaps,
    is_gap,
    kept,
    mean_placement_score,
    median_days_to_placement,
    period_label,
    registered_only,
    sector,
    vacancy_table,
)
from portal.reporting.tables import SEX_COLUMNS

NOBODY = registered_only(
    sex="female", age_band="25-34", origin="UA", region="North", registered_month="2026-03"
)


def people(count: int, **facts: object) -> list[WorkerFacts]:
    return [replace(NOBODY, **facts)] * count  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("birth_year", "band"),
    [
        (2012, "not stated"),  # 14
        (2011, "15-24"),  # 15
        (2002, "15-24"),  # 24
        (2001, "25-34"),  # 25
        (1992, "25-34"),  # 34
        (1991, "35-44"),
        (1972, "45-54"),  # 54
        (1971, "55-64"),  # 55
        (1962, "55-64"),  # 64
        (1961, "65+"),  # 65
        (1930, "65+"),
        (None, "not stated"),
    ],
)
def test_age_band_is_age_in_the_reference_year_in_ten_year_bands(
    birth_year: int | None, band: str
) -> None:
    assert age_band(birth_year, 2026) == band


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("9333", "9 Elementary occupations"),
        ("8344", "8 Plant and machine operators, and assemblers"),
        ("0110", "0 Armed forces occupations"),
        ("2", "2 Professionals"),
        (None, "not stated"),
        ("", "not stated"),
        ("x123", "not stated"),
    ],
)
def test_sector_is_the_isco_major_group_of_the_first_digit(code: str | None, label: str) -> None:
    assert sector(code) == label


def test_period_is_year_and_month() -> None:
    assert period_label(2026, 3) == "2026-03"


def test_unknown_dimension_names_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match="'colour'") as raised:
        checked_dimensions(["region", "colour"])
    assert all(name in str(raised.value) for name in DIMENSIONS)


def test_unknown_filter_names_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"cannot filter on 'month'.*sector, region"):
        checked_filters({"month": "2026-03"})


def test_every_indicator_and_dimension_has_a_definition() -> None:
    assert set(WORKER_INDICATORS) | set(DIMENSIONS) <= set(DEFINITIONS)


def test_count_table_counts_by_row_and_sex_with_rows_from_all_registered() -> None:
    facts = [
        *people(3, region="South", placed=True),
        *people(2, region="North", sex="male", placed=True),
        *people(1, region="North", sex="not-stated"),
        *people(4, region="not stated", sex="other", placed=True),
        *people(1, region="East"),
    ]

    table = count_table(facts, "placed", "region")

    assert table.name == "placed_by_region"
    assert table.columns == SEX_COLUMNS
    assert table.rows == ("East", "North", "South", "not stated")
    assert table.counts == ((0, 0, 0, 0), (0, 2, 0, 0), (3, 0, 0, 0), (0, 0, 4, 0))
    assert DEFINITIONS["placed"] in str(table.definition)


def test_count_table_by_month_and_age_band_sorts_as_they_read() -> None:
    facts = [
        *people(1, registered_month="2026-11", age_band="65+"),
        *people(1, registered_month="2025-12", age_band="not stated"),
        *people(1, registered_month="2026-02", age_band="15-24"),
    ]

    assert count_table(facts, "registered", "month").rows == ("2025-12", "2026-02", "2026-11")
    assert count_table(facts, "registered", "age_band").rows == ("15-24", "65+", "not stated")


def test_count_table_refuses_an_unknown_indicator() -> None:
    with pytest.raises(ValueError, match="unknown indicator 'happy'"):
        count_table([NOBODY], "happy", "region")


def test_vacancy_table_counts_vacancies_and_positions_open_and_filled() -> None:
    vacancies = [
        VacancyFacts("9 Elementary occupations", "North", True, False, 3, 1),
        VacancyFacts("9 Elementary occupations", "South", False, True, 0, 2),
        VacancyFacts("8 Plant and machine operators, and assemblers", "North", True, False, 5, 0),
    ]

    by_sector = vacancy_table(vacancies, "vacancies", "sector")
    positions = vacancy_table(vacancies, "positions", "region")

    assert by_sector.columns == ("open", "filled")
    assert by_sector.rows == (
        "8 Plant and machine operators, and assemblers",
        "9 Elementary occupations",
    )
    assert by_sector.counts == ((1, 0), (1, 1))
    assert positions.counts == ((8, 1), (0, 2))


def test_filters_keep_matching_workers_and_do_not_apply_to_what_vacancies_lack() -> None:
    vacancy = VacancyFacts("9 Elementary occupations", "North", True, False, 1, 0)

    assert kept(NOBODY, {"region": "North", "origin": "UA"})
    assert not kept(NOBODY, {"region": "South"})
    assert kept(vacancy, {"region": "North", "origin": "SY"})


@pytest.mark.parametrize(
    ("ratio", "flagged"),
    [
        (Fraction(79, 100), True),
        (Fraction(8, 10), False),
        (Fraction(1), False),
        (Fraction(125, 100), False),
        (Fraction(126, 100), True),
    ],
)
def test_gap_flag_is_outside_four_fifths_both_ways(ratio: Fraction, flagged: bool) -> None:
    assert is_gap(ratio) is flagged


@pytest.mark.parametrize(
    ("women_placed", "men_placed", "ratio", "flagged"),
    [(79, 100, 0.79, True), (80, 100, 0.8, False), (100, 80, 1.25, False), (63, 50, 1.26, True)],
)
def test_gender_gap_of_placement_from_counts_at_the_edges(
    women_placed: int, men_placed: int, ratio: float, flagged: bool
) -> None:
    facts = [
        *people(women_placed, placed=True),
        *people(100 - women_placed),
        *people(men_placed, sex="male", placed=True),
        *people(100 - men_placed, sex="male"),
    ]

    placed = {gap.stage: gap for gap in gender_gaps(facts)}["placed"]

    assert (placed.women, placed.women_registered) == (women_placed, 100)
    assert (placed.men, placed.men_registered) == (men_placed, 100)
    assert placed.ratio == pytest.approx(ratio)
    assert placed.flagged is flagged


def test_gender_gap_without_men_reached_has_no_ratio_and_no_flag() -> None:
    facts = [*people(3, matched=True), *people(2, sex="male")]

    matched = {gap.stage: gap for gap in gender_gaps(facts)}["matched"]

    assert (matched.women_rate, matched.men_rate, matched.ratio) == (1.0, 0.0, None)
    assert not matched.flagged


def test_gender_gaps_cover_the_funnel_in_order() -> None:
    gaps = gender_gaps([NOBODY])

    assert [gap.stage for gap in gaps] == ["with_skills", "matched", "offered", "placed"]
    assert gaps[0].men_rate is None


def test_median_days_and_mean_score_by_sex_with_their_bases() -> None:
    facts = [
        replace(NOBODY, placed=True, days_to_placement=days, placement_score=score)
        for days, score in ((10, 50.0), (20, 70.0), (40, None))
    ] + [replace(NOBODY, sex="male", placed=True, days_to_placement=7, placement_score=90.0)]

    days = {measure.sex: measure for measure in median_days_to_placement(facts)}
    scores = {measure.sex: measure for measure in mean_placement_score(facts)}

    assert (days["female"].value, days["female"].base) == (20.0, 3)
    assert (days["male"].value, days["male"].base) == (7.0, 1)
    assert (days["other"].value, days["other"].base) == (None, 0)
    assert (scores["female"].value, scores["female"].base) == (60.0, 2)
