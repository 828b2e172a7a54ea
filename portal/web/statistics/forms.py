"""The statistics filters: a GET form (nothing changes, so no CSRF token), the period in months,
the dimension of the rows and the filters on the population."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import MonthField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from portal.reporting.indicators import AGE_BAND_LABELS, ISCO_MAJOR_GROUPS, NOT_STATED
from portal.reporting.labels import label
from portal.services.translation import translate
from portal.web.forms import PortalForm

DIMENSION_WORDS = {
    "sector": _l("Sector"),
    "region": _l("Region"),
    "origin": _l("Country of origin"),
    "age_band": _l("Age band"),
    "month": _l("Month of registration"),
}
MONTH_MESSAGE = _l("Enter a month like 2026-03.")


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if value else value


def _any(choices: Iterable[str]) -> list[SelectChoice]:
    """The choice of all, then each value labelled in the page's language (values stay)."""
    return [
        SelectChoice("", _l("All")),
        *(SelectChoice(value, translate(label(value))) for value in choices),
    ]


class StatisticsForm(PortalForm):
    """Filters read from the query string; `regions` are the deployment's region names."""

    class Meta:
        csrf = False

    from_month = MonthField(
        _l("From month"),
        validators=[Optional()],
        description=_l("YYYY-MM. Leave both months empty for all time."),
        invalid_value_message=MONTH_MESSAGE,
    )
    to_month = MonthField(
        _l("To month"),
        validators=[Optional()],
        description=_l("YYYY-MM, included."),
        invalid_value_message=MONTH_MESSAGE,
    )
    by = SelectField(
        _l("Rows by"),
        choices=[SelectChoice(name, words) for name, words in DIMENSION_WORDS.items()],
        default="region",
        validate_choice=True,
    )
    sector = SelectField(_l("Sector"), default="")
    region = SelectField(_l("Region"), default="")
    origin = StringField(
        _l("Country of origin"),
        filters=[_upper],
        validators=[
            Optional(),
            Length(min=2, max=2, message=_l("Enter a two-letter country code like UA.")),
            Regexp(r"^[A-Z]{2}$", message=_l("Enter a two-letter country code like UA.")),
        ],
        description=_l("Two-letter code, e.g. UA. Empty for every country."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": "2"},
    )
    age_band = SelectField(_l("Age band"), default="")

    def __init__(self, *args: Any, regions: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sector.choices = _any([*ISCO_MAJOR_GROUPS.values(), NOT_STATED])
        self.region.choices = _any(regions)
        self.age_band.choices = _any(AGE_BAND_LABELS)

    def validate(self, extra_validators: dict[str, Any] | None = None) -> bool:
        valid = super().validate(extra_validators)
        first, last = self.from_month, self.to_month
        if not first.errors and not last.errors and (first.data is None) != (last.data is None):
            missing = last if last.data is None else first
            missing.errors = [*missing.errors, _l("Enter both months, or neither for all time.")]
            return False
        if first.data and last.data and first.data > last.data:
            last.errors = [*last.errors, _l("The last month comes after the first.")]
            return False
        return valid

    @property
    def period(self) -> tuple[date, date] | None:
        """First day of the first month to last day of the last, or None for all time."""
        first, last = self.from_month.data, self.to_month.data
        if first is None or last is None:
            return None
        return first, last.replace(day=calendar.monthrange(last.year, last.month)[1])

    @property
    def filters(self) -> dict[str, str]:
        return {
            name: getattr(self, name).data
            for name in ("sector", "region", "origin", "age_band")
            if getattr(self, name).data
        }
