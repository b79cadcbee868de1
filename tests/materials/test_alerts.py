"""The low-stock alert: every organiser once per crossing, re-armed when the stock is back at
or above the threshold; two runs at once tell nobody twice."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.core.db import session_factory
from booking.mail.models import OutboxMessage
from materials.alerts import alert_low_stock
from materials.orders import Line, change_status, place_order
from materials.services import update_item
from tests import factories
from tests.factories import NOW
from tests.materials.factories import address, item, orderer


async def alerts(db: AsyncSession) -> list[tuple[str, int]]:
    await db.commit()
    rows = await db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.template == "material_low_stock")
        .order_by(OutboxMessage.id)
    )
    return [(m.recipient, m.context["material_id"]) for m in rows]


async def test_once_per_crossing_to_every_organiser(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as db:
        first = await factories.member(db, role="organiser")
        second = await factories.member(db, role="organiser")
        await factories.member(db, role="organiser", status="pending")
        org, person = await orderer(db)
        wedges = await item(db, stock=30, low_stock_threshold=25)
        calm = await item(db, stock=30, low_stock_threshold=0)
        quiet = await item(db, stock=1, low_stock_threshold=25, active=False)
        assert await alert_low_stock(sessions, NOW) == 0
        order = await place_order(
            db, actor=person, lines=[Line(wedges.id, 10), Line(calm.id, 30)],
            delivery_address=address(org), contact="Wache", now=NOW,
        )  # fmt: skip
        # Two runs at once: one claims the crossing.
        counted = await asyncio.gather(
            alert_low_stock(sessions, NOW), alert_low_stock(sessions, NOW)
        )
        assert sorted(counted) == [0, 1]
        assert await alerts(db) == [(first.email, wedges.id), (second.email, wedges.id)]
        assert await alert_low_stock(sessions, NOW) == 0  # still low: told already

        # Back above the threshold (the order cancelled) re-arms; the next fall is told again.
        await change_status(db, actor=person, order_id=order.id, status="cancelled", now=NOW)
        assert await alert_low_stock(sessions, NOW) == 0
        organiser = await factories.member(db, role="organiser")
        await update_item(db, actor=organiser, item_id=wedges.id, stock=24)
        assert await alert_low_stock(sessions, NOW) == 1
        assert len(await alerts(db)) == 5  # two, then three organisers
        assert quiet.id not in {item_id for _, item_id in await alerts(db)}


async def test_the_job_reports_in_german(engine: AsyncEngine) -> None:
    from booking.jobs.scheduler import JobContext
    from booking.jobs.stock import low_stock_alerts

    sessions = session_factory(engine)
    async with sessions() as db:
        await item(db, stock=2, low_stock_threshold=5)
    context = JobContext(sessions=sessions, now=NOW, due_at=NOW)
    assert await low_stock_alerts(context) == "1 Artikel unter der Meldegrenze gemeldet."
