"""Cell texts → values, as people type them in spreadsheets: "1990" or "1990.0", "2,5",
"2026-03-01" or "01/03/2026", "yes", "en:B1;ro:native".

Each parser returns the value or raises `ValueProblem` with a message that says how to write it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TypeVar

from portal.text import N_, Message, Text

T = TypeVar("T")

YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})
_LIST_SEPARATORS = re.compile(r"[;\r\n]+")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


class ValueProblem(ValueError):
    """A cell's value cannot be used; the message says how to write it."""

    def __init__(self, message: Text) -> None:
        super().__init__(str(message))
        self.message = message


def split_list(text: str) -> list[str]:
    """The items of a ";"-separated cell (a line break separates too), trimmed, without empties."""
    return [item.strip() for item in _LIST_SEPARATORS.split(text) if item.strip()]


def split_pair(item: str, separator: str = ":") -> tuple[str, str]:
    """ "en:B1" → ("en", "B1"); raises if there is no separator."""
    left, found, right = item.partition(separator)
    if not found or not left.strip() or not right.strip():
        raise ValueProblem(
            Message(
                N_("“%(item)s” should be two parts joined by “%(separator)s”"),
                {"item": item, "separator": separator},
            )
        )
    return left.strip(), right.strip()


def whole_number(text: str, *, low: int | None = None, high: int | None = None) -> int:
    """A whole number ("1990", also "1990.0" as spreadsheets write it), within [low, high]."""
    cleaned = text.strip()
    match = re.fullmatch(r"[+-]?\d+(?:\.0*)?", cleaned)
    if match is None:
        raise ValueProblem(Message(N_("“%(text)s” is not a whole number"), {"text": text}))
    number = int(cleaned.split(".")[0])
    _check_range(number, low, high)
    return number


def decimal(text: str, *, low: float | None = None, high: float | None = None) -> float:
    """A number with "." or "," as the decimal mark ("2.5", "2,5")."""
    cleaned = text.strip().replace(",", ".")
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned) is None:
        raise ValueProblem(Message(N_("“%(text)s” is not a number"), {"text": text}))
    number = float(cleaned)
    _check_range(number, low, high)
    return number


def _check_range(number: float, low: float | None, high: float | None) -> None:
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            raise ValueProblem(
                Message(
                    N_("must be between %(low)s and %(high)s"),
                    {"low": f"{low:g}", "high": f"{high:g}"},
                )
            )
        if low is not None:
            raise ValueProblem(Message(N_("must be at least %(low)s"), {"low": f"{low:g}"}))
        raise ValueProblem(Message(N_("must be at most %(high)s"), {"high": f"{high:g}"}))


def day(text: str) -> date:
    """A date as YYYY-MM-DD (what spreadsheets export a date cell as) or DD/MM/YYYY."""
    cleaned = text.strip()
    iso = _ISO_DAY.fullmatch(cleaned)
    day_first = _DAY_FIRST.fullmatch(cleaned)
    if iso:
        year, month, day_of_month = (int(part) for part in iso.groups())
    elif day_first:
        day_of_month, month, year = (int(part) for part in day_first.groups())
        if month > 12 and day_of_month <= 12:
            raise ValueProblem(
                Message(
                    N_("“%(text)s” looks like month/day/year; write the date as YYYY-MM-DD"),
                    {"text": text},
                )
            )
    else:
        raise ValueProblem(
            Message(
                N_("“%(text)s” is not a date; write it as YYYY-MM-DD, like 2026-03-01"),
                {"text": text},
            )
        )
    try:
        return date(year, month, day_of_month)
    except ValueError:
        raise ValueProblem(
            Message(N_("“%(text)s” is not a date in the calendar"), {"text": text})
        ) from None


def yes_no(text: str) -> bool:
    cleaned = text.strip().casefold()
    if cleaned in YES:
        return True
    if cleaned in NO:
        return False
    raise ValueProblem(Message(N_("“%(text)s” is neither yes nor no"), {"text": text}))


def choice(text: str, options: Mapping[str, T]) -> T:
    """The option named `text` (case and spacing do not matter); else a message listing them."""
    key = " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()
    normalised = {
        " ".join(name.replace("_", " ").replace("-", " ").split()).casefold(): value
        for name, value in options.items()
    }
    if key in normalised:
        return normalised[key]
    raise ValueProblem(
        Message(
            N_("“%(text)s” is not one of: %(options)s"),
            {"text": text, "options": ", ".join(options)},
        )
    )
