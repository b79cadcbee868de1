"""Programme services: calling an event off."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import services
from booking.bookings.models import Booking
from courses import services as courses
from tests import factories
from tests.factories import NOW


async def test_calling_an_event_off_cancels_every_active_booking_and_its_workshops(
    db: AsyncSession,
) -> None:
    conference = await factories.event(db, kind="conference", capacity=1)
    workshop = await factories.event(db, kind="workshop", parent_id=conference.id)
    seated, waiting, asked = [await factories.member(db) for _ in range(3)]
    organiser = await factories.member(db, role="organiser")
    await services.book(db, event_id=conference.id, member_id=seated.id, now=NOW)
    await services.book(db, event_id=conference.id, member_id=waiting.id, now=NOW)
    await services.book(db, event_id=workshop.id, member_id=seated.id, now=NOW)
    db.add(
        Booking(
            event_id=conference.id,
            member_id=asked.id,
            organisation_id=asked.organisation_id,
            status="requested",
            created_at=NOW,
        )
    )
    await db.commit()

    await courses.cancel_event(db, event_id=conference.id, actor=organiser, now=NOW)

    await db.commit()
    rows = await db.execute(select(Booking.status, Booking.cancelled_by))
    assert sorted(rows.all()) == [("cancelled", "organiser")] * 4
