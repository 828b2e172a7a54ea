from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SearchField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from portal.models import ConceptKind
from portal.services.taxonomy_pages import WORDS_MAX
from portal.web.forms import PortalForm


class SearchForm(PortalForm):
    """The browse page's search: sent with GET, so there is no CSRF token (nothing changes)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Words to look up"),
        validators=[Length(max=WORDS_MAX, message=_l("Type at most %(max)d characters."))],
        description=_l("In any language, as you would say it. Spelling mistakes are fine."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    kind = RadioField(
        _l("Look for"),
        choices=[
            SelectChoice(ConceptKind.SKILL.value, _l("Skills")),
            SelectChoice(ConceptKind.OCCUPATION.value, _l("Occupations")),
        ],
        default=ConceptKind.SKILL.value,
    )
