"""The form of the API tokens page: a name to recognise the token by, and when it expires."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Regexp

from portal.models.accounts import API_TOKEN_NAME_MAX
from portal.models.base import utcnow
from portal.web.forms import STALE_FORM, TOO_LONG, PortalForm

NEVER = "never"
EXPIRY_DAYS = {"30": 30, "90": 90, "365": 365}


def _new_nonce() -> str:
    return secrets.token_urlsafe(32)


class TokenForm(PortalForm):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Name the token, for example after the system using it.")),
            Length(max=API_TOKEN_NAME_MAX, message=TOO_LONG),
        ],
        description=_l("For example “Employment service matching”. Only you see it."),
        render_kw={"autocomplete": "off"},
    )
    expires = RadioField(
        _l("It stops working"),
        choices=[
            SelectChoice("30", _l("In 30 days")),
            SelectChoice("90", _l("In 90 days")),
            SelectChoice("365", _l("In a year")),
            SelectChoice(NEVER, _l("Never (until you revoke it)")),
        ],
        default="90",
        validators=[InputRequired(_l("Choose when the token stops working."))],
    )
    nonce = HiddenField(
        default=_new_nonce,
        validators=[
            InputRequired(STALE_FORM),
            Regexp(r"^[A-Za-z0-9_-]{43}$", message=STALE_FORM),
        ],
    )
    """A new value each time the form is shown empty: the same form sent twice makes one token."""

    def expires_at(self) -> datetime | None:
        days = EXPIRY_DAYS.get(self.expires.data or "")
        return utcnow() + timedelta(days=days) if days is not None else None
