"""Organisations: employers and labour providers, and their verification by admins."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import Conflict, NotFound, ValidationProblem
from portal.models import Organisation, OrganisationKind, Region, Role, User
from portal.models.accounts import EMAIL_MAX, NAME_MAX
from portal.models.base import utcnow
from portal.services._tx import transaction
from portal.services.pages import Page, paginate

# The ISCO-08 major groups an employer's sector (and the vacancy browse filter) is one of;
# "0", the armed forces, is no sector a civilian employer recruits in.
SECTORS = {
    "1": _l("Managers"),
    "2": _l("Professionals"),
    "3": _l("Technicians and associate professionals"),
    "4": _l("Clerical support workers"),
    "5": _l("Service and sales workers"),
    "6": _l("Skilled agricultural, forestry and fishery workers"),
    "7": _l("Craft and related trades workers"),
    "8": _l("Plant and machine operators and assemblers"),
    "9": _l("Elementary occupations"),
}
PHONE_MAX = 40
PHONE = re.compile(r"\+?[0-9 ()./-]{4,}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def create_organisation(
    session: Session, *, kind: OrganisationKind, name: str, verified: bool = False
) -> Organisation:
    name = name.strip()
    if not name:
        raise ValidationProblem("name", _("Enter the organisation's name."))
    with transaction(session):
        organisation = Organisation(
            kind=kind, name=name, verified_at=utcnow() if verified else None
        )
        session.add(organisation)
    return organisation


def organisation_for(session: Session, user: User, organisation_id: int) -> Organisation:
    """The organisation if `user` may see it (a member, or an admin); else NotFound."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not _may_see(user, organisation):
        raise NotFound(_("There is no such organisation, or it is not yours."))
    return organisation


def _may_see(user: User, organisation: Organisation) -> bool:
    return user.role is Role.ADMIN or user.organisation_id == organisation.id


def update_organisation(
    session: Session,
    user: User,
    organisation_id: int,
    *,
    name: str,
    licence_number: str | None,
    sector: str | None = None,
    region_id: int | None = None,
    contact_email: str | None = None,
    contact_phone: str | None = None,
) -> Organisation:
    """Members edit their organisation's details; a changed licence needs a new check.

    Sector, region and contact are optional; each is checked on its own field.
    """
    organisation = organisation_for(session, user, organisation_id)
    name = name.strip()
    if not name:
        raise ValidationProblem("name", _("Enter the organisation's name."))
    if len(name) > NAME_MAX:
        raise ValidationProblem("name", _("A name has at most %(max)d characters.", max=NAME_MAX))
    licence_number = (licence_number or "").strip() or None
    sector = (sector or "").strip() or None
    if sector is not None and sector not in SECTORS:
        raise ValidationProblem("sector", _("Choose one of the sectors listed."))
    if region_id is not None and session.get(Region, region_id) is None:
        raise ValidationProblem("region_id", _("Choose one of the regions listed."))
    contact_email = _contact_email(contact_email)
    contact_phone = _contact_phone(contact_phone)
    with transaction(session):
        organisation.name = name
        organisation.sector = sector
        organisation.region_id = region_id
        organisation.contact_email = contact_email
        organisation.contact_phone = contact_phone
        if organisation.kind is OrganisationKind.PROVIDER:
            if licence_number != organisation.licence_number:
                organisation.licence_checked_on = None
            organisation.licence_number = licence_number
    return organisation


def _contact_email(raw: str | None) -> str | None:
    email = (raw or "").strip()
    if not email:
        return None
    if len(email) > EMAIL_MAX or not EMAIL.fullmatch(email):
        raise ValidationProblem("contact_email", _("Enter an email address like jobs@example.com."))
    return email


def _contact_phone(raw: str | None) -> str | None:
    phone = " ".join((raw or "").split())
    if not phone:
        return None
    if len(phone) > PHONE_MAX or not PHONE.fullmatch(phone):
        raise ValidationProblem(
            "contact_phone", _("Use digits, spaces and + ( ) - only, like +44 20 7946 0000.")
        )
    return phone


def verify_organisation(
    session: Session, admin: User, organisation_id: int, *, licence_checked_on: date | None = None
) -> Organisation:
    """An admin confirms the organisation is real (and a provider's licence was checked)."""
    if admin.role is not Role.ADMIN:
        raise NotFound(_("There is no such organisation, or it is not yours."))
    organisation = organisation_for(session, admin, organisation_id)
    if organisation.is_verified:
        raise Conflict(_("This organisation is already verified."))
    with transaction(session):
        organisation.verified_at = utcnow()
        if organisation.kind is OrganisationKind.PROVIDER and organisation.licence_number:
            organisation.licence_checked_on = licence_checked_on or date.today()
    return organisation


def list_organisations(
    session: Session, *, unverified_only: bool, page: int, size: int
) -> Page[Organisation]:
    statement = select(Organisation).order_by(Organisation.created_at.desc(), Organisation.id)
    if unverified_only:
        statement = statement.where(Organisation.verified_at.is_(None))
    return paginate(session, statement, page, size)
