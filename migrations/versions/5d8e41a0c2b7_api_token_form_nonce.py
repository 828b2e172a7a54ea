"""api token form nonce: the same token form sent twice makes one token

Revision ID: 5d8e41a0c2b7
Revises: 3f9b2c7d1e4a
Create Date: 2026-11-28 12:40:00.000000

The tokens page carries a one-time value; a token keeps its SHA-256, unique, so a second post of
the same form (a double click, a browser resending it) finds the token the first one made.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d8e41a0c2b7"
down_revision: str | None = "3f9b2c7d1e4a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_nonce_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_api_tokens_form_nonce_hash"), ["form_nonce_hash"]
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_api_tokens_form_nonce_hash"), type_="unique")
        batch_op.drop_column("form_nonce_hash")
