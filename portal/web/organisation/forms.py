from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from portal.models.accounts import NAME_MAX
from portal.web.forms import PortalForm


class OrganisationForm(PortalForm):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter the organisation's name.")),
            Length(max=NAME_MAX, message=_l("A name has at most %(max)d characters.")),
        ],
    )
    licence_number = StringField(
        _l("Licence number"),
        validators=[
            Length(max=100, message=_l("A licence number has at most %(max)d characters."))
        ],
        description=_l(
            "Labour providers: the number of your licence to supply workers, if your "
            "country licenses labour providers."
        ),
    )
