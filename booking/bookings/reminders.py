"""Reminders before an event: each confirmed participant is mailed once, the event's
``reminder_days`` before its first session (default 2; 0: none), with the invitation
and, for an online event, the meeting link.

Exactly once, whatever runs it: a batch of bookings is claimed by a conditional UPDATE
(``reminded_at`` still empty) in the same transaction that writes their mails, so two
processes never claim the same booking, and a process killed midway leaves only whole
batches behind; the next run takes the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from booking.bookings.models import Booking, BookingStatus
from booking.bookings.notices import notify
from booking.core.transactions import write_transaction
from courses.models import Event, EventSession, EventStatus
from courses.services import with_details

LONGEST = timedelta(days=30)
"""The most days before an event a reminder may go out (events.reminder_days)."""
BATCH = 100
"""Bookings claimed and mailed in one transaction."""


@dataclass(frozen=True)
class Reminded:
    events: int
    bookings: int


async def due_events(session: AsyncSession, now: datetime) -> list[int]:
    """Published events with reminders whose first session lies ahead within their
    reminder days."""
    soon = (
        select(EventSession.event_id)
        .where(EventSession.starts_at > now, EventSession.starts_at <= now + LONGEST)
        .distinct()
    )
    rows = await session.execute(
        select(Event.id, Event.reminder_days, func.min(EventSession.starts_at))
        .join(EventSession, EventSession.event_id == Event.id)
        .where(
            Event.id.in_(soon),
            Event.status == EventStatus.PUBLISHED,
            Event.reminder_days > 0,
        )
        .group_by(Event.id, Event.reminder_days)
    )
    return [
        event_id
        for event_id, days, first in rows
        if first > now and first - timedelta(days=days) <= now
    ]


async def remind_event(session: AsyncSession, event_id: int, now: datetime) -> int:
    """Claim and mail one batch of the event's confirmed, unreminded bookings; how many."""
    async with write_transaction(session):
        waiting = (
            select(Booking.id)
            .where(
                Booking.event_id == event_id,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.reminded_at.is_(None),
            )
            .order_by(Booking.id)
            .limit(BATCH)
        )
        claimed = list(
            await session.scalars(
                update(Booking)
                .where(Booking.id.in_(waiting.scalar_subquery()), Booking.reminded_at.is_(None))
                .values(reminded_at=now)
                .returning(Booking.id)
                .execution_options(synchronize_session=False)
            )
        )
        if not claimed:
            return 0
        event = await session.scalar(with_details(select(Event).where(Event.id == event_id)))
        assert event is not None
        bookings = list(
            await session.scalars(
                select(Booking)
                .where(Booking.id.in_(claimed))
                .options(selectinload(Booking.member))
                .order_by(Booking.id)
            )
        )
        await notify(session, event, bookings, "booking_reminder", method="REQUEST")
    return len(claimed)


async def remind(sessions: async_sessionmaker[AsyncSession], now: datetime) -> Reminded:
    """Every reminder that is due, a batch per transaction."""
    async with sessions() as session:
        event_ids = await due_events(session, now)
    total = 0
    for event_id in event_ids:
        async with sessions() as session:
            while sent := await remind_event(session, event_id, now):
                total += sent
    return Reminded(events=len(event_ids), bookings=total)
