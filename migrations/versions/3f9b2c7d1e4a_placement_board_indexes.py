"""placement board indexes: newest first, of one state or of all

Revision ID: 3f9b2c7d1e4a
Revises: ab36da5f972a
Create Date: 2026-11-28 11:20:00.000000

The admins' placement board lists placements newest first (created_at, id), of one state or of
all, a page at a time. Without an index PostgreSQL sorted every placement for each page (45-60
ms at 71,000 placements, benchmarks/load.py). (state, created_at, id) replaces the index on
state alone, whose queries it serves as well.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3f9b2c7d1e4a"
down_revision: str | None = "ab36da5f972a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_index("ix_placements_state")
        batch_op.create_index(
            "ix_placements_state_newest", ["state", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_placements_newest", ["created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_index("ix_placements_newest")
        batch_op.drop_index("ix_placements_state_newest")
        batch_op.create_index("ix_placements_state", ["state"], unique=False)
