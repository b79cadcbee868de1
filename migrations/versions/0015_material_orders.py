"""Material orders: the catalogue's rules (unit, picture, who may order, yearly limit, low
stock, active) and orders with their workflow

The catalogue's items keep their rows (name, description, stock); the order tables were never
written to and are made again in their new shape.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 00:52:51.182832+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0015'
down_revision: str | Sequence[str] | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "status IN ('received', 'approved', 'shipped', 'rejected', 'cancelled')"


def _drop_orders() -> None:
    with op.batch_alter_table('material_order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_order_lines_order_id'))
    op.drop_table('material_order_lines')
    with op.batch_alter_table('material_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_orders_member_id'))
    op.drop_table('material_orders')


def upgrade() -> None:
    _drop_orders()
    with op.batch_alter_table('material_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit', sa.String(length=40), server_default='Stück', nullable=False))
        batch_op.add_column(sa.Column('picture', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('emergency_services_only', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('yearly_limit', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('low_stock_threshold', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('low_stock_alerted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.drop_column('max_per_order')
        batch_op.create_check_constraint(op.f('ck_material_items_yearly_limit'), 'yearly_limit IS NULL OR yearly_limit > 0')
        batch_op.create_check_constraint(op.f('ck_material_items_low_stock_threshold'), 'low_stock_threshold >= 0')
        batch_op.create_index('uq_material_items_name', ['name'], unique=True)
    # Door wedges are for the Einsatzkräfte only.
    op.execute("UPDATE material_items SET emergency_services_only = true WHERE lower(name) LIKE '%keil%'")

    op.create_table('material_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('delivery_address', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('shipped_on', sa.Date(), nullable=True),
    sa.Column('tracking_note', sa.String(length=500), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint(STATUSES, name=op.f('ck_material_orders_status')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_material_orders_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_material_orders_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_orders'))
    )
    with op.batch_alter_table('material_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_orders_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_material_orders_organisation', ['organisation_id', 'year'], unique=False)
        batch_op.create_index('ix_material_orders_status', ['status', 'id'], unique=False)

    op.create_table('material_order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_material_order_lines_quantity')),
    sa.ForeignKeyConstraint(['item_id'], ['material_items.id'], name=op.f('fk_material_order_lines_item_id_material_items')),
    sa.ForeignKeyConstraint(['order_id'], ['material_orders.id'], name=op.f('fk_material_order_lines_order_id_material_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_order_lines')),
    sa.UniqueConstraint('order_id', 'item_id', name=op.f('uq_material_order_lines_order_id'))
    )
    with op.batch_alter_table('material_order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_order_lines_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_material_order_lines_order_id'), ['order_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('material_order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_order_lines_item_id'))
        batch_op.drop_index(batch_op.f('ix_material_order_lines_order_id'))
    op.drop_table('material_order_lines')
    with op.batch_alter_table('material_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_material_orders_status')
        batch_op.drop_index('ix_material_orders_organisation')
        batch_op.drop_index(batch_op.f('ix_material_orders_member_id'))
    op.drop_table('material_orders')

    with op.batch_alter_table('material_items', schema=None) as batch_op:
        batch_op.drop_index('uq_material_items_name')
        batch_op.drop_constraint(op.f('ck_material_items_low_stock_threshold'), type_='check')
        batch_op.drop_constraint(op.f('ck_material_items_yearly_limit'), type_='check')
        batch_op.add_column(sa.Column('max_per_order', sa.INTEGER(), nullable=True))
        batch_op.drop_column('active')
        batch_op.drop_column('low_stock_alerted_at')
        batch_op.drop_column('low_stock_threshold')
        batch_op.drop_column('yearly_limit')
        batch_op.drop_column('emergency_services_only')
        batch_op.drop_column('picture')
        batch_op.drop_column('unit')

    op.create_table('material_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('delivery_address', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('received', 'shipped', 'cancelled')", name=op.f('ck_material_orders_status')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_material_orders_member_id_members')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_material_orders_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_orders'))
    )
    with op.batch_alter_table('material_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_orders_member_id'), ['member_id'], unique=False)
    op.create_table('material_order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_material_order_lines_quantity')),
    sa.ForeignKeyConstraint(['item_id'], ['material_items.id'], name=op.f('fk_material_order_lines_item_id_material_items')),
    sa.ForeignKeyConstraint(['order_id'], ['material_orders.id'], name=op.f('fk_material_order_lines_order_id_material_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_order_lines'))
    )
    with op.batch_alter_table('material_order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_order_lines_order_id'), ['order_id'], unique=False)
