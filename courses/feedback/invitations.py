"""Inviting attendees to give feedback once an event is over: one mail per attendee booking.

Who attended: the bookings whose outcome is ``attended`` or ``partial``. An event whose
attendance was never marked (no marks at all) counts its confirmed bookings once the last
session has ended. A cancelled or draft event invites no one, and neither does a workshop:
its people are asked about the conference (or meeting) it belongs to, once.

Invitations go out from the end of the last session for :data:`SEND_WITHIN`; an event whose
attendance is marked later is caught up within that time. Links work until
:data:`ANSWER_WITHIN` after the last session.

Exactly once, whatever runs it: a batch of bookings is claimed by inserting their invitation
rows (one per booking, a unique key; a concurrent claim of the same booking waits and then
does nothing) in the same transaction that writes their mails. A process killed midway
leaves only whole batches behind; the next run takes the rest.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from booking.bookings.models import Booking, BookingStatus
from booking.core.transactions import write_transaction
from booking.mail.models import OutboxMessage
from booking.mail.services import outbox_row
from courses.attendance.models import AttendanceMark
from courses.feedback.models import FeedbackInvitation
from courses.feedback.services import token_hash
from courses.models import Event, EventKind, EventSession, EventStatus

SEND_WITHIN = timedelta(days=14)
"""How long after the last session invitations are still sent."""
ANSWER_WITHIN = timedelta(days=30)
"""How long after the last session a link works."""
BATCH = 100
"""Bookings claimed and mailed in one transaction."""
TEMPLATE = "feedback_invitation"


@dataclass(frozen=True)
class Invitations:
    events: int
    invited: int


@dataclass(frozen=True)
class DueEvent:
    event_id: int
    ends_at: datetime
    """The end of its last session."""


async def due_events(session: AsyncSession, now: datetime) -> list[DueEvent]:
    """Published events (not workshops) whose last session ended within SEND_WITHIN."""
    recent = (
        select(EventSession.event_id)
        .where(EventSession.ends_at > now - SEND_WITHIN, EventSession.ends_at <= now)
        .distinct()
    )
    rows = await session.execute(
        select(Event.id, func.max(EventSession.ends_at))
        .join(EventSession, EventSession.event_id == Event.id)
        .where(
            Event.id.in_(recent),
            Event.status == EventStatus.PUBLISHED,
            Event.kind != EventKind.WORKSHOP,
        )
        .group_by(Event.id)
        .order_by(Event.id)
    )
    return [DueEvent(event_id, ends) for event_id, ends in rows if ends <= now]


async def attendee_statuses(session: AsyncSession, event_id: int) -> tuple[BookingStatus, ...]:
    """The outcomes that count as attended; with no mark at all, also ``confirmed``."""
    marked = await session.scalar(
        select(AttendanceMark.id)
        .join(Booking, Booking.id == AttendanceMark.booking_id)
        .where(Booking.event_id == event_id)
        .limit(1)
    )
    attended = (BookingStatus.ATTENDED, BookingStatus.PARTIAL)
    return attended if marked is not None else (*attended, BookingStatus.CONFIRMED)


@dataclass(frozen=True)
class Batch:
    found: int
    """Attendees without an invitation that this transaction saw."""
    claimed: int
    """Of these, the ones it invited (the others another process invited meanwhile)."""


async def invite_batch(session: AsyncSession, due: DueEvent, now: datetime) -> Batch:
    """Claim and mail one batch of the event's attendees who have no invitation yet."""
    async with write_transaction(session):
        statuses = await attendee_statuses(session, due.event_id)
        invited = select(FeedbackInvitation.id).where(FeedbackInvitation.booking_id == Booking.id)
        found = list(
            await session.scalars(
                select(Booking.id)
                .where(
                    Booking.event_id == due.event_id,
                    Booking.status.in_(statuses),
                    ~invited.exists(),
                )
                .order_by(Booking.id)
                .limit(BATCH)
            )
        )
        if not found:
            return Batch(0, 0)
        tokens = {booking_id: secrets.token_urlsafe(32) for booking_id in found}
        bind = session.bind
        assert bind is not None
        dialect_insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
        rows = await session.execute(
            dialect_insert(FeedbackInvitation)
            .values(
                [
                    {
                        "event_id": due.event_id,
                        "booking_id": booking_id,
                        "token_hash": token_hash(token),
                        "sent_at": now,
                        "expires_at": due.ends_at + ANSWER_WITHIN,
                        "used": False,
                    }
                    for booking_id, token in tokens.items()
                ]
            )
            .on_conflict_do_nothing(index_elements=["booking_id"])
            .returning(FeedbackInvitation.id, FeedbackInvitation.booking_id)
        )
        claimed = {booking_id: invitation_id for invitation_id, booking_id in rows}
        if not claimed:
            return Batch(len(found), 0)
        bookings = await session.scalars(
            select(Booking)
            .where(Booking.id.in_(claimed))
            .options(selectinload(Booking.member))
            .order_by(Booking.id)
        )
        await session.execute(
            insert(OutboxMessage),
            [
                outbox_row(
                    b.member.email,
                    TEMPLATE,
                    booking_id=b.id,
                    feedback_invitation_id=claimed[b.id],
                    token=tokens[b.id],
                )
                for b in bookings
            ],
        )
    return Batch(len(found), len(claimed))


async def invite(sessions: async_sessionmaker[AsyncSession], now: datetime) -> Invitations:
    """Every invitation that is due, a batch per transaction."""
    async with sessions() as session:
        due = await due_events(session, now)
    total = 0
    for event in due:
        async with sessions() as session:
            while (batch := await invite_batch(session, event, now)).found:
                total += batch.claimed
    return Invitations(events=len(due), invited=total)
