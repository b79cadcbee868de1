"""Outbox: dead letters (failed_at) and a stable Message-ID (message_key)

Revision ID: 0003
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        # Rows written before this revision keep an empty key; the sender derives their
        # Message-ID from the row's id and creation time, which is just as stable.
        batch_op.add_column(
            sa.Column("message_key", sa.String(length=32), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("message_key")
        batch_op.drop_column("failed_at")
