"""Open orders as a table for the dispatch office (booking.core.spreadsheets writes it as CSV or
XLSX): one row per item of each received or approved order, the oldest order first. Read a
chunk of orders at a time (keyset on the id)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.core.formatting import local
from booking.core.spreadsheets import Table, Value
from booking.members.models import Member
from materials import messages
from materials.checks import require_organiser
from materials.models import OPEN_STATUSES, MaterialOrder, MaterialOrderLine

CHUNK = 200


def export_filename(today: date) -> str:
    return messages.EXPORT_FILENAME.format(day=today.isoformat())


async def open_orders_table(session: AsyncSession, actor: Member, *, chunk: int = CHUNK) -> Table:
    require_organiser(actor)
    rows: list[list[Value]] = []
    last = 0
    while True:
        orders = list(
            await session.scalars(
                select(MaterialOrder)
                .where(MaterialOrder.status.in_(OPEN_STATUSES), MaterialOrder.id > last)
                .order_by(MaterialOrder.id)
                .limit(chunk)
                .options(
                    selectinload(MaterialOrder.lines).selectinload(MaterialOrderLine.item),
                    selectinload(MaterialOrder.organisation),
                )
            )
        )
        for order in orders:
            address = ", ".join(order.delivery_address.splitlines())
            for line in order.lines:
                rows.append([
                    order.number, local(order.created_at).replace(tzinfo=None),
                    messages.STATUS_LABELS[order.status], order.organisation.name, address,
                    order.contact, line.item.name, line.quantity, line.item.unit, order.note,
                ])  # fmt: skip
        if len(orders) < chunk:
            break
        last = orders[-1].id
    return Table(
        title=messages.EXPORT_SHEET, sheet=messages.EXPORT_SHEET, header=messages.EXPORT_HEADER,
        rows=rows,
    )  # fmt: skip
