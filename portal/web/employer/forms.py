"""The vacancy form: it checks the shape of what was typed and keeps all of it for the page to
show again; portal.services.vacancies decides what is acceptable.

The lists that depend on the request (regions, languages in the page's language) are given to
the form, never looked up by it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.models import LanguageLevel, PayPeriod
from portal.models.vacancies import POSITIONS_MAX, TITLE_MAX
from portal.models.workers import WORDS_MAX
from portal.services.translation import number
from portal.services.vacancies import DESCRIPTION_MAX, MAX_HOURS_PER_WEEK, currency_codes
from portal.taxonomy.model import RelationType
from portal.text import Number
from portal.web.forms import TOO_LONG, PortalForm, day_field

NUMBER = re.compile(r"[0-9]{1,10}([.,][0-9]{1,2})?")
BLANK_SKILL_ROWS = 2
BLANK_LANGUAGE_ROWS = 1
MAX_TYPED_SKILLS = 30
MAX_LANGUAGES = 10
MAX_PROPOSED_SKILLS = 300  # an ESCO occupation has at most about 150
PAY_MAX = Decimal("9999999999.99")  # what the column holds

# A proposed skill is needed as essential, optional, or not at all.
NOT_NEEDED = "no"
NEED_CHOICES = [
    SelectChoice(RelationType.ESSENTIAL.value, _l("Essential")),
    SelectChoice(RelationType.OPTIONAL.value, _l("Optional")),
    SelectChoice(NOT_NEEDED, _l("Not needed")),
]
RELATION_CHOICES = NEED_CHOICES[:2]
MIN_LEVEL_CHOICES = [
    SelectChoice("", _l("Choose a level")),
    SelectChoice(LanguageLevel.A1.value, _l("A1 – a few words and phrases")),
    SelectChoice(LanguageLevel.A2.value, _l("A2 – simple everyday talk")),
    SelectChoice(LanguageLevel.B1.value, _l("B1 – gets by at work")),
    SelectChoice(LanguageLevel.B2.value, _l("B2 – talks and reads with ease")),
    SelectChoice(LanguageLevel.C1.value, _l("C1 – fluent")),
    SelectChoice(LanguageLevel.C2.value, _l("C2 – like a native speaker")),
    SelectChoice(LanguageLevel.NATIVE.value, _l("Native speaker")),
]
PAY_PERIOD_CHOICES = [
    SelectChoice("", _l("Choose")),
    SelectChoice(PayPeriod.HOUR.value, _l("per hour")),
    SelectChoice(PayPeriod.DAY.value, _l("per day")),
    SelectChoice(PayPeriod.WEEK.value, _l("per week")),
    SelectChoice(PayPeriod.MONTH.value, _l("per month")),
    SelectChoice(PayPeriod.YEAR.value, _l("per year")),
    SelectChoice(PayPeriod.PIECE.value, _l("per piece (piece rate)")),
]
# Offered first; any other ISO 4217 code can be typed.
COMMON_CURRENCIES = (
    "EUR",
    "GBP",
    "USD",
    "PLN",
    "RON",
    "BGN",
    "CZK",
    "HUF",
    "SEK",
    "NOK",
    "DKK",
    "CHF",
    "UAH",
    "TRY",
    "CAD",
    "AUD",
)
PLEDGE_TEXT = _l(
    "We pledge that no recruitment fees or related costs — travel, visas, medical, training, "
    "equipment, administrative costs — are charged to workers, directly or through a provider."
)
NO_PLEDGE = _l(
    "Confirm that workers pay no recruitment fees or related costs: no pledge, no publication."
)


def _language_choices(languages: Sequence[tuple[str, str]]) -> list[SelectChoice]:
    return [
        SelectChoice("", _l("Choose a language")),
        *(SelectChoice(code, name) for code, name in languages),
    ]


class ProposedSkill(Form):
    """One skill the occupation usually needs: the employer keeps it, moves it or drops it."""

    concept_id = HiddenField()
    need = RadioField(choices=NEED_CHOICES, validate_choice=False)


class TypedSkill(Form):
    """A skill in the employer's words; `concept_id` is a concept's id once chosen (by the
    type-ahead or on the suggestion step), "none" when the words are kept as they are."""

    words = StringField(
        _l("Skill"),
        validators=[Length(max=WORDS_MAX, message=TOO_LONG)],
        render_kw={"autocomplete": "off"},
    )
    concept_id = HiddenField()
    relation = SelectField(
        _l("Needed as"), choices=RELATION_CHOICES, validate_choice=False, default="essential"
    )
    choice = RadioField(validate_choice=False)
    confirming = HiddenField()


class LanguageNeed(Form):
    code = SelectField(_l("Language"), validate_choice=False)
    level = SelectField(_l("At least"), choices=MIN_LEVEL_CHOICES, validate_choice=False)


class VacancyForm(PortalForm):
    title = StringField(
        _l("Job title"),
        validators=[
            InputRequired(_l("Give the vacancy a title.")),
            Length(max=TITLE_MAX, message=TOO_LONG),
        ],
        description=_l("As workers would say it, for example “Forklift driver, night shift”."),
    )
    occupation_words = StringField(
        _l("Occupation, in your own words"),
        validators=[Length(max=WORDS_MAX, message=TOO_LONG)],
        description=_l(
            "For example “forklift driver” or “fruit picker”. We propose the skills it usually "
            "needs."
        ),
        render_kw={"autocomplete": "off"},
    )
    occupation_id = HiddenField()  # a concept id, "none" (words kept) or "" (not chosen yet)
    occupation_choice = RadioField(validate_choice=False)
    occupation_confirming = HiddenField()
    proposed_for = HiddenField()  # the occupation whose skills `proposed` lists
    proposed = FieldList(FormField(ProposedSkill), max_entries=MAX_PROPOSED_SKILLS)
    typed = FieldList(FormField(TypedSkill), max_entries=MAX_TYPED_SKILLS + BLANK_SKILL_ROWS)
    positions = StringField(
        _l("Number of workers needed"),
        validators=[InputRequired(_l("Say how many workers you need."))],
        render_kw={"inputmode": "numeric", "maxlength": "6"},
    )
    region_id = SelectField(_l("Region of the workplace"), validate_choice=False)
    workplace = StringField(
        _l("Workplace"),
        validators=[Length(max=200, message=TOO_LONG)],
        description=_l("The town, farm or site, so that workers know where they would work."),
    )
    start_date = day_field(
        _l("Start date"),
        InputRequired(_l("Enter the start date.")),
        description=_l("For example 2026-06-01."),
    )
    end_date = day_field(
        _l("End date"), Optional(), description=_l("Leave empty if the work has no set end.")
    )
    apply_by = day_field(
        _l("Apply by"),
        Optional(),
        description=_l("The last day to apply. The vacancy is taken down after it."),
    )
    hours_per_week = StringField(
        _l("Hours per week"),
        description=_l("For example 40, or 37.5."),
        render_kw={"inputmode": "decimal", "maxlength": "5"},
    )
    pay_amount = StringField(
        _l("Pay before tax"),
        description=_l("For example 14.50. Leave empty if you agree the pay with each worker."),
        render_kw={"inputmode": "decimal", "maxlength": "14"},
    )
    pay_currency = SelectField(_l("Currency"), validate_choice=False)
    other_currency = StringField(
        _l("Or another currency"),
        description=_l("Its three-letter code, like MAD or PHP."),
        render_kw={"maxlength": "3", "autocapitalize": "characters", "spellcheck": "false"},
    )
    pay_period = SelectField(_l("Pay is"), choices=PAY_PERIOD_CHOICES, validate_choice=False)
    accommodation = BooleanField(_l("Accommodation is offered"))
    transport = BooleanField(_l("Transport to work is offered"))
    languages = FieldList(FormField(LanguageNeed), max_entries=MAX_LANGUAGES + BLANK_LANGUAGE_ROWS)
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=DESCRIPTION_MAX, message=TOO_LONG)],
        description=_l("What the work is like, shifts, what to bring: in plain words."),
        render_kw={"rows": "5"},
    )
    no_fee_pledge = BooleanField(PLEDGE_TEXT)

    def __init__(
        self,
        *args: Any,
        regions: Sequence[tuple[int, str]],
        languages: Sequence[tuple[str, str]],
        currencies: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._region_ids = {str(region_id) for region_id, _name in regions}
        self._language_codes = {code for code, _name in languages}
        self.region_id.choices = [
            SelectChoice("", _l("Choose a region")),
            *(SelectChoice(str(region_id), name) for region_id, name in regions),
        ]
        self.pay_currency.choices = [
            SelectChoice("", _l("Choose a currency")),
            *(SelectChoice(code, f"{code} – {name}") for code, name in currencies),
        ]
        self._language_choices = _language_choices(languages)
        self.add_blank_rows()

    def add_blank_rows(self) -> None:
        """Empty rows to type more skills and languages into."""
        typed = sum(1 for row in self.typed if (row.form.words.data or "").strip())
        while len(self.typed) < min(typed + BLANK_SKILL_ROWS, self.typed.max_entries or 0):
            self.typed.append_entry()
        filled = sum(1 for row in self.languages if row.form.code.data)
        while len(self.languages) < min(
            filled + BLANK_LANGUAGE_ROWS, self.languages.max_entries or 0
        ):
            self.languages.append_entry()
        for row in self.languages:
            row.form.code.choices = self._language_choices

    # --- checks of one field -------------------------------------------------------------------

    def validate_positions(self, field: StringField) -> None:
        raw = (field.data or "").strip().replace(",", "")
        if not raw.isdecimal() or not 1 <= int(raw) <= POSITIONS_MAX:
            raise ValidationError(
                _(
                    "Positions must be a whole number from 1 to %(max)s.",
                    max=number(Number(POSITIONS_MAX)),
                )
            )

    def validate_region_id(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose the region of the workplace."))
        if field.data not in self._region_ids:
            raise ValidationError(_l("Choose one of the regions listed."))

    def validate_hours_per_week(self, field: StringField) -> None:
        raw = (field.data or "").strip()
        if raw and (not NUMBER.fullmatch(raw) or not 0 < _decimal(raw) <= MAX_HOURS_PER_WEEK):
            raise ValidationError(
                _l(
                    "Hours per week must be more than 0 and at most %(max)d.",
                    max=MAX_HOURS_PER_WEEK,
                )
            )

    def validate_pay_amount(self, field: StringField) -> None:
        raw = (field.data or "").strip()
        if not raw:
            return
        if raw.startswith("-"):
            raise ValidationError(_l("Pay cannot be below zero."))
        if not NUMBER.fullmatch(raw) or _decimal(raw) > PAY_MAX:
            raise ValidationError(_l("Enter the pay as a number, like 14.50."))

    def validate_pay_currency(self, field: SelectField) -> None:
        if (self.other_currency.data or "").strip():
            return
        if field.data and field.data not in currency_codes():
            raise ValidationError(_unknown_currency(field.data))
        if not field.data and (self.pay_amount.data or "").strip():
            raise ValidationError(_l("Choose the currency of the pay."))

    def validate_other_currency(self, field: StringField) -> None:
        code = (field.data or "").strip().upper()
        if code and code not in currency_codes():
            raise ValidationError(_unknown_currency(code))

    def validate_pay_period(self, field: SelectField) -> None:
        if field.data and field.data not in set(PayPeriod):
            raise ValidationError(_l("Choose one of the answers offered."))
        if not field.data and (self.pay_amount.data or "").strip():
            raise ValidationError(_l("Say whether the pay is per hour, day, week ..."))

    # --- checks across fields ------------------------------------------------------------------

    def validate(self, extra_validators: dict[str, Any] | None = None) -> bool:
        valid = super().validate(extra_validators)
        start, end, apply_by = self.start_date.data, self.end_date.data, self.apply_by.data
        if start and end and end < start:
            self.end_date.errors = [
                *self.end_date.errors,
                _l("The end date must be on or after the start date."),
            ]
            valid = False
        if apply_by and end and apply_by > end:
            self.apply_by.errors = [
                *self.apply_by.errors,
                _l("Applications must close before the work ends."),
            ]
            valid = False
        return self._check_languages() and valid

    def _check_languages(self) -> bool:
        """Each row is a language with its level, or empty; each language once."""
        valid, seen = True, set()
        for row in self.languages:
            code, level = row.form.code, row.form.level
            if code.data and code.data not in self._language_codes:
                code.errors = [*code.errors, _l("Choose one of the languages listed.")]
            elif code.data and code.data in seen:
                code.errors = [*code.errors, _l("Each language once, please.")]
            elif code.data and level.data not in set(LanguageLevel):
                level.errors = [*level.errors, _l("Choose the level the work needs at least.")]
            elif level.data and not code.data:
                code.errors = [*code.errors, _l("Choose the language, or no level.")]
            seen.add(code.data)
            valid = valid and not code.errors and not level.errors
        if not valid:  # so that the error summary lists them
            self.languages.errors = [row.errors for row in self.languages]
        return valid

    def require_pledge(self) -> bool:
        if self.no_fee_pledge.data:
            return True
        self.no_fee_pledge.errors = [*self.no_fee_pledge.errors, NO_PLEDGE]
        return False

    # --- what was typed, as values -------------------------------------------------------------

    def positions_number(self) -> int:
        return int((self.positions.data or "0").strip().replace(",", ""))

    def hours_number(self) -> float | None:
        raw = (self.hours_per_week.data or "").strip()
        return float(_decimal(raw)) if raw else None

    def pay(self) -> tuple[Decimal | None, str | None, PayPeriod | None]:
        raw = (self.pay_amount.data or "").strip()
        if not raw:
            return None, None, None
        currency = (self.other_currency.data or "").strip().upper() or self.pay_currency.data
        return _decimal(raw), currency or None, PayPeriod(self.pay_period.data)

    def chosen_languages(self) -> tuple[tuple[str, LanguageLevel], ...]:
        return tuple(
            (row.form.code.data, LanguageLevel(row.form.level.data))
            for row in self.languages
            if row.form.code.data
        )


def _decimal(raw: str) -> Decimal:
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return Decimal(-1)


def _unknown_currency(code: str) -> str:
    """gettext, not lazy_gettext: a lazy string passes as safe HTML, and this one quotes input."""
    return _("“%(code)s” is not a currency code we know (like EUR, GBP, PLN).", code=code[:10])
