"""The registration steps as forms: they check the shape of what was typed and keep it for the
page to show again; the services in portal.services.workers decide what is acceptable.

Messages that quote what was typed use gettext, never lazy_gettext: Flask-Babel's lazy strings
declare themselves safe HTML (`__html__`), so Jinja would not escape the quoted input.

Lists that depend on the request (countries in the page's language, the deployment's regions,
the candidates for some words) are given to the forms, never looked up by them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.models import Evidence, ExperienceKind, LanguageLevel, Recognition, Sex
from portal.models.workers import NAME_PART_MAX, PHONE_MAX, WORDS_MAX
from portal.services.workers import MAX_LANGUAGES, OLDEST_BIRTH_YEAR, YOUNGEST_AGE, AboutYou
from portal.web.forms import TOO_LONG, PortalForm, day_field

EMAIL_MAX = 254
BLANK_LANGUAGE_ROWS = 2
PHONE = re.compile(r"\+?[0-9 ()./-]{4,}")
YEARS = re.compile(r"[0-9]{1,2}([.,][0-9]+)?")

SEX_CHOICES = [
    SelectChoice(Sex.FEMALE.value, _l("Female")),
    SelectChoice(Sex.MALE.value, _l("Male")),
    SelectChoice(Sex.OTHER.value, _l("Other")),
    SelectChoice(Sex.NOT_STATED.value, _l("I prefer not to say")),
]
LEVEL_CHOICES = [
    SelectChoice("", _l("Choose a level")),
    SelectChoice(LanguageLevel.A1.value, _l("A1 – a few words and phrases")),
    SelectChoice(LanguageLevel.A2.value, _l("A2 – simple everyday talk")),
    SelectChoice(LanguageLevel.B1.value, _l("B1 – I get by at work")),
    SelectChoice(LanguageLevel.B2.value, _l("B2 – I talk and read with ease")),
    SelectChoice(LanguageLevel.C1.value, _l("C1 – fluent")),
    SelectChoice(LanguageLevel.C2.value, _l("C2 – like a native speaker")),
    SelectChoice(LanguageLevel.NATIVE.value, _l("Native: my first language")),
]
EVIDENCE_CHOICES = [
    SelectChoice(Evidence.SELF_DECLARED.value, _l("I say so myself")),
    SelectChoice(Evidence.CERTIFICATE.value, _l("I have a certificate")),
    SelectChoice(Evidence.ASSESSED.value, _l("It was assessed (a test or a trial)")),
    SelectChoice(Evidence.RECOGNISED.value, _l("It is officially recognised")),
]
EXPERIENCE_KIND_CHOICES = [
    SelectChoice(ExperienceKind.PAID.value, _l("Paid work")),
    SelectChoice(ExperienceKind.INFORMAL.value, _l("Informal work (no contract, cash in hand)")),
    SelectChoice(ExperienceKind.UNPAID.value, _l("Unpaid work (family business, farm, care)")),
]
RECOGNITION_CHOICES = [
    SelectChoice(Recognition.NOT_REQUESTED.value, _l("I have not asked for recognition")),
    SelectChoice(Recognition.REQUESTED.value, _l("I have asked; no answer yet")),
    SelectChoice(Recognition.RECOGNISED.value, _l("Recognised")),
    SelectChoice(Recognition.PARTLY_RECOGNISED.value, _l("Partly recognised")),
    SelectChoice(Recognition.REFUSED.value, _l("Refused")),
]
NONE_OF_THESE = "none"


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (rendered in a fieldset by the `field` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(blank: Any, pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice("", blank), *(SelectChoice(code, name) for code, name in pairs)]


def whole_number(raw: str | None) -> int | None:
    """The number in a hidden or radio value, or None for anything else."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdecimal() and len(raw) < 10 else None


# --- step 1: about you --------------------------------------------------------------------------


class LanguageRow(Form):
    code = SelectField(_l("Language"), validate_choice=False)
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES, validate_choice=False)


class AboutForm(PortalForm):
    given_name = StringField(
        _l("Given name"),
        validators=[
            InputRequired(_l("Enter your given name.")),
            Length(max=NAME_PART_MAX, message=TOO_LONG),
        ],
        render_kw={"autocomplete": "given-name"},
    )
    family_name = StringField(
        _l("Family name"),
        validators=[Length(max=NAME_PART_MAX, message=TOO_LONG)],
        render_kw={"autocomplete": "family-name"},
    )
    email = EmailField(
        _l("Email address"),
        validators=[
            Optional(),
            Length(max=EMAIL_MAX, message=TOO_LONG),
            Email(_l("Enter an email address like name@example.com."), check_deliverability=False),
        ],
        description=_l("An email address or a phone number, or both: employers reach you there."),
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    phone = TelField(
        _l("Phone number"),
        validators=[Optional(), Length(max=PHONE_MAX, message=TOO_LONG)],
        description=_l("With the country code, like +44 7700 900123."),
        render_kw={"autocomplete": "tel"},
    )
    sex = RadioField(
        _l("Sex"),
        choices=SEX_CHOICES,
        validators=[Optional()],
        validate_choice=False,
        description=_l(
            "Optional. Only for statistics on who finds work: employers never see it and it "
            "never changes your matches."
        ),
    )
    birth_year = StringField(
        _l("Year of birth"),
        description=_l("Optional. For example 1990. Employers never see it."),
        render_kw={"inputmode": "numeric", "autocomplete": "bday-year", "maxlength": "4"},
    )
    country_of_origin = SelectField(
        _l("Country of origin"),
        validate_choice=False,
        description=_l("Optional. Only for statistics; employers never see it."),
    )
    nationality = SelectField(_l("Nationality"), validate_choice=False)
    languages = FieldList(FormField(LanguageRow), max_entries=MAX_LANGUAGES + BLANK_LANGUAGE_ROWS)

    def __init__(
        self,
        *args: Any,
        countries: Sequence[tuple[str, str]],
        languages: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._country_codes = {code for code, _name in countries}
        self._language_codes = {code for code, _name in languages}
        self._language_choices = _choices(_l("Choose a language"), languages)
        self.country_of_origin.choices = _choices(_l("Choose a country"), countries)
        self.nationality.choices = _choices(_l("Choose a country"), countries)
        filled = sum(1 for row in self.languages if row.form.code.data)
        while len(self.languages) < filled + BLANK_LANGUAGE_ROWS:
            self.languages.append_entry()
        for row in self.languages:
            row.form.code.choices = self._language_choices

    def validate(self, extra_validators: dict[str, Any] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.email.data or "").strip() and not (self.phone.data or "").strip():
            self.email.errors = [
                *self.email.errors,
                _l("Give an email address or a phone number, or both."),
            ]
            valid = False
        return self._check_languages() and valid

    def validate_phone(self, field: TelField) -> None:
        if field.data and not PHONE.fullmatch(field.data.strip()):
            raise ValidationError(_l("Use digits, spaces and + ( ) - only, like +44 7700 900123."))

    def validate_sex(self, field: RadioField) -> None:
        if field.data and field.data not in {choice.value for choice in SEX_CHOICES}:
            raise ValidationError(_l("Choose one of the answers offered."))

    def validate_birth_year(self, field: StringField) -> None:
        raw = (field.data or "").strip()
        if not raw:
            return
        youngest = date.today().year - YOUNGEST_AGE
        if not raw.isdecimal() or not OLDEST_BIRTH_YEAR <= int(raw) <= youngest:
            raise ValidationError(
                _l(
                    "The birth year must be between %(first)d and %(last)d.",
                    first=OLDEST_BIRTH_YEAR,
                    last=youngest,
                )
            )

    def validate_country_of_origin(self, field: SelectField) -> None:
        self._known_country(field)

    def validate_nationality(self, field: SelectField) -> None:
        self._known_country(field)

    def _known_country(self, field: SelectField) -> None:
        if field.data and field.data not in self._country_codes:
            raise ValidationError(
                _("“%(code)s” is not a country code we know.", code=field.data[:10])
            )

    def _check_languages(self) -> bool:
        """Each row is a language with its level, or empty; each language once."""
        valid, seen = True, set()
        for row in self.languages:
            code, level = row.form.code, row.form.level
            if code.data and code.data not in self._language_codes:
                code.errors = [
                    *code.errors,
                    _("“%(code)s” is not a language code we know.", code=code.data[:10]),
                ]
            elif code.data in seen:
                code.errors = [*code.errors, _l("Each language once, please.")]
            elif code.data and level.data not in set(LanguageLevel):
                level.errors = [*level.errors, _l("Choose how well you know this language.")]
            elif level.data and not code.data:
                code.errors = [*code.errors, _l("Choose the language, or no level.")]
            if code.data:
                seen.add(code.data)
            valid = valid and not code.errors and not level.errors
        if not valid:  # as FieldList.validate would have put them, for the error summary
            self.languages.errors = [
                {"code": row.form.code.errors, "level": row.form.level.errors}
                for row in self.languages
            ]
        return valid

    def chosen_languages(self) -> tuple[tuple[str, LanguageLevel], ...]:
        return tuple(
            (row.form.code.data, LanguageLevel(row.form.level.data))
            for row in self.languages
            if row.form.code.data
        )

    def about_you(self) -> AboutYou:
        """What a valid form says, as the service takes it."""
        birth_year = (self.birth_year.data or "").strip()
        return AboutYou(
            given_name=self.given_name.data or "",
            family_name=self.family_name.data or "",
            email=self.email.data or None,
            phone=self.phone.data or None,
            sex=Sex(self.sex.data) if self.sex.data else None,
            birth_year=int(birth_year) if birth_year else None,
            country_of_origin=self.country_of_origin.data or None,
            nationality=self.nationality.data or None,
            languages=self.chosen_languages(),
        )


# --- step 2: skills -----------------------------------------------------------------------------


def _words_field(label: Any, description: Any) -> StringField:
    return StringField(
        label,
        validators=[Length(max=WORDS_MAX, message=TOO_LONG)],
        description=description,
        render_kw={"autocomplete": "off"},
    )


class SuggestionStepForm(PortalForm):
    """Words resolved to a concept: `choice` is the answer on the suggestion page, which also
    sets `confirming` (so that no answer there is a problem, not a first try)."""

    choice = RadioField(_l("Which of these do you mean?"), validate_choice=False)
    confirming = HiddenField()

    @property
    def is_confirming(self) -> bool:
        return self.confirming.data == "1"


class SkillForm(SuggestionStepForm):
    """A skill in the worker's words; `concept_id` is filled by the type-ahead."""

    words = _words_field(
        _l("Describe a skill in your own words"),
        _l(
            "For example “drive a forklift” or “cook for fifty people”. Any language; spelling "
            "mistakes are fine."
        ),
    )
    concept_id = HiddenField()


class EvidenceForm(PortalForm):
    evidence = SelectField(
        _l("How can you show this skill?"), choices=EVIDENCE_CHOICES, validate_choice=False
    )

    def validate_evidence(self, field: SelectField) -> None:
        if field.data not in set(Evidence):
            raise ValidationError(_l("Choose one of the answers offered."))


class OccupationForm(SuggestionStepForm):
    """An occupation in the worker's words, to see its usual skills."""

    occupation_words = _words_field(
        _l("An occupation, in your own words"),
        _l("For example “warehouse worker” or “forklift driver”."),
    )
    occupation_id = HiddenField()


class ChecklistForm(PortalForm):
    skill_ids = MultiCheckboxField(
        _l("Tick the skills you have"), validate_choice=False, coerce=str
    )

    def __init__(self, *args: Any, offered: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._offered = {str(concept_id) for concept_id in offered}

    def validate_skill_ids(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Tick at least one skill, or go back."))
        if not set(field.data) <= self._offered:
            raise ValidationError(_l("Tick only the skills listed."))

    def chosen_ids(self) -> list[int]:
        return [int(value) for value in self.skill_ids.data or []]


# --- step 3: experience and qualifications -----------------------------------------------------


class ExperienceForm(SuggestionStepForm):
    """Work done and qualifications: the step's one form. Each part is checked only when
    something was typed in it, so a person may add either or both at once."""

    words = _words_field(
        _l("What work did you do?"),
        _l("In your own words, for example “picking fruit” or “building sites”."),
    )
    occupation_id = HiddenField()
    years = StringField(
        _l("For how many years?"),
        description=_l("All the time together; half a year is 0.5."),
        render_kw={"inputmode": "decimal", "maxlength": "5"},
    )
    kind = RadioField(
        _l("What kind of work was it?"),
        choices=EXPERIENCE_KIND_CHOICES,
        validate_choice=False,
        description=_l(
            "Informal and unpaid work count too: helping in a family business, farming, "
            "looking after children or older people."
        ),
    )
    title = StringField(
        _l("Name of the qualification"),
        validators=[Length(max=WORDS_MAX, message=TOO_LONG)],
        description=_l("For example “Certificate in welding”."),
    )
    country = SelectField(_l("Country where you got it"), validate_choice=False)
    level = StringField(
        _l("Level"),
        validators=[Length(max=100, message=TOO_LONG)],
        description=_l("For example: school, vocational, university."),
    )
    recognition = SelectField(
        _l("Is it recognised in this country?"),
        choices=RECOGNITION_CHOICES,
        default=Recognition.NOT_REQUESTED.value,
        validate_choice=False,
    )

    def __init__(self, *args: Any, countries: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._country_codes = {code for code, _name in countries}
        self.country.choices = _choices(_l("Choose a country"), countries)

    @property
    def has_experience(self) -> bool:
        return any((field.data or "").strip() for field in (self.words, self.years, self.kind))

    @property
    def has_qualification(self) -> bool:
        return any((field.data or "").strip() for field in (self.title, self.level, self.country))

    def validate(self, extra_validators: dict[str, Any] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if self.has_experience:
            valid = self._check_experience() and valid
        if self.has_qualification:
            valid = self._check_qualification() and valid
        return valid

    def _check_experience(self) -> bool:
        problems = {
            self.words: _l("Say what the work was.") if not (self.words.data or "").strip() else "",
            self.years: self._years_problem(),
            self.kind: _l("Choose the kind of work.")
            if self.kind.data not in set(ExperienceKind)
            else "",
        }
        for field, message in problems.items():
            if message:
                field.errors = [*field.errors, message]
        return not any(problems.values())

    def _years_problem(self) -> Any:
        raw = (self.years.data or "").strip()
        if not raw:
            return _l("Enter the years, like 2 or 0.5.")
        if not YEARS.fullmatch(raw) or not 0 <= self.years_number() <= 70:
            return _l("Years must be a number between 0 and 70, like 2 or 0.5.")
        return ""

    def years_number(self) -> float:
        return float((self.years.data or "0").strip().replace(",", "."))

    def _check_qualification(self) -> bool:
        problems = []
        if not (self.title.data or "").strip():
            self.title.errors = [*self.title.errors, _l("Enter the qualification's name.")]
            problems.append(self.title)
        if self.country.data and self.country.data not in self._country_codes:
            self.country.errors = [
                *self.country.errors,
                _("“%(code)s” is not a country code we know.", code=self.country.data[:10]),
            ]
            problems.append(self.country)
        if self.recognition.data not in set(Recognition):
            self.recognition.errors = [
                *self.recognition.errors,
                _l("Choose one of the answers offered."),
            ]
            problems.append(self.recognition)
        return not problems


# --- step 4: availability -----------------------------------------------------------------------


class AvailabilityForm(PortalForm):
    region_id = SelectField(_l("Region where you are now"), validate_choice=False)
    relocate_anywhere = BooleanField(_l("I can move anywhere for work"))
    relocation_region_ids = MultiCheckboxField(
        _l("Or the regions you could move to"), validate_choice=False, coerce=str
    )
    available_from = day_field(
        _l("First day you can start work"),
        InputRequired(_l("Enter the first day you can start.")),
        description=_l("It may be today."),
    )
    available_until = day_field(
        _l("Last day you can work"),
        Optional(),
        description=_l("Optional: only if you must stop on a certain day."),
    )

    def __init__(self, *args: Any, regions: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._region_ids = {str(region_id) for region_id, _name in regions}
        named = [(str(region_id), name) for region_id, name in regions]
        self.region_id.choices = _choices(_l("Choose a region"), named)
        self.relocation_region_ids.choices = [SelectChoice(value, name) for value, name in named]

    def validate_region_id(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose the region where you are now."))
        if field.data not in self._region_ids:
            raise ValidationError(_l("Choose one of the regions listed."))

    def validate_relocation_region_ids(self, field: MultiCheckboxField) -> None:
        if not set(field.data or []) <= self._region_ids:
            raise ValidationError(_l("Choose only regions listed."))

    def is_blank(self) -> bool:
        """Nothing chosen or typed: going back has nothing to keep."""
        typed_days = [
            (field.raw_data or [""])[0] for field in (self.available_from, self.available_until)
        ]
        return not (
            self.region_id.data
            or self.relocate_anywhere.data
            or self.relocation_region_ids.data
            or any(typed_days)
        )


# --- step 5: review and consent -----------------------------------------------------------------


class ConsentForm(PortalForm):
    """The wording of each consent is in the template (review.html), next to its version."""

    consent_matching = BooleanField(_l("Matching"))
    consent_contact = BooleanField(_l("Contact after an offer"))


def choice_names(choices: Iterable[SelectChoice]) -> dict[str, Any]:
    """Value → the words shown for it, to name saved answers on summary pages."""
    return {choice.value: choice.label for choice in choices if choice.value}
