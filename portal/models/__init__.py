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
from portal.models.taxonomy import (
    Concept,
    ConceptBroader,
    ConceptKind,
    ConceptLabel,
    LearnedLabel,
    LearnedLabelConfirmation,
    OccupationSkillLink,
    SkillRelationLink,
    TaxonomyVersion,
)

__all__ = [
    "Base",
    "Concept",
    "ConceptBroader",
    "ConceptKind",
    "ConceptLabel",
    "LearnedLabel",
    "LearnedLabelConfirmation",
    "LoginAttempt",
    "LoginSession",
    "OccupationSkillLink",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "PasswordResetToken",
    "Role",
    "SkillRelationLink",
    "TaxonomyVersion",
    "User",
]
