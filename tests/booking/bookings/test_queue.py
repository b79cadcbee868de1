from __future__ import annotations

import asyncio

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.bookings.models import Booking
from booking.bookings.queue import BookingQueue
from booking.core.db import session_factory, utcnow
from booking.core.errors import AlreadyBooked
from booking.members.tokens import issue_api_tokens
from tests import factories
from tests.factories import NOW


async def test_concurrent_bookings_through_the_queue(db: AsyncSession, engine: AsyncEngine) -> None:
    event = await factories.event(db, capacity=5)
    org = await factories.organisation(db)
    people = [await factories.member(db, org) for _ in range(30)]
    queue = BookingQueue(session_factory(engine))
    calls = [queue.book(event_id=event.id, member_id=p.id, now=NOW) for p in people]
    calls.append(queue.book(event_id=event.id, member_id=people[0].id, now=NOW))
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert isinstance(results[-1], AlreadyBooked)
    statuses = [r.booking.status for r in results[:-1] if not isinstance(r, BaseException)]
    assert statuses == ["confirmed"] * 5 + ["waiting"] * 25
    positions = [r.waitlist_position for r in results[5:-1] if not isinstance(r, BaseException)]
    assert positions == list(range(1, 26))
    await db.commit()
    ids = list(await db.scalars(select(Booking.member_id).order_by(Booking.id)))
    assert ids == [p.id for p in people]  # booking ids follow arrival order


async def test_token_lookups_share_a_query(db: AsyncSession, engine: AsyncEngine) -> None:
    people = [await factories.member(db) for _ in range(3)]
    issued = await issue_api_tokens(db, emails=[p.email for p in people], now=utcnow())
    tokens = [i.token for i in issued]
    queue = BookingQueue(session_factory(engine))
    lookups: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "FROM api_tokens" in statement:
            lookups.append(statement)

    sa_event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        found = await asyncio.gather(
            *(queue.member_for_token(t) for t in [*tokens, "sid_unknown", "garbage"])
        )
    finally:
        sa_event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert [m.id if m else None for m in found] == [p.id for p in people] + [None, None]
    assert found[0] is not None and found[0].organisation is not None
    assert len(lookups) == 1
