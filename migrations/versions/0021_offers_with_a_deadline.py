"""Offers with a deadline: an event's working days to accept a freed seat; offered bookings

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 04:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("requested", "confirmed", "waiting", "cancelled", "attended", "partial", "no_show")
NEW_STATUSES = (
    "requested", "confirmed", "offered", "waiting", "cancelled", "attended", "partial", "no_show"
)  # fmt: skip
ACTIVE_OLD = "status IN ('requested', 'confirmed', 'waiting') AND anonymised_at IS NULL"
ACTIVE_NEW = (
    "status IN ('requested', 'confirmed', 'offered', 'waiting') AND anonymised_at IS NULL"
)
OFFERED = "status = 'offered'"


def _statuses(keys: Sequence[str]) -> str:
    return "status IN ({})".format(", ".join(f"'{key}'" for key in keys))


def _active_index(batch_op: object, where: str) -> None:
    batch_op.create_index(  # type: ignore[attr-defined]
        "uq_bookings_one_active_per_member",
        ["event_id", "member_id"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.drop_constraint(op.f("ck_bookings_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_bookings_status"), _statuses(NEW_STATUSES))
        batch_op.drop_index(
            "uq_bookings_one_active_per_member",
            sqlite_where=sa.text(ACTIVE_OLD),
            postgresql_where=sa.text(ACTIVE_OLD),
        )
        _active_index(batch_op, ACTIVE_NEW)
        batch_op.create_index(
            "ix_bookings_open_offers",
            ["offer_expires_at"],
            unique=False,
            sqlite_where=sa.text(OFFERED),
            postgresql_where=sa.text(OFFERED),
        )

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offer_working_days", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_events_offer_working_days"),
            "offer_working_days IS NULL OR offer_working_days BETWEEN 1 AND 10",
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_events_offer_working_days"), type_="check")
        batch_op.drop_column("offer_working_days")

    # An open offer goes back to the waiting list, where it came from.
    op.execute(sa.text("UPDATE bookings SET status = 'waiting' WHERE status = 'offered'"))
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_bookings_open_offers",
            sqlite_where=sa.text(OFFERED),
            postgresql_where=sa.text(OFFERED),
        )
        batch_op.drop_index(
            "uq_bookings_one_active_per_member",
            sqlite_where=sa.text(ACTIVE_NEW),
            postgresql_where=sa.text(ACTIVE_NEW),
        )
        _active_index(batch_op, ACTIVE_OLD)
        batch_op.drop_constraint(op.f("ck_bookings_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_bookings_status"), _statuses(OLD_STATUSES))
        batch_op.drop_column("offer_expires_at")
        batch_op.drop_column("offered_at")
