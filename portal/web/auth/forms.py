from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from portal.models import Role
from portal.models.accounts import NAME_MAX
from portal.services.passwords import MAX_LENGTH as PASSWORD_MAX
from portal.web.forms import PortalForm, email_field, new_password_field


class LoginForm(PortalForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Enter your password.")),
            Length(max=PASSWORD_MAX, message=_l("A password has at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )


ROLE_CHOICES = [
    SelectChoice(Role.WORKER.value, _l("I am looking for work")),
    SelectChoice(Role.PROVIDER.value, _l("I am a labour provider and register workers")),
    SelectChoice(Role.EMPLOYER.value, _l("I am an employer and need workers")),
]
SELF_REGISTERING_ROLE_VALUES = frozenset(choice.value for choice in ROLE_CHOICES)


class RegisterForm(PortalForm):
    role = RadioField(
        _l("What brings you here?"),
        choices=ROLE_CHOICES,
        validators=[InputRequired(_l("Choose what brings you here."))],
    )
    full_name = StringField(
        _l("Your full name"),
        validators=[
            InputRequired(_l("Enter your name.")),
            Length(max=NAME_MAX, message=_l("A name has at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "name"},
    )
    email = email_field()
    organisation_name = StringField(
        _l("Name of your organisation"),
        validators=[Length(max=NAME_MAX, message=_l("A name has at most %(max)d characters."))],
        description=_l("Labour providers and employers only. An administrator verifies it."),
        render_kw={"autocomplete": "organization"},
    )
    password = new_password_field(_l("Password"))
    confirm = PasswordField(
        _l("Password again"),
        validators=[
            InputRequired(_l("Enter the password again.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_organisation_name(self, field: StringField) -> None:
        if (
            self.role.data in (Role.PROVIDER.value, Role.EMPLOYER.value)
            and not (field.data or "").strip()
        ):
            raise ValidationError(_l("Enter the name of your organisation."))


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            InputRequired(_l("Enter your current password.")),
            Length(max=PASSWORD_MAX, message=_l("A password has at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field()
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(_l("Enter the new password again.")),
            EqualTo("new_password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ForgotPasswordForm(PortalForm):
    email = email_field()


class ResetPasswordForm(PortalForm):
    new_password = new_password_field()
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(_l("Enter the new password again.")),
            EqualTo("new_password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
