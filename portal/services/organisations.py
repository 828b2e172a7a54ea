"""Organisations: employers and labour providers, and their verification by admins."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import Conflict, NotFound, ValidationProblem
from portal.models import Organisation, OrganisationKind, Role, User
from portal.models.base import utcnow
from portal.services._tx import transaction
from portal.services.pages import Page, paginate


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
) -> Organisation:
    """Members edit their organisation's details; a changed licence needs a new check."""
    organisation = organisation_for(session, user, organisation_id)
    if not name.strip():
        raise ValidationProblem("name", _("Enter the organisation's name."))
    licence_number = (licence_number or "").strip() or None
    with transaction(session):
        organisation.name = name.strip()
        if organisation.kind is OrganisationKind.PROVIDER:
            if licence_number != organisation.licence_number:
                organisation.licence_checked_on = None
            organisation.licence_number = licence_number
    return organisation


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
