"""Users, their organisations, login sessions and the traces that keep accounts safe."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, enum_by_value, utcnow

EMAIL_MAX = 254
NAME_MAX = 200
LANGUAGE_CODE_MAX = 8


class Role(StrEnum):
    WORKER = "worker"
    PROVIDER = "provider"  # a labour provider
    EMPLOYER = "employer"
    ADMIN = "admin"


class OrganisationKind(StrEnum):
    EMPLOYER = "employer"
    PROVIDER = "provider"


ROLE_OF_ORGANISATION_KIND = {
    OrganisationKind.EMPLOYER: Role.EMPLOYER,
    OrganisationKind.PROVIDER: Role.PROVIDER,
}


class Organisation(Base):
    """An employer or a labour provider; an admin verifies it before it acts in public."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_by_value(OrganisationKind))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    licence_number: Mapped[str | None] = mapped_column(String(100))
    licence_checked_on: Mapped[date | None]
    sector: Mapped[str | None] = mapped_column(String(1))  # ISCO-08 major group code
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    contact_email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)  # stored lower-cased
    full_name: Mapped[str] = mapped_column(String(NAME_MAX))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_by_value(Role))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the language the user chose for pages and mail (a code of LANGUAGES); None: the browser's
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_CODE_MAX))

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")


class LoginSession(Base):
    """A server-side record of one login, so that logging out really ends it."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """One login try, kept to slow down guessing per account and per address."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    ip: Mapped[str] = mapped_column(String(45))
    succeeded: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PasswordResetToken(Base):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


API_TOKEN_NAME_MAX = 100


class ApiToken(Base):
    """A key another system (a public employment service's) calls the API with, acting as the
    user who made it, with exactly that user's rights.

    Only the secret's SHA-256 hash is kept; `prefix`, its first characters, tells tokens apart.
    `form_nonce_hash` is the SHA-256 of the one-time value of the form that made it, so that the
    same form sent twice makes one token (see `services.api_tokens.create_token`).
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(API_TOKEN_NAME_MAX))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    form_nonce_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
