"""The low-stock job: an item that fell below its threshold is told to the organisers once
per crossing (materials.alerts), however many processes run it."""

from __future__ import annotations

from booking.jobs import messages
from booking.jobs.scheduler import JobContext
from materials.alerts import alert_low_stock


async def low_stock_alerts(context: JobContext) -> str:
    items = await alert_low_stock(context.sessions, context.now)
    return messages.LOW_STOCK_DONE.format(items=items)
