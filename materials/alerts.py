"""The low-stock alert: when an item's stock falls below its threshold, every organiser gets
one mail, once per crossing.

Exactly once, whatever runs it: the items are claimed by a conditional UPDATE (not yet
alerted) that records the crossing on the item, in the same transaction that writes the
mails. A raised stock clears the mark (services.rearm), so the next fall is told again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.core.transactions import write_transaction
from booking.mail.models import OutboxMessage
from booking.mail.services import outbox_row
from booking.members.models import Member
from materials.models import MaterialItem

ORGANISERS_MAX = 200
"""Recipients of one alert: the staff unit is a handful of people."""


async def alert_low_stock(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Tell the organisers of every item newly below its threshold; how many items."""
    async with sessions() as session, write_transaction(session):
        claimed = list(
            await session.scalars(
                update(MaterialItem)
                .where(
                    MaterialItem.active,
                    MaterialItem.low_stock_threshold > 0,
                    MaterialItem.stock < MaterialItem.low_stock_threshold,
                    MaterialItem.low_stock_alerted_at.is_(None),
                )
                .values(low_stock_alerted_at=now)
                .returning(MaterialItem.id)
                .execution_options(synchronize_session=False)
            )
        )
        if not claimed:
            return 0
        organisers = list(
            await session.scalars(
                select(Member.email)
                .where(Member.role == "organiser", Member.status == "active")
                .order_by(Member.id)
                .limit(ORGANISERS_MAX)
            )
        )
        rows = [
            outbox_row(email, "material_low_stock", material_id=item_id)
            for item_id in sorted(claimed)
            for email in organisers
        ]
        if rows:
            await session.execute(insert(OutboxMessage), rows)
    return len(claimed)
