"""The deployment's regions, and the one answer to "which region did you mean?"."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from rapidfuzz import fuzz, process, utils
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.errors import ValidationProblem
from portal.models import Region
from portal.models.regions import REGION_NAME_MAX
from portal.services._tx import transaction


def list_regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.name)))


def add_regions(session: Session, names: Iterable[str]) -> list[Region]:
    """Add the regions not known yet (case-insensitively); returns those added."""
    added: list[Region] = []
    with transaction(session):
        known = {name.casefold() for name in session.scalars(select(Region.name))}
        for raw in names:
            name = " ".join(raw.split())
            if not name:
                continue
            if len(name) > REGION_NAME_MAX:
                raise ValidationProblem(
                    "name", _("A region name has at most %(max)d characters.", max=REGION_NAME_MAX)
                )
            if name.casefold() in known:
                continue
            region = Region(name=name)
            session.add(region)
            added.append(region)
            known.add(name.casefold())
    return added


def closest_regions(session: Session, name: str, limit: int = 3) -> list[str]:
    names = list(session.scalars(select(Region.name)))
    matches = process.extract(
        name, names, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit
    )
    return [match for match, score, _ in matches if score >= 50]


def find_region(session: Session, name: str, *, field: str = "region") -> Region:
    """The region called `name` (any case), or a ValidationProblem naming the closest ones."""
    cleaned = " ".join(name.split())
    region = session.scalar(select(Region).where(func.lower(Region.name) == cleaned.lower()))
    if region is not None:
        return region
    closest = closest_regions(session, cleaned)
    if closest:
        message = _(
            "Unknown region “%(name)s”. Did you mean: %(closest)s?",
            name=cleaned,
            closest=", ".join(closest),
        )
    else:
        message = _("Unknown region “%(name)s”. Ask an administrator to add it.", name=cleaned)
    raise ValidationProblem(field, message)
