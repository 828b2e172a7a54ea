"""Forms of the placement pages: answering an offer, a reason for a step, an admin override,
and the matching settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FloatField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.services.matching_settings import BOUNDS
from portal.services.placements import FEE_DETAILS_MAX, REASON_MAX
from portal.web.forms import TOO_LONG, PortalForm


class AcceptForm(PortalForm):
    fee_asked = RadioField(
        _l("Were you asked to pay anything to get this job?"),
        choices=[SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))],
        validators=[InputRequired(_l("Answer the question: yes or no."))],
        description=_l(
            "For example a recruitment fee, travel, a visa, a medical check, training or "
            "equipment. Nobody may ask you to pay; your answer helps us stop it."
        ),
    )
    fee_details = TextAreaField(
        _l("If yes: who asked, how much, and for what?"),
        validators=[Optional(), Length(max=FEE_DETAILS_MAX, message=TOO_LONG)],
        render_kw={"rows": "3"},
    )


class StepForm(PortalForm):
    """A step button with an optional reason (declining, withdrawing, a no-show)."""

    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=REASON_MAX, message=TOO_LONG)],
        render_kw={"rows": "2"},
    )


class OverrideForm(PortalForm):
    new_worker_id = SelectField(
        _l("Propose instead"),
        coerce=int,
        validators=[InputRequired(_l("Choose the worker to propose instead."))],
        validate_choice=True,
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Say why: the reason is kept with the change.")),
            Length(max=REASON_MAX, message=TOO_LONG),
        ],
        render_kw={"rows": "2"},
    )


def _range(name: str) -> NumberRange:
    """The bounds the service enforces, checked on the form too so each field says its own."""
    bounds = BOUNDS[name]
    return NumberRange(
        bounds.low, bounds.high, message=_l("Enter a number from %(min)s to %(max)s.")
    )


class SettingsForm(PortalForm):
    min_essential_coverage = FloatField(
        _l("Minimum share of essential skills covered to be proposed (0 to 1)"),
        validators=[InputRequired(_l("Enter a number.")), _range("min_essential_coverage")],
        description=_l("0.6 means a worker must cover at least 6 of 10 essential skills."),
    )
    min_score = FloatField(
        _l("Minimum match score to be proposed (0 to 100)"),
        validators=[InputRequired(_l("Enter a number.")), _range("min_score")],
    )
    candidates_per_vacancy = IntegerField(
        _l("Candidates kept per vacancy"),
        validators=[InputRequired(_l("Enter a whole number.")), _range("candidates_per_vacancy")],
    )
    matches_per_worker = IntegerField(
        _l("Matches kept per worker"),
        validators=[InputRequired(_l("Enter a whole number.")), _range("matches_per_worker")],
    )
    offer_hold_hours = IntegerField(
        _l("Hours an offer holds a position"),
        validators=[InputRequired(_l("Enter a whole number.")), _range("offer_hold_hours")],
    )
    proposal_days = IntegerField(
        _l("Days before a proposal no one acted on expires"),
        validators=[InputRequired(_l("Enter a whole number.")), _range("proposal_days")],
    )
