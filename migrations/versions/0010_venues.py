"""Venues: a barrier-free toilet only where access is step-free; unique names

A venue's new fact ``accessible_toilet`` (false for every venue so far) may only be true
where ``step_free`` is; a venue's name is unique in its city, a room's name in its venue,
an online room's name overall.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 21:12:10.349623+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('online_rooms', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_online_rooms_name'), ['name'])

    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_rooms_venue_name', ['venue_id', 'name'])

    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('accessible_toilet', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_check_constraint(
            op.f('ck_venues_toilet_needs_step_free'), 'step_free OR NOT accessible_toilet'
        )
        batch_op.create_unique_constraint('uq_venues_name_city', ['name', 'city'])


def downgrade() -> None:
    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.drop_constraint('uq_venues_name_city', type_='unique')
        batch_op.drop_constraint(op.f('ck_venues_toilet_needs_step_free'), type_='check')
        batch_op.drop_column('accessible_toilet')

    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_constraint('uq_rooms_venue_name', type_='unique')

    with op.batch_alter_table('online_rooms', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_online_rooms_name'), type_='unique')
