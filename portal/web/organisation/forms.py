from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from portal.models.accounts import EMAIL_MAX, NAME_MAX
from portal.services.organisations import PHONE, PHONE_MAX, SECTORS
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
    sector = SelectField(
        _l("Sector"),
        validate_choice=False,
        description=_l("The kind of work most of your workers do."),
    )
    region_id = SelectField(_l("Region"), validate_choice=False)
    contact_email = EmailField(
        _l("Contact email address"),
        validators=[
            Optional(),
            Length(max=EMAIL_MAX, message=_l("An email address has at most %(max)d characters.")),
            Email(_l("Enter an email address like jobs@example.com."), check_deliverability=False),
        ],
        description=_l("Where administrators and labour providers can reach you."),
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    contact_phone = TelField(
        _l("Contact phone number"),
        validators=[
            Optional(),
            Length(max=PHONE_MAX, message=_l("A phone number has at most %(max)d characters.")),
        ],
        description=_l("With the country code, like +44 20 7946 0000."),
        render_kw={"autocomplete": "tel"},
    )

    def __init__(self, *args: Any, regions: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._region_ids = {str(region_id) for region_id, _name in regions}
        self.region_id.choices = [
            SelectChoice("", _l("Choose a region")),
            *(SelectChoice(str(region_id), name) for region_id, name in regions),
        ]
        self.sector.choices = [
            SelectChoice("", _l("Choose a sector")),
            *(SelectChoice(code, title) for code, title in SECTORS.items()),
        ]

    def validate_sector(self, field: SelectField) -> None:
        if field.data and field.data not in SECTORS:
            raise ValidationError(_l("Choose one of the sectors listed."))

    def validate_region_id(self, field: SelectField) -> None:
        if field.data and field.data not in self._region_ids:
            raise ValidationError(_l("Choose one of the regions listed."))

    def validate_contact_phone(self, field: TelField) -> None:
        if field.data and not PHONE.fullmatch(" ".join(field.data.split())):
            raise ValidationError(_l("Use digits, spaces and + ( ) - only, like +44 20 7946 0000."))

    def chosen_region_id(self) -> int | None:
        return int(self.region_id.data) if self.region_id.data else None
