"""Write transactions: waiting for the lock of a booking ends in Busy, never in a hang."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.bookings import services
from booking.bookings.models import Booking
from booking.core.db import begin_write, create_engine, session_factory
from booking.core.errors import Busy
from tests import factories
from tests.factories import NOW


async def test_a_booking_that_waits_too_long_for_the_lock_is_busy(
    db: AsyncSession, engine: AsyncEngine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    event, person = await factories.event(db), await factories.member(db)
    await db.commit()
    monkeypatch.setattr("booking.core.db.LOCK_TIMEOUT_SECONDS", 1)
    impatient = create_engine(database_url)
    try:
        async with session_factory(engine)() as holder:
            await begin_write(holder)
            await services.lock_events(holder, [event.id])  # another booking of the event
            async with session_factory(impatient)() as other:
                started = time.monotonic()
                with pytest.raises(Busy):
                    await services.book(other, event_id=event.id, member_id=person.id, now=NOW)
                assert 0.5 < time.monotonic() - started < 5
            await holder.rollback()
    finally:
        await impatient.dispose()
    assert await db.scalar(select(func.count()).select_from(Booking)) == 0
