"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from portal.models.accounts import (
    LoginAttempt,
    LoginSession,
    Organisation,
    OrganisationKind,
    PasswordResetToken,
    Role,
    User,
)
from portal.models.base import Base
from portal.models.outbox import OutboxMessage

__all__ = [
    "Base",
    "LoginAttempt",
    "LoginSession",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "PasswordResetToken",
    "Role",
    "User",
]
