from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from portal.services.organisations import SECTORS
from portal.services.vacancies import BrowseFilters
from portal.web.forms import PortalForm

WORDS_MAX = 100


class BrowseForm(PortalForm):
    """The filters of the vacancy list: sent with GET, so there is no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Words"),
        validators=[Length(max=WORDS_MAX, message=_l("Type at most %(max)d characters."))],
        description=_l("For example “forklift”, “harvest” or a town."),
        render_kw={"autocomplete": "off"},
    )
    sector = SelectField(_l("Sector"), validate_choice=False)
    region = SelectField(_l("Region"), validate_choice=False)
    starts_by = DateField(
        _l("Starting on or before"),
        validators=[Optional()],
        invalid_value_message=_l("Enter a date like 2026-12-31."),
    )
    accommodation = BooleanField(_l("Only with accommodation"))

    def __init__(self, *args: Any, regions: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._region_ids = {str(region_id) for region_id, _name in regions}
        self.sector.choices = [
            SelectChoice("", _l("Any sector")),
            *(SelectChoice(code, title) for code, title in SECTORS.items()),
        ]
        self.region.choices = [
            SelectChoice("", _l("Any region")),
            *(SelectChoice(str(region_id), name) for region_id, name in regions),
        ]

    def validate_sector(self, field: SelectField) -> None:
        if field.data and field.data not in SECTORS:
            raise ValidationError(_l("Choose one of the sectors listed."))

    def validate_region(self, field: SelectField) -> None:
        if field.data and field.data not in self._region_ids:
            raise ValidationError(_l("Choose one of the regions listed."))

    def filters(self) -> BrowseFilters:
        return BrowseFilters(
            words=(self.q.data or "").strip(),
            sector=self.sector.data or None,
            region_id=int(self.region.data) if self.region.data else None,
            starts_by=self.starts_by.data,
            accommodation=bool(self.accommodation.data),
        )

    def query(self) -> dict[str, str]:
        """The filters in use, as the arguments of a link to another page of results."""
        values = {
            "q": (self.q.data or "").strip(),
            "sector": self.sector.data or "",
            "region": self.region.data or "",
            "starts_by": self.starts_by.data.isoformat() if self.starts_by.data else "",
            "accommodation": "y" if self.accommodation.data else "",
        }
        return {name: value for name, value in values.items() if value}
