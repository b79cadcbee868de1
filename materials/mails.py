"""What the material mails show: the order with its lines and the orderer, or the item that
ran low, read fresh when the message is sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.mail.render import Loaded
from booking.settings import Settings
from materials.models import MaterialItem, MaterialOrder, MaterialOrderLine


async def order_context(
    session: AsyncSession, settings: Settings, stored: Mapping[str, Any]
) -> Loaded:
    """For messages whose context names a ``material_order_id``."""
    order = await session.scalar(
        select(MaterialOrder)
        .where(MaterialOrder.id == int(stored["material_order_id"]))
        .options(
            selectinload(MaterialOrder.lines).selectinload(MaterialOrderLine.item),
            selectinload(MaterialOrder.organisation),
            selectinload(MaterialOrder.member),
        )
    )
    if order is None or order.member is None:
        raise LookupError("order or orderer is gone")
    return Loaded({"order": order, "orderer": order.member})


async def item_context(
    session: AsyncSession, settings: Settings, stored: Mapping[str, Any]
) -> Loaded:
    """For messages whose context names a ``material_id``."""
    item = await session.get(MaterialItem, int(stored["material_id"]))
    if item is None:
        raise LookupError("item is gone")
    return Loaded({"item": item})
