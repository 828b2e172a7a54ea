"""What an API client sent, read field by field: the type and bounds each field has in the
OpenAPI document, a message per refused field, all refused fields answered at once (422) before
any service is asked. The services then decide what is acceptable, as they do for the pages.

Text refuses NUL (PostgreSQL cannot store it), lone surrogates (not UTF-8) and control
characters other than tabs and line breaks;
numbers are bounded so that none overflows a database column.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Mapping
from datetime import date
from enum import Enum
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email
from flask import current_app, request
from flask_babel import gettext as _

from portal.web.api.blueprint import ID_MAX
from portal.web.api.errors import ApiError

E = TypeVar("E", bound=Enum)

PER_PAGE_MAX = 100
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,12}")
LINE_BREAKS = frozenset("\t\n\r")


class Problems:
    """The refused fields of one request, each with its messages."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(str(message))

    def raise_any(self) -> None:
        if self.fields:
            raise ApiError(
                422,
                "invalid",
                _("Some values are not acceptable: each field says why."),
                fields=self.fields,
            )


def json_object() -> dict[str, Any]:
    """The request's body, which must be a JSON object (400 otherwise)."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than Python's parser goes: not a body we take
        data = None
    if not isinstance(data, dict):
        raise ApiError(
            400,
            "bad_request",
            _("Send a JSON object with the header Content-Type: application/json."),
        )
    return data


def _text_problem(text: str) -> str | None:
    """What makes `text` unfit to keep, or None: NUL (PostgreSQL cannot store it), a lone
    surrogate (not UTF-8), invisible control characters other than tabs and line breaks."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _("This field contains a character that is not allowed.")
    if "\x00" in text:
        return _("This field contains a character that is not allowed.")
    if any(unicodedata.category(char) == "Cc" and char not in LINE_BREAKS for char in text):
        return _("Remove the invisible control characters.")
    return None


def _whole_number_message(minimum: int, maximum: int) -> str:
    return _("Give a whole number from %(min)d to %(max)d.", min=minimum, max=maximum)


def _choices_message(enum_class: type[Enum]) -> str:
    return _("Choose one of: %(choices)s.", choices=", ".join(str(m.value) for m in enum_class))


class Body:
    """The fields of a JSON object. A field that is absent or null counts as not given."""

    def __init__(
        self,
        data: Mapping[str, Any],
        problems: Problems,
        *,
        known: Collection[str],
        prefix: str = "",
    ) -> None:
        self.data = data
        self.problems = problems
        self.prefix = prefix
        for name in data:
            if name not in known:
                self._refuse(name, _("There is no such field."))

    def _refuse(self, name: str, message: str) -> None:
        self.problems.add(f"{self.prefix}{name}", message)

    def _given(self, name: str, required: bool) -> bool:
        if self.data.get(name) is not None:
            return True
        if required:
            self._refuse(name, _("This field is required."))
        return False

    def text(self, name: str, *, max_length: int, required: bool = False) -> str:
        return self.optional_text(name, max_length=max_length, required=required) or ""

    def optional_text(self, name: str, *, max_length: int, required: bool = False) -> str | None:
        if not self._given(name, required):
            return None
        value = self.data[name]
        if not isinstance(value, str):
            self._refuse(name, _("Give text here."))
            return None
        problem = _text_problem(value)
        if problem is not None:
            self._refuse(name, problem)
            return None
        if len(value) > max_length:
            self._refuse(name, _("Use at most %(max)d characters.", max=max_length))
            return None
        if required and not value.strip():
            self._refuse(name, _("This field is required."))
        return value

    def email(self, name: str, *, max_length: int) -> str | None:
        value = self.optional_text(name, max_length=max_length)
        if not value or not value.strip():
            return None
        try:
            validate_email(value.strip(), check_deliverability=False)
        except EmailNotValidError:
            self._refuse(name, _("Enter an email address like name@example.com."))
            return None
        return value

    def integer(
        self, name: str, *, minimum: int, maximum: int, required: bool = False
    ) -> int | None:
        if not self._given(name, required):
            return None
        value = self.data[name]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self._refuse(name, _whole_number_message(minimum, maximum))
            return None
        return value

    def identifier(self, name: str, *, required: bool = False) -> int | None:
        return self.integer(name, minimum=1, maximum=ID_MAX, required=required)

    def number(self, name: str, *, minimum: float, maximum: float) -> float | None:
        if not self._given(name, False):
            return None
        value = self.data[name]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not minimum <= value <= maximum
        ):
            self._refuse(
                name, _("Give a number from %(min)s to %(max)s.", min=minimum, max=maximum)
            )
            return None
        return float(value)

    def boolean(self, name: str, *, default: bool = False) -> bool:
        value = self.optional_boolean(name)
        return default if value is None else value

    def optional_boolean(self, name: str) -> bool | None:
        if not self._given(name, False):
            return None
        value = self.data[name]
        if not isinstance(value, bool):
            self._refuse(name, _("Give true or false."))
            return None
        return value

    def choice(self, name: str, enum_class: type[E], *, required: bool = False) -> E | None:
        if not self._given(name, required):
            return None
        value = self.data[name]
        for member in enum_class:
            if isinstance(value, str) and value == member.value:
                return member
        self._refuse(name, _choices_message(enum_class))
        return None

    def day(self, name: str, *, required: bool = False) -> date | None:
        if not self._given(name, required):
            return None
        value = self.data[name]
        try:
            if isinstance(value, str) and DAY.fullmatch(value):
                return date.fromisoformat(value)
        except ValueError:
            pass
        self._refuse(name, _("Enter a date like 2026-12-31."))
        return None

    def objects(self, name: str, *, known: Collection[str], max_items: int) -> list[Body]:
        """A list of objects, each read with the same fields (named "name[0].field")."""
        if not self._given(name, False):
            return []
        value = self.data[name]
        if not isinstance(value, list) or len(value) > max_items:
            self._refuse(name, _("Give a list of at most %(max)d items.", max=max_items))
            return []
        items = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                items.append(
                    Body(item, self.problems, known=known, prefix=f"{self.prefix}{name}[{index}].")
                )
            else:
                self._refuse(f"{name}[{index}]", _("Give an object here."))
        return items


class Query:
    """The query string's parameters, as the document describes them: an empty number, choice
    or month is refused like any other that is not one."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def _raw(self, name: str) -> str | None:
        return request.args.get(name)

    def integer(self, name: str, *, minimum: int, maximum: int, default: int) -> int:
        raw = self._raw(name)
        if raw is None:
            return default
        if not WHOLE_NUMBER.fullmatch(raw) or not minimum <= int(raw) <= maximum:
            self.problems.add(name, _whole_number_message(minimum, maximum))
            return default
        return int(raw)

    def text(self, name: str, *, max_length: int) -> str:
        raw = self._raw(name) or ""
        problem = _text_problem(raw)
        if problem is not None:
            self.problems.add(name, problem)
            return ""
        if len(raw) > max_length:
            self.problems.add(name, _("Use at most %(max)d characters.", max=max_length))
            return ""
        return raw

    def choice(self, name: str, enum_class: type[E]) -> E | None:
        raw = self._raw(name)
        if raw is None:
            return None
        for member in enum_class:
            if raw == member.value:
                return member
        self.problems.add(name, _choices_message(enum_class))
        return None

    def month(self, name: str) -> date | None:
        """The first day of a month given as YYYY-MM."""
        raw = self._raw(name)
        if raw is None:
            return None
        found = MONTH.fullmatch(raw)
        if found and int(found[1]) >= 1 and 1 <= int(found[2]) <= 12:
            return date(int(found[1]), int(found[2]), 1)
        self.problems.add(name, _("Enter a month like 2026-03."))
        return None

    def page(self) -> tuple[int, int]:
        """The page asked for (from 1) and its size (at most PER_PAGE_MAX)."""
        default_size = min(PER_PAGE_MAX, int(current_app.config["PAGE_SIZE"]))
        return (
            self.integer("page", minimum=1, maximum=ID_MAX, default=1),
            self.integer("per_page", minimum=1, maximum=PER_PAGE_MAX, default=default_size),
        )
