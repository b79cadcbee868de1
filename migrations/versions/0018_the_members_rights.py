"""The member's rights: sign-in tracking for inactive members, anonymised bookings

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 01:35:32.206191+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE_OLD = "status IN ('requested', 'confirmed', 'waiting')"
ACTIVE_NEW = ACTIVE_OLD + " AND anonymised_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_index(
            "uq_bookings_one_active_per_member",
            sqlite_where=sa.text(ACTIVE_OLD),
            postgresql_where=sa.text(ACTIVE_OLD),
        )
        batch_op.create_index(
            "uq_bookings_one_active_per_member",
            ["event_id", "member_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE_NEW),
            postgresql_where=sa.text(ACTIVE_NEW),
        )

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_signed_in_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("stay_asked_at", sa.DateTime(timezone=True), nullable=True))
    # Nobody's sign-ins were recorded before: count from the account's creation.
    op.execute("UPDATE members SET last_signed_in_at = created_at")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.alter_column(
            "last_signed_in_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index(
            batch_op.f("ix_members_last_signed_in_at"), ["last_signed_in_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_last_signed_in_at"))
        batch_op.drop_column("stay_asked_at")
        batch_op.drop_column("last_signed_in_at")

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_bookings_one_active_per_member",
            sqlite_where=sa.text(ACTIVE_NEW),
            postgresql_where=sa.text(ACTIVE_NEW),
        )
        batch_op.create_index(
            "uq_bookings_one_active_per_member",
            ["event_id", "member_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE_OLD),
            postgresql_where=sa.text(ACTIVE_OLD),
        )
        batch_op.drop_column("anonymised_at")
