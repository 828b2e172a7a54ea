"""A labour provider's workers: registering them on their behalf, finding them again, and
inviting them to a login of their own.

A provider acts for workers only once an admin has verified its organisation, and only ever on
the workers its organisation registered (`workers.may_manage`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.errors import Conflict, DomainError, Forbidden, ValidationProblem
from portal.models import (
    AuditAction,
    Organisation,
    ProfileStatus,
    Role,
    User,
    Worker,
    WorkerInvite,
)
from portal.models.accounts import NAME_MAX
from portal.models.base import utcnow
from portal.services import audit, outbox, passwords, workers
from portal.services._tx import transaction, transaction_holding
from portal.services.pages import Page, paginate

INVITE_TTL = timedelta(days=14)
RESEND_AFTER = timedelta(minutes=1)
SEARCH_WORDS_MAX = 5


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _organisation_of(user: User) -> Organisation:
    """The provider's organisation; anyone else is refused."""
    if user.role is not Role.PROVIDER:
        raise Forbidden(_("Only labour providers have workers of their own."))
    if user.organisation is None:
        raise Forbidden(
            _("Your account is not linked to an organisation. Contact an administrator.")
        )
    return user.organisation


def _verified_organisation_of(user: User) -> Organisation:
    organisation = _organisation_of(user)
    if not organisation.is_verified:
        raise Forbidden(
            _(
                "%(name)s is not verified yet. An administrator checks each labour provider "
                "before it can register or invite workers.",
                name=organisation.name,
            )
        )
    return organisation


# --- registering and finding workers ----------------------------------------------------------


def register_worker_for_provider(
    session: Session, provider_user: User, data: workers.AboutYou
) -> Worker:
    """A worker profile (a draft, without a login) that the provider's organisation manages.

    A person the organisation has registered already (the same names, contact and birth year;
    the form sent twice) is not registered again: their profile is returned.
    """
    organisation = _verified_organisation_of(provider_user)
    workers.check_about_you(data)
    with transaction_holding(session, organisation):
        same = _registered_already(session, organisation, data)
        if same is not None:
            return same
        worker = Worker(provider_id=organisation.id, given_name=data.given_name.strip())
        session.add(worker)
        session.flush()
        audit.record(session, provider_user, AuditAction.CREATED, workers.SUBJECT, worker.id)
        workers.set_about_you(session, provider_user, worker, data)
    return worker


def _registered_already(
    session: Session, organisation: Organisation, data: workers.AboutYou
) -> Worker | None:
    def equal(column: Any, value: object) -> Any:
        return column.is_(None) if value is None else column == value

    return session.scalars(
        select(Worker)
        .where(
            Worker.provider_id == organisation.id,
            Worker.given_name == data.given_name.strip(),
            Worker.family_name == data.family_name.strip(),
            equal(Worker.email, (data.email or "").strip().lower() or None),
            equal(Worker.phone, (data.phone or "").strip() or None),
            equal(Worker.birth_year, data.birth_year),
        )
        .order_by(Worker.id)
    ).first()


def list_provider_workers(
    session: Session, provider_user: User, *, search: str, page: int, size: int
) -> Page[Worker]:
    """The organisation's workers whose name, email or the provider's own id contain every
    word searched for, by family name."""
    organisation = _organisation_of(provider_user)
    statement = select(Worker).where(Worker.provider_id == organisation.id)
    return paginate(session, _searched(statement, search), page, size)


def list_workers(
    session: Session, user: User, *, search: str, page: int, size: int
) -> Page[Worker]:
    """The workers `user` manages in a list: a provider's own (as `list_provider_workers`),
    every worker for an admin; anyone else is refused."""
    if user.role is not Role.ADMIN:
        return list_provider_workers(session, user, search=search, page=page, size=size)
    return paginate(session, _searched(select(Worker), search), page, size)


def _searched(statement: Select[Any], search: str) -> Select[Any]:
    """Workers whose name, email or provider's id contain every word, by family name."""
    for word in search.split()[:SEARCH_WORDS_MAX]:
        word = word.lower()
        statement = statement.where(
            or_(
                *(
                    func.lower(column).contains(word, autoescape=True)
                    for column in (
                        Worker.given_name,
                        Worker.family_name,
                        Worker.email,
                        Worker.external_id,
                    )
                )
            )
        )
    return statement.order_by(
        func.lower(Worker.family_name), func.lower(Worker.given_name), Worker.id
    )


@dataclass(frozen=True, slots=True)
class WorkerCounts:
    registered: int
    active: int
    with_login: int


def count_provider_workers(session: Session, provider_user: User) -> WorkerCounts:
    organisation = _organisation_of(provider_user)
    row = session.execute(
        select(
            func.count(Worker.id),
            func.count(Worker.id).filter(Worker.status == ProfileStatus.ACTIVE),
            func.count(Worker.user_id),
        ).where(Worker.provider_id == organisation.id)
    ).one()
    return WorkerCounts(registered=row[0], active=row[1], with_login=row[2])


# --- invites to a login of one's own ----------------------------------------------------------


def latest_invite(session: Session, worker: Worker) -> WorkerInvite | None:
    return session.scalar(
        select(WorkerInvite)
        .where(WorkerInvite.worker_id == worker.id)
        .order_by(WorkerInvite.created_at.desc(), WorkerInvite.id.desc())
        .limit(1)
    )


def invite_works(invite: WorkerInvite) -> bool:
    return invite.used_at is None and invite.expires_at > utcnow()


def _email_has_account(session: Session, email: str) -> bool:
    return session.scalar(select(User.id).where(User.email == email)) is not None


def invite_worker(
    session: Session,
    provider_user: User,
    worker_id: int,
    link_for: Callable[[str], str],
    ttl: timedelta = INVITE_TTL,
) -> None:
    """Email the worker a one-time link to set a password; an earlier link stops working.

    An invite sent less than `RESEND_AFTER` ago stands (the button pressed twice): no second
    mail, and the first link keeps working.
    """
    organisation = _verified_organisation_of(provider_user)
    worker = workers.worker_for(session, provider_user, worker_id)
    if worker.user_id is not None:
        raise Conflict(_("%(name)s already has a login.", name=worker.full_name))
    if not worker.email:
        raise Conflict(
            _(
                "Add an email address to %(name)s's details first: the invite is sent by email.",
                name=worker.full_name,
            )
        )
    if _email_has_account(session, worker.email):
        raise Conflict(
            _(
                "Someone already has an account with %(email)s. Ask the worker to log in with "
                "it, or correct the address.",
                email=worker.email,
            )
        )
    token = secrets.token_urlsafe(32)
    with transaction_holding(session, worker):
        now = utcnow()
        just_sent = session.scalar(
            select(WorkerInvite.id).where(
                WorkerInvite.worker_id == worker.id,
                WorkerInvite.used_at.is_(None),
                WorkerInvite.created_at > now - RESEND_AFTER,
            )
        )
        if just_sent is not None:
            return
        session.execute(
            update(WorkerInvite)
            .where(
                WorkerInvite.worker_id == worker.id,
                WorkerInvite.used_at.is_(None),
                WorkerInvite.expires_at > now,
            )
            .values(expires_at=now)
        )
        session.add(
            WorkerInvite(
                worker_id=worker.id,
                token_hash=_token_hash(token),
                created_at=now,
                expires_at=now + ttl,
            )
        )
        outbox.queue(
            session,
            recipient=worker.email,
            subject=_("Your login to the skills portal"),
            body=_(
                "Hello %(name)s,\n\n%(provider)s has registered you on the skills portal, so "
                "that employers can find you for work. To see and change your profile yourself, "
                "choose a password within %(days)d days here:\n\n%(link)s\n\nThe link works "
                "once. Nobody may ask you to pay for a job found through the portal.",
                name=worker.full_name,
                provider=organisation.name,
                days=max(1, ttl.days),
                link=link_for(token),
            ),
        )
        audit.record(
            session, provider_user, AuditAction.CHANGED, workers.SUBJECT, worker.id, "invited"
        )


def _live_invite(session: Session, token: str) -> tuple[WorkerInvite, Worker] | None:
    """The invite and its worker while the link works: not used, not expired, no login yet."""
    row = session.execute(
        select(WorkerInvite, Worker)
        .join(Worker, Worker.id == WorkerInvite.worker_id)
        .where(
            WorkerInvite.token_hash == _token_hash(token),
            WorkerInvite.used_at.is_(None),
            WorkerInvite.expires_at > utcnow(),
            Worker.user_id.is_(None),
            Worker.email.is_not(None),
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


def invited_worker(session: Session, token: str) -> Worker | None:
    """The worker a live invite link is for, or None when it expired, was used or never was."""
    live = _live_invite(session, token)
    return live[1] if live is not None else None


def accept_invite(session: Session, token: str, password: str) -> User:
    """Create the worker's login (their email, the password they chose) and end the link.

    The link is claimed by a conditional UPDATE in the same transaction, so a form sent twice
    at once creates one account.
    """
    refused = DomainError(
        _(
            "This invite link has expired or was already used. Ask your labour provider for a "
            "new one."
        )
    )
    taken = Conflict(
        _("An account with this email address already exists. Log in with it instead.")
    )
    live = _live_invite(session, token)
    if live is None:
        raise refused
    invite, worker = live
    email = worker.email or ""
    problem = passwords.password_problem(password, email=email, name=worker.full_name)
    if problem:
        raise ValidationProblem("password", problem)
    password_hash = passwords.hash_password(password)  # slow: before any row is locked
    now = utcnow()
    with transaction(session):
        claimed = session.execute(
            update(WorkerInvite)
            .where(
                WorkerInvite.id == invite.id,
                WorkerInvite.used_at.is_(None),
                WorkerInvite.expires_at > now,
            )
            .values(used_at=now)
        )
        if claimed.rowcount != 1:  # the same link used twice at once
            raise refused
        if _email_has_account(session, email):
            raise taken
        user = User(
            email=email,
            full_name=worker.full_name[:NAME_MAX],
            password_hash=password_hash,
            role=Role.WORKER,
        )
        session.add(user)
        try:
            session.flush()
        except IntegrityError as error:  # the same email registered at this very moment
            raise taken from error
        linked = session.execute(
            update(Worker)
            .where(Worker.id == worker.id, Worker.user_id.is_(None))
            .values(user_id=user.id)
        )
        if linked.rowcount != 1:
            raise refused
        audit.record(
            session, user, AuditAction.CHANGED, workers.SUBJECT, worker.id, "login created"
        )
    return user
