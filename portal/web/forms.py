"""Pieces every form shares: field limits, the POST-only button form, service problems."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    Field,
    FieldList,
    FormField,
    PasswordField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, ValidationError

from portal.errors import ValidationProblem
from portal.models.accounts import EMAIL_MAX
from portal.services.passwords import MAX_LENGTH as PASSWORD_MAX
from portal.services.passwords import MIN_LENGTH as PASSWORD_MIN
from portal.services.passwords import password_problem

TOO_LONG = _l("Use at most %(max)d characters.")
STALE_FORM = _l(
    "This form has expired or was sent from somewhere else. Reload the page and try "
    "again; what you typed may need to be entered again."
)
"""A form whose CSRF token, or other one-time value, is missing or not this session's."""


def day_field(label: Any, *validators: Any, description: Any = "") -> DateField:
    """A date typed as the browser's date picker sends it (YYYY-MM-DD)."""
    return DateField(
        label,
        validators=list(validators),
        description=description,
        invalid_value_message=_l("Enter a date like 2026-12-31."),
    )


NUL_REFUSED = _l("This field contains a character that is not allowed.")
CONTROL_REFUSED = _l("Remove the invisible control characters.")
LINE_BREAKS = frozenset("\t\n\r")


class PortalForm(FlaskForm):
    """The base of every form: refuses NUL everywhere (PostgreSQL cannot store it) and other
    control characters wherever a line break has no place, in repeated rows too."""

    def validate(self, extra_validators: dict[str, Any] | None = None) -> bool:
        valid = super().validate(extra_validators)
        return _refuse_control_characters(self) and valid


def _refuse_control_characters(fields: Iterable[Field]) -> bool:
    clean = True
    for field in fields:
        if isinstance(field, FieldList):
            if not _refuse_control_characters(field.entries):
                field.errors = [entry.errors for entry in field.entries]  # for the summary
                clean = False
        elif isinstance(field, FormField):
            clean = _refuse_control_characters(field.form) and clean
        else:
            problem = _control_character_problem(field)
            if problem is not None:
                field.errors = [*field.errors, problem]
                clean = False
    return clean


def _control_character_problem(field: Field) -> Any:
    values = field.data if isinstance(field.data, list) else [field.data]
    text = "".join(value for value in values if isinstance(value, str))
    if "\x00" in text:
        return NUL_REFUSED
    if isinstance(field, PasswordField):  # never shown, and a password is kept as typed
        return None
    allowed = LINE_BREAKS if isinstance(field, TextAreaField) else frozenset()
    if any(unicodedata.category(char) == "Cc" and char not in allowed for char in text):
        return CONTROL_REFUSED
    return None


class EmptyForm(PortalForm):
    """A form with only the CSRF token: every state-changing button posts one."""


def email_field(label: str | None = None) -> EmailField:
    return EmailField(
        label or _l("Email address"),
        validators=[
            InputRequired(_l("Enter your email address.")),
            Length(max=EMAIL_MAX, message=_l("An email address has at most %(max)d characters.")),
            Email(_l("Enter an email address like name@example.com."), check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def _password_policy(_form: FlaskForm, field: Field) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def new_password_field(label: str | None = None) -> PasswordField:
    return PasswordField(
        label or _l("New password"),
        validators=[
            InputRequired(_l("Enter a password.")),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=_l("Use between %(min)d and %(max)d characters."),
            ),
            _password_policy,
        ],
        description=_l(
            "At least %(n)d characters. A few unusual words are easy to remember.", n=PASSWORD_MIN
        ),
        render_kw={"autocomplete": "new-password"},
    )


def show_problem(form: FlaskForm, problem: ValidationProblem) -> None:
    """Put a service's refusal on the field it is about (or on the form as a whole)."""
    field = getattr(form, problem.field, None)
    if isinstance(field, Field):
        field.errors = [*field.errors, problem.message]
    else:
        form.form_errors.append(problem.message)
