"""The promotion sweep: free seats go to the first eligible waiting members (STYLE habit 4).

Promotion happens in the transaction that frees a seat (a cancellation, a capacity change).
The sweep catches what that moment left: a seat that no one could take then (the waiting
members' organisations had used their share, a member's access was not yet approved) and
any seat freed outside the booking rules. Each event is promoted by the same
:func:`booking.bookings.promotion.promote`, in a write transaction of its own under the
event lock, so the sweep is idempotent and may be stopped anywhere: what it did is
committed, what it did not it does at the next run.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.bookings import queries
from booking.bookings.promotion import promote
from booking.bookings.services import lock_event
from booking.core.errors import Busy, NotFound
from booking.core.transactions import write_transaction
from booking.jobs import messages
from booking.jobs.scheduler import GIVE_WAY_SECONDS, GiveWay, JobContext


@dataclass(frozen=True)
class SweepResult:
    events: int
    """Events looked at: published, a seat free, someone waiting, a session still to come."""
    promoted: list[int]
    """Ids of the bookings that got a seat."""
    busy: int = 0
    """Events whose lock could not be had in time; the next run takes them."""


async def sweep(
    sessions: async_sessionmaker[AsyncSession], now: datetime, give_way: GiveWay | None = None
) -> SweepResult:
    """Promote on every event that may have a seat for someone waiting."""
    async with sessions() as session:
        event_ids = await queries.events_to_promote(session, now)
    loop = asyncio.get_running_loop()
    give_way_until = loop.time() + GIVE_WAY_SECONDS
    promoted: list[int] = []
    busy = 0
    for event_id in event_ids:
        if give_way is not None:
            await give_way(max(0.0, give_way_until - loop.time()))
        try:
            async with sessions() as session, write_transaction(session):
                event = await lock_event(session, event_id)
                bookings = await promote(session, event, now)
        except NotFound:  # deleted since it was listed
            continue
        except Busy:
            busy += 1
            continue
        promoted += [booking.id for booking in bookings]
    return SweepResult(events=len(event_ids), promoted=promoted, busy=busy)


async def promotion_sweep(context: JobContext) -> str:
    result = await sweep(context.sessions, context.now, context.give_way)
    summary = messages.SWEEP_DONE.format(events=result.events, promoted=len(result.promoted))
    if result.busy:
        summary += " " + messages.SWEEP_BUSY.format(busy=result.busy)
    return summary
