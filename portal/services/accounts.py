"""Accounts: registration, login with throttling, server-side sessions, password changes."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.errors import DomainError, TooManyAttempts, ValidationProblem
from portal.models import (
    LoginAttempt,
    LoginSession,
    Organisation,
    OrganisationKind,
    PasswordResetToken,
    Role,
    User,
)
from portal.models.accounts import ROLE_OF_ORGANISATION_KIND
from portal.models.base import utcnow
from portal.services import outbox, passwords
from portal.services._tx import transaction, transaction_holding

SELF_REGISTERING_ROLES = (Role.WORKER, Role.PROVIDER, Role.EMPLOYER)
RESEND_AFTER = timedelta(minutes=1)
"""A reset link asked for again within this time is not sent again."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class Registration:
    email: str
    full_name: str
    password: str
    role: Role
    organisation_name: str = ""
    language: str | None = None  # the page's language at registration, kept for pages and mail


def register(session: Session, form: Registration) -> User:
    """Create a worker, provider or employer account; the latter two found an organisation."""
    if form.role not in SELF_REGISTERING_ROLES:
        raise ValidationProblem("role", _("Choose one of the account types offered."))
    email = normalise_email(form.email)
    problem = passwords.password_problem(form.password, email=email, name=form.full_name)
    if problem:
        raise ValidationProblem("password", problem)
    organisation = None
    if form.role in (Role.PROVIDER, Role.EMPLOYER):
        if not form.organisation_name.strip():
            raise ValidationProblem("organisation_name", _("Enter the organisation's name."))
        kind = OrganisationKind(form.role.value)
        organisation = Organisation(kind=kind, name=form.organisation_name.strip())
    taken = ValidationProblem(
        "email",
        _(
            "An account with this email address already exists. Log in, or reset the "
            "password if you forgot it."
        ),
    )
    user = User(
        email=email,
        full_name=form.full_name.strip(),
        password_hash=passwords.hash_password(form.password),
        role=form.role,
        organisation=organisation,
        language=form.language,
    )
    # The insert is the transaction's first statement, and the unique email decides: a form
    # sent twice at once makes one account (SQLite queues a transaction that begins with a
    # write, but cannot turn a reading one into a writing one once the other has committed).
    session.commit()  # services write only inside their transactions: nothing is pending here
    with transaction(session):
        session.add(user)
        try:
            session.flush()
        except IntegrityError:
            raise taken from None
    return user


def set_language(session: Session, user: User, language: str) -> None:
    """Remember the language `user` chose, for their pages on any device and for their mail.

    The web layer checks `language` against the portal's languages.
    """
    if user.language == language:
        return
    with transaction(session):
        user.language = language


def create_user(
    session: Session,
    *,
    email: str,
    full_name: str,
    password: str,
    role: Role,
    organisation: Organisation | None = None,
) -> User:
    """Create any account (admins included) for the CLI and the demo data."""
    email = normalise_email(email)
    problem = passwords.password_problem(password, email=email, name=full_name)
    if problem:
        raise ValidationProblem("password", problem)
    if organisation is not None and ROLE_OF_ORGANISATION_KIND[organisation.kind] != role:
        raise ValidationProblem("role", _("This role cannot belong to that organisation."))
    with transaction(session):
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise ValidationProblem("email", _("An account with this email already exists."))
        user = User(
            email=email,
            full_name=full_name,
            password_hash=passwords.hash_password(password),
            role=role,
            organisation=organisation,
        )
        session.add(user)
    return user


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    failures_per_account: int = 5
    failures_per_ip: int = 30
    window: timedelta = timedelta(minutes=15)


def log_in(
    session: Session, email: str, password: str, ip: str, policy: LoginPolicy
) -> tuple[User, str]:
    """Check the credentials and open a login session; returns the user and its token.

    The same error comes back for an unknown email and for a wrong password, after the same
    work, so that nobody can find out which addresses have accounts.
    """
    email = normalise_email(email)
    now = utcnow()
    _refuse_if_throttled(session, email, ip, policy, now)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        passwords.spend_verification_time(password)
        ok = False
    else:
        ok = passwords.verify_password(user.password_hash, password) and user.is_active
    token: str | None = None
    with transaction(session):
        session.add(LoginAttempt(email=email, ip=ip, succeeded=ok, at=now))
        if ok and user is not None:
            if passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash_password(password)
            token = new_token()
            session.add(
                LoginSession(user_id=user.id, token_hash=_token_hash(token), created_at=now)
            )
    if user is None or token is None:
        raise DomainError(_("The email address or the password is not right."))
    return user, token


def _refuse_if_throttled(
    session: Session, email: str, ip: str, policy: LoginPolicy, now: datetime
) -> None:
    since = now - policy.window
    failed = select(func.count()).where(LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)
    by_account = session.scalar(failed.where(LoginAttempt.email == email)) or 0
    by_ip = session.scalar(failed.where(LoginAttempt.ip == ip)) or 0
    if by_account >= policy.failures_per_account or by_ip >= policy.failures_per_ip:
        minutes = int(policy.window.total_seconds() // 60)
        raise TooManyAttempts(
            _(
                "Too many failed attempts. For your safety, logging in is paused: try again in "
                "%(minutes)d minutes, or reset your password.",
                minutes=minutes,
            ),
            retry_after_seconds=int(policy.window.total_seconds()),
        )


def user_for_session(session: Session, token: str) -> User | None:
    """The user of a live login session, or None if it ended or never existed."""
    return session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.token_hash == _token_hash(token),
            LoginSession.ended_at.is_(None),
            User.is_active.is_(True),
        )
    )


def log_out(session: Session, token: str) -> None:
    """End the login session for good: a replayed cookie no longer works."""
    with transaction(session):
        session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _token_hash(token), LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def _end_other_sessions(session: Session, user: User, keep_token: str | None) -> None:
    statement = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)
    )
    if keep_token is not None:
        statement = statement.where(LoginSession.token_hash != _token_hash(keep_token))
    session.execute(statement.values(ended_at=utcnow()))


def change_password(
    session: Session, user: User, current: str, new: str, *, keep_token: str | None
) -> None:
    """Change the password; every other login session of the user ends."""
    if not passwords.verify_password(user.password_hash, current):
        raise ValidationProblem("current_password", _("Your current password is not right."))
    problem = passwords.password_problem(new, email=user.email, name=user.full_name)
    if problem:
        raise ValidationProblem("new_password", problem)
    with transaction(session):
        user.password_hash = passwords.hash_password(new)
        user.password_changed_at = utcnow()
        _end_other_sessions(session, user, keep_token)


def request_password_reset(
    session: Session, email: str, link_for: Callable[[str], str], ttl: timedelta
) -> None:
    """Send a one-time reset link if the account exists; say nothing either way.

    A link sent less than `RESEND_AFTER` ago stands (the form sent twice): no second mail.
    """
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        return
    token = new_token()
    minutes = int(ttl.total_seconds() // 60)
    with transaction_holding(session, user):
        now = utcnow()
        just_sent = session.scalar(
            select(PasswordResetToken.id).where(
                PasswordResetToken.user_id == user.id,
                PasswordResetToken.used_at.is_(None),
                PasswordResetToken.created_at > now - RESEND_AFTER,
            )
        )
        if just_sent is not None:
            return
        session.add(
            PasswordResetToken(
                user_id=user.id, token_hash=_token_hash(token), created_at=now, expires_at=now + ttl
            )
        )
        with force_locale(user.language or "en"):  # the reader's language, not the asker's
            outbox.queue(
                session,
                recipient=user.email,
                subject=_("Reset your password"),
                body=_(
                    "Hello %(name)s,\n\nSomeone asked to reset the password of your account on "
                    "the skills portal. If it was you, open this link within %(minutes)d "
                    "minutes:\n\n%(link)s\n\nThe link works once. If it was not you, ignore "
                    "this message: your password stays as it is.",
                    name=user.full_name,
                    minutes=minutes,
                    link=link_for(token),
                ),
            )


def _live_reset_token(session: Session, token: str) -> PasswordResetToken | None:
    return session.scalar(
        select(PasswordResetToken).where(
            PasswordResetToken.token_hash == _token_hash(token),
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > utcnow(),
        )
    )


def reset_token_is_valid(session: Session, token: str) -> bool:
    return _live_reset_token(session, token) is not None


def reset_password(session: Session, token: str, new: str) -> User:
    """Set a new password through a reset link; the link and all login sessions end."""
    reset = _live_reset_token(session, token)
    if reset is None:
        raise DomainError(_("This reset link has expired or was already used. Ask for a new one."))
    user = reset.user
    problem = passwords.password_problem(new, email=user.email, name=user.full_name)
    if problem:
        raise ValidationProblem("new_password", problem)
    with transaction(session):
        claimed = session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.id == reset.id, PasswordResetToken.used_at.is_(None))
            .values(used_at=utcnow())
        )
        if claimed.rowcount != 1:  # the same link used twice at once
            raise DomainError(_("This reset link was already used. Ask for a new one."))
        user.password_hash = passwords.hash_password(new)
        user.password_changed_at = utcnow()
        _end_other_sessions(session, user, keep_token=None)
    return user


def count_by_role(session: Session) -> dict[Role, int]:
    rows = session.execute(select(User.role, func.count()).group_by(User.role)).all()
    counts = dict.fromkeys(Role, 0)
    counts.update({role: count for role, count in rows})
    return counts
