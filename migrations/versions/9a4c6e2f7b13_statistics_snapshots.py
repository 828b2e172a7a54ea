"""statistics snapshots: the dashboard's figures as last computed

Revision ID: 9a4c6e2f7b13
Revises: 5d8e41a0c2b7
Create Date: 2026-11-28 12:40:00.000000

At 100,000 workers counting the statistics takes seconds to tens of seconds; the dashboard shows
the published (suppressed) figures of each view as last computed, and counts again when they
are older than PORTAL_STATISTICS_MAX_AGE or an admin asks (see portal/services/statistics.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision: str = "9a4c6e2f7b13"
down_revision: str | None = "5d8e41a0c2b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "statistics_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("computed_at", portal.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statistics_snapshots")),
        sa.UniqueConstraint("key", name=op.f("uq_statistics_snapshots_key")),
    )
    with op.batch_alter_table("statistics_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statistics_snapshots_computed_at"), ["computed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("statistics_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statistics_snapshots_computed_at"))
    op.drop_table("statistics_snapshots")
