"""The coordinator role

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 00:48:07.632296+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0014'
down_revision: str | Sequence[str] | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_members_role'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_members_role'), "role IN ('member', 'trainer', 'coordinator', 'organiser')"
        )


def downgrade() -> None:
    op.execute("UPDATE members SET role = 'member' WHERE role = 'coordinator'")
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_members_role'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_members_role'), "role IN ('member', 'trainer', 'organiser')"
        )
