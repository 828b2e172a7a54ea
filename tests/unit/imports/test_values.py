"""Cell texts as people type them in spreadsheets, to values."""

from __future__ import annotations

from datetime import date

import pytest

from portal.imports.values import (
    ValueProblem,
    choice,
    day,
    decimal,
    split_list,
    split_pair,
    whole_number,
    yes_no,
)


def test_lists_split_on_semicolons_and_line_breaks() -> None:
    assert split_list(" a ; b;;\nc\r\n") == ["a", "b", "c"]


def test_pairs() -> None:
    assert split_pair(" en : B1 ") == ("en", "B1")
    with pytest.raises(ValueProblem):
        split_pair("en")


@pytest.mark.parametrize(("text", "number"), [("1990", 1990), (" 1990.0 ", 1990), ("-3", -3)])
def test_whole_numbers(text: str, number: int) -> None:
    assert whole_number(text) == number


@pytest.mark.parametrize("text", ["19x0", "1990.5", "", "1,990"])
def test_not_whole_numbers(text: str) -> None:
    with pytest.raises(ValueProblem, match="is not a whole number"):
        whole_number(text)


def test_ranges_say_the_bounds() -> None:
    with pytest.raises(ValueProblem, match="must be between 1 and 10"):
        whole_number("11", low=1, high=10)
    with pytest.raises(ValueProblem, match="must be at least 0"):
        decimal("-1", low=0)


@pytest.mark.parametrize(("text", "number"), [("2.5", 2.5), ("2,5", 2.5), ("3", 3.0), (".5", 0.5)])
def test_decimals_take_either_decimal_mark(text: str, number: float) -> None:
    assert decimal(text) == number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2026-03-01", date(2026, 3, 1)),
        ("2026-3-1", date(2026, 3, 1)),
        ("2026-03-01 00:00:00", date(2026, 3, 1)),
        ("01/03/2026", date(2026, 3, 1)),
        ("1.3.2026", date(2026, 3, 1)),
    ],
)
def test_days(text: str, value: date) -> None:
    assert day(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("03/31/2026", "looks like month/day/year"),
        ("2026-02-30", "is not a date in the calendar"),
        ("next week", "write it as YYYY-MM-DD"),
    ],
)
def test_not_days(text: str, message: str) -> None:
    with pytest.raises(ValueProblem, match=message):
        day(text)


def test_yes_and_no() -> None:
    assert [yes_no(text) for text in ("Yes", "y", "TRUE", "no", "0")] == [
        True,
        True,
        True,
        False,
        False,
    ]
    with pytest.raises(ValueProblem):
        yes_no("maybe")


def test_choices_ignore_case_spaces_and_dashes() -> None:
    options = {"prefer not to say": 1, "female": 2}
    assert choice("Prefer-Not-To-Say", options) == 1
    with pytest.raises(ValueProblem, match="is not one of: prefer not to say, female"):
        choice("x", options)
