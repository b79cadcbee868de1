"""Organisers change an event that people booked: one transaction, mails included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import changes, services
from booking.bookings.models import Booking
from booking.core.errors import ValidationFailed
from booking.mail.models import OutboxMessage
from courses.models import Event, EventSession
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

    await changes.cancel_event(db, event_id=conference.id, actor=organiser, now=NOW)

    await db.commit()
    rows = await db.execute(select(Booking.status, Booking.cancelled_by))
    assert sorted(rows.all()) == [("cancelled", "organiser")] * 4


async def test_a_refused_change_leaves_sessions_limits_and_mails_untouched(
    db: AsyncSession,
) -> None:
    event = await factories.event(db, capacity=1)
    seated, waiting = await factories.member(db), await factories.member(db)
    organiser = await factories.member(db, role="organiser")
    await services.book(db, event_id=event.id, member_id=seated.id, now=NOW)
    await services.book(db, event_id=event.id, member_id=waiting.id, now=NOW)
    sitting = event.sessions[0]
    before = (event.sequence, sitting.starts_at, sitting.sequence)
    mails_before = await db.scalar(select(func.count()).select_from(OutboxMessage))
    moved = changes.SessionChange(
        sitting.id, sitting.starts_at + timedelta(days=1), sitting.ends_at + timedelta(days=1)
    )

    with pytest.raises(ValidationFailed):
        await changes.change_event(
            db, event_id=event.id, actor=organiser, now=NOW, sessions=[moved], capacity=-1
        )

    db.expunge_all()
    again = await db.get(Event, event.id)
    assert again is not None
    [kept] = (await db.scalars(select(EventSession).where(EventSession.event_id == event.id))).all()
    assert (again.capacity, again.sequence, kept.starts_at, kept.sequence) == (1, *before)
    assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == mails_before


async def test_moving_sessions_and_adding_seats_is_one_change(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=1)
    seated, waiting = await factories.member(db), await factories.member(db)
    organiser = await factories.member(db, role="organiser")
    await services.book(db, event_id=event.id, member_id=seated.id, now=NOW)
    second = await services.book(db, event_id=event.id, member_id=waiting.id, now=NOW)
    sitting = event.sessions[0]
    moved = changes.SessionChange(
        sitting.id, sitting.starts_at + timedelta(days=1), sitting.ends_at + timedelta(days=1)
    )

    changed = await changes.change_event(
        db, event_id=event.id, actor=organiser, now=NOW, sessions=[moved], capacity=2
    )

    assert [b.id for b in changed.promoted] == [second.booking.id]
    assert changed.event.sessions[0].starts_at == moved.starts_at
    mails = (
        await db.execute(
            select(OutboxMessage.recipient, OutboxMessage.template).order_by(OutboxMessage.id)
        )
    ).all()
    assert mails[-3:] == [
        (seated.email, "event_changed"),
        (waiting.email, "event_changed"),
        (waiting.email, "booking_promoted"),
    ]
