"""The admin's matching settings: one row, read by every matching round and every offer."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.errors import Forbidden, ValidationProblem
from portal.models import AuditAction, MatchingSettings, Role, User
from portal.services import audit
from portal.services._tx import transaction

SETTINGS_ID = 1
SUBJECT = "matching-settings"


@dataclass(frozen=True, slots=True)
class Bounds:
    low: int
    high: int
    whole: bool  # a whole number (a count, hours, days), not a share or a score


BOUNDS: dict[str, Bounds] = {
    "min_essential_coverage": Bounds(0, 1, whole=False),
    "min_score": Bounds(0, 100, whole=False),
    "candidates_per_vacancy": Bounds(1, 500, whole=True),
    "matches_per_worker": Bounds(1, 200, whole=True),
    "offer_hold_hours": Bounds(1, 720, whole=True),
    "proposal_days": Bounds(1, 90, whole=True),
}


def current_settings(session: Session) -> MatchingSettings:
    """The settings row, created with the defaults on first use (in the caller's transaction).

    Two first uses at once both try to insert row 1: the loser's insert fails inside its own
    savepoint, and it reads the winner's row instead.
    """
    settings = session.get(MatchingSettings, SETTINGS_ID)
    if settings is not None:
        return settings
    try:
        with session.begin_nested():
            session.add(MatchingSettings(id=SETTINGS_ID))
    except IntegrityError:
        pass  # created by another transaction a moment ago
    return session.get_one(MatchingSettings, SETTINGS_ID)


def _checked(name: str, value: object) -> int | float:
    bounds = BOUNDS.get(name)
    if bounds is None:
        raise TypeError(f"no matching setting is called {name!r}")
    if bounds.whole:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValidationProblem(name, _("Enter a whole number."))
        if not bounds.low <= value <= bounds.high:
            raise ValidationProblem(
                name,
                _(
                    "Enter a whole number from %(low)d to %(high)d.",
                    low=bounds.low,
                    high=bounds.high,
                ),
            )
        return value
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise ValidationProblem(name, _("Enter a number."))
    if not bounds.low <= value <= bounds.high:
        raise ValidationProblem(
            name,
            _("Enter a number from %(low)d to %(high)d.", low=bounds.low, high=bounds.high),
        )
    return float(value)


def update_settings(session: Session, admin: User, **values: int | float) -> MatchingSettings:
    """Change some settings (each checked against its bounds first); the change is audited."""
    if admin.role is not Role.ADMIN:
        raise Forbidden(_("Only administrators change the matching settings."))
    checked = {name: _checked(name, value) for name, value in values.items()}
    settings = current_settings(session)
    changes = [
        f"{name}: {getattr(settings, name)} → {value}"
        for name, value in checked.items()
        if getattr(settings, name) != value
    ]
    with transaction(session):
        if changes:
            for name, value in checked.items():
                setattr(settings, name, value)
            settings.updated_by_id = admin.id
            audit.record(
                session, admin, AuditAction.CHANGED, SUBJECT, SETTINGS_ID, "; ".join(changes)
            )
    return settings
