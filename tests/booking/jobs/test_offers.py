"""The offer expiry job: offers past their deadline lapse and the seat goes to the next
waiting member, exactly once however often the job runs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.bookings import services
from booking.bookings.models import Booking
from booking.bookings.workdays import offer_deadline
from booking.core.db import session_factory
from booking.jobs.offers import offer_expiry
from booking.jobs.schedule import JOBS
from booking.jobs.scheduler import JobContext
from booking.mail.models import OutboxMessage
from tests import factories
from tests.factories import NOW


async def test_the_job_lapses_due_offers_and_offers_the_seats_again(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    assert "offer-expiry" in [job.name for job in JOBS]
    events = [await factories.event(db, capacity=2, offer_working_days=2) for _ in range(2)]
    for event in events:
        people = [await factories.member(db) for _ in range(4)]
        ids = [
            (await services.book(db, event_id=event.id, member_id=p.id, now=NOW)).booking.id
            for p in people
        ]
        for booking_id, person in zip(ids[:2], people[:2], strict=True):
            await services.cancel(db, booking_id=booking_id, actor=person, now=NOW)
    later = offer_deadline(NOW, 2) + timedelta(minutes=5)
    sessions = session_factory(engine)

    early = await offer_expiry(JobContext(sessions, offer_deadline(NOW, 2), NOW))
    assert early == "0 Angebot(e) nach Ablauf der Frist verfallen, 0 Platz/Plätze weitergegeben."
    summary = await offer_expiry(JobContext(sessions, later, later))
    assert summary == "4 Angebot(e) nach Ablauf der Frist verfallen, 0 Platz/Plätze weitergegeben."
    again = await offer_expiry(JobContext(sessions, later, later))
    assert again.startswith("0 Angebot(e)")

    await db.commit()
    rows = await db.execute(
        select(Booking.status, Booking.cancelled_by, func.count())
        .group_by(Booking.status, Booking.cancelled_by)
        .order_by(Booking.status, Booking.cancelled_by)
    )
    assert sorted(rows.all(), key=str) == sorted(
        [("cancelled", "member", 4), ("cancelled", "offer_expired", 4)], key=str
    )
    expired = await db.scalar(select(func.count()).where(OutboxMessage.template == "offer_expired"))
    assert expired == 4
