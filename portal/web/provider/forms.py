"""The labour provider's forms: finding its workers, and the password a worker it invited
chooses. Registering a worker uses the "about you" step's own form (portal.web.worker.forms)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SearchField
from wtforms.validators import EqualTo, InputRequired, Length

from portal.web.forms import PortalForm, new_password_field

SEARCH_MAX = 200


class WorkerSearchForm(PortalForm):
    """Sent with GET, so there is no CSRF token (nothing changes)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Find a worker"),
        validators=[Length(max=SEARCH_MAX, message=_l("Type at most %(max)d characters."))],
        description=_l("A name, an email address or your own reference for the worker."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class AcceptInviteForm(PortalForm):
    password = new_password_field(_l("Choose a password"))
    confirm = PasswordField(
        _l("Password again"),
        validators=[
            InputRequired(_l("Enter the password again.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
