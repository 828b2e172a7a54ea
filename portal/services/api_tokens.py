"""API tokens: keys that let another system call the API as the user who made them.

A token carries exactly its creator's rights (the API asks the same services as the pages), so
only users who act for an organisation, and admins, may make them. The secret is shown once and
kept only as a SHA-256 hash; a revoked or expired token, or one whose account is deactivated,
opens nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from portal.errors import Forbidden, NotFound, ValidationProblem
from portal.models import ApiToken, AuditAction, Role, User
from portal.models.accounts import API_TOKEN_NAME_MAX
from portal.models.base import utcnow
from portal.services import audit
from portal.services._tx import transaction, transaction_holding

SUBJECT = "api-token"
TOKEN_ROLES = frozenset({Role.ADMIN, Role.EMPLOYER, Role.PROVIDER})
"""Who may hold tokens: those who act for an organisation, and admins."""

SECRET_START = "spt_"  # noqa: S105 - "skills portal token", recognisable by secret scanners
PREFIX_LENGTH = len(SECRET_START) + 8
SECRET_MAX = 200  # longer Authorization values are not tokens; no need to hash them
LIVE_TOKENS_MAX = 25
USE_RECORDED_EVERY = timedelta(minutes=1)
"""`last_used_at` is written at most this often per token: a busy client costs no write per call."""
SHOWN_AGAIN_WITHIN = timedelta(minutes=10)
"""How long the same form sent again shows the token it made again (a double click, a browser
resending the form after a lost answer); later it only says the token exists."""


@dataclass(frozen=True, slots=True)
class FormNonce:
    """The one-time value of the form a token is made with, and the key its secret is derived
    with. The same form sent twice then finds the first token and can show its secret again,
    without the portal ever storing a secret: only the nonce's hash is kept, the nonce itself
    exists only in the page, and the key (the application's secret key) only on the server."""

    value: str
    key: bytes

    def secret(self, user_id: int) -> str:
        message = f"api-token\0{user_id}\0{self.value}".encode()
        digest = hmac.new(self.key, message, hashlib.sha256).digest()
        return SECRET_START + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just made: `secret` exists only here, to be shown once."""

    token: ApiToken
    secret: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_hold_tokens(user: User) -> bool:
    return user.role in TOKEN_ROLES and user.is_active


def _live(now: datetime) -> list[ColumnElement[bool]]:
    return [
        ApiToken.revoked_at.is_(None),
        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
    ]


def create_token(
    session: Session,
    user: User,
    name: str,
    *,
    expires_at: datetime | None = None,
    nonce: FormNonce | None = None,
) -> NewToken:
    """A new token for `user`, named so that they recognise it later.

    With the `nonce` of the form it was asked for, the same form sent again returns the token
    the first one made (its secret shown again for `SHOWN_AGAIN_WITHIN`, then a problem that
    says where it is) instead of making a second one; without, the secret is random."""
    if not may_hold_tokens(user):
        raise Forbidden(_("Only administrators, employers and labour providers use the API."))
    name = " ".join(name.split())
    if not name:
        raise ValidationProblem("name", _("Name the token, for example after the system using it."))
    if len(name) > API_TOKEN_NAME_MAX:
        raise ValidationProblem(
            "name", _("Use at most %(max)d characters.", max=API_TOKEN_NAME_MAX)
        )
    now = utcnow()
    if expires_at is not None and expires_at <= now:
        raise ValidationProblem("expires_at", _("The token must expire in the future."))
    nonce_hash = _hash(nonce.value) if nonce is not None else None
    with transaction_holding(session, user):  # the same form sent twice at once: one at a time
        if nonce is not None:
            made = session.scalars(
                select(ApiToken).where(
                    ApiToken.user_id == user.id, ApiToken.form_nonce_hash == nonce_hash
                )
            ).one_or_none()
            if made is not None:
                return _made_already(made, nonce.secret(user.id), now)
        live = session.scalars(
            select(ApiToken.id).where(ApiToken.user_id == user.id, *_live(now))
        ).all()
        if len(live) >= LIVE_TOKENS_MAX:
            raise ValidationProblem(
                "name",
                _(
                    "You have %(max)d tokens in use already. Revoke one you no longer need first.",
                    max=LIVE_TOKENS_MAX,
                ),
            )
        secret = (
            nonce.secret(user.id) if nonce is not None else SECRET_START + secrets.token_urlsafe(32)
        )
        token = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=_hash(secret),
            prefix=secret[:PREFIX_LENGTH],
            form_nonce_hash=nonce_hash,
            created_at=now,
            expires_at=expires_at,
        )
        session.add(token)
        session.flush()
        audit.record(session, user, AuditAction.CREATED, SUBJECT, token.id, token.prefix)
    return NewToken(token, secret)


def _made_already(token: ApiToken, secret: str, now: datetime) -> NewToken:
    """The token a form made before, shown again if it is recent and live and the secret still
    derives to it (it does not once the application's key has changed)."""
    if (
        is_live(token, now)
        and now - token.created_at <= SHOWN_AGAIN_WITHIN
        and hmac.compare_digest(_hash(secret), token.token_hash)
    ):
        return NewToken(token, secret)
    raise ValidationProblem(
        "name",
        _(
            "This form already made the token “%(name)s” (listed below), and its secret cannot "
            "be shown again. If you did not keep it, revoke that token and make a new one.",
            name=token.name,
        ),
    )


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included (they say so)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def token_for(session: Session, user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens, or NotFound."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("There is no such token, or it is not yours."))
    return token


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Stop a token for good (revoking a revoked token changes nothing)."""
    token = token_for(session, user, token_id)
    if token.revoked_at is not None:
        return token
    with transaction(session):
        token.revoked_at = utcnow()
        audit.record(session, user, AuditAction.CHANGED, SUBJECT, token.id, "revoked")
    return token


def is_live(token: ApiToken, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)


def user_for_token(session: Session, secret: str) -> User | None:
    """The user a presented secret acts as, or None: unknown, revoked, expired, or the account
    is deactivated or may no longer hold tokens. Records when the token was last used."""
    if not secret.startswith(SECRET_START) or len(secret) > SECRET_MAX:
        return None
    now = utcnow()
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _hash(secret), *_live(now), User.is_active.is_(True))
    ).first()
    if row is None:
        return None
    token, user = row
    if not may_hold_tokens(user):
        return None
    stale = or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - USE_RECORDED_EVERY)
    if token.last_used_at is None or token.last_used_at < now - USE_RECORDED_EVERY:
        session.commit()  # end the reads: SQLite (WAL) queues a transaction that starts writing
        with transaction(session):
            session.execute(
                update(ApiToken)
                .where(ApiToken.id == token.id, stale)  # once, if several calls come at once
                .values(last_used_at=now)
                .execution_options(synchronize_session=False)
            )
    return user
