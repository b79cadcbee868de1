"""Reading bookings: seats and waiting lists for pages and the API, a member's bookings,
an event's participants (organisers only), and what mails and invitations load."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from booking.bookings import eligibility, messages
from booking.bookings.models import ACTIVE_STATUSES, SEAT_STATUSES, Booking, BookingStatus
from booking.core.errors import DomainError, Forbidden, NotFound
from booking.members.models import Member
from courses.models import Event


@dataclass(frozen=True)
class Availability:
    capacity: int
    taken: int
    waiting: int

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.taken, 0)


@dataclass
class SeatCounts:
    """Seats taken, per event and per (event, organisation), and waiting-list lengths."""

    taken: Counter[int] = field(default_factory=Counter)
    taken_by_org: Counter[tuple[int, int | None]] = field(default_factory=Counter)
    waiting: Counter[int] = field(default_factory=Counter)


async def seat_counts(session: AsyncSession, event_ids: Collection[int]) -> SeatCounts:
    """What occupies the seats of many events, in one query: the one place where seats are
    counted, for the booking decision and for every "noch 3 Plätze"."""
    counts = SeatCounts()
    if not event_ids:
        return counts
    rows = await session.execute(
        select(Booking.event_id, Booking.organisation_id, Booking.status, func.count())
        .where(
            Booking.event_id.in_(event_ids),
            Booking.status.in_((*SEAT_STATUSES, BookingStatus.WAITING)),
        )
        .group_by(Booking.event_id, Booking.organisation_id, Booking.status)
    )
    for event_id, org_id, status, count in rows:
        if status in SEAT_STATUSES:
            counts.taken[event_id] += count
            counts.taken_by_org[(event_id, org_id)] += count
        else:
            counts.waiting[event_id] += count
    return counts


async def availability(session: AsyncSession, events: Sequence[Event]) -> dict[int, Availability]:
    """Seats taken and waiting-list length of many events in one query."""
    counts = await seat_counts(session, [e.id for e in events])
    return {
        e.id: Availability(
            capacity=e.capacity, taken=counts.taken[e.id], waiting=counts.waiting[e.id]
        )
        for e in events
    }


async def waitlist_positions(session: AsyncSession, bookings: Sequence[Booking]) -> dict[int, int]:
    """Position of each waiting booking among many, in one query for all events concerned."""
    event_ids = {b.event_id for b in bookings if b.status == BookingStatus.WAITING}
    if not event_ids:
        return {}
    position = func.row_number().over(partition_by=Booking.event_id, order_by=Booking.id)
    rows = await session.execute(
        select(Booking.id, position).where(
            Booking.event_id.in_(event_ids), Booking.status == BookingStatus.WAITING
        )
    )
    positions = {booking_id: int(n) for booking_id, n in rows}
    return {b.id: positions[b.id] for b in bookings if b.id in positions}


def with_event_details() -> tuple[LoaderOption, ...]:
    """Loader options: a booking's member, and what a mail or an invitation shows of its event."""
    event = selectinload(Booking.event)
    return (
        selectinload(Booking.member),
        event.selectinload(Event.sessions),
        event.selectinload(Event.venue),
        event.selectinload(Event.room),
        event.selectinload(Event.online_room),
    )


async def booking_with_event(session: AsyncSession, booking_id: int) -> Booking | None:
    return await session.scalar(
        select(Booking).where(Booking.id == booking_id).options(*with_event_details())
    )


async def member_bookings(session: AsyncSession, member_id: int) -> list[Booking]:
    result = await session.scalars(
        select(Booking)
        .where(Booking.member_id == member_id)
        .options(
            selectinload(Booking.event).selectinload(Event.sessions),
            selectinload(Booking.event).selectinload(Event.venue),
        )
        .order_by(Booking.created_at.desc(), Booking.id.desc())
    )
    return list(result)


async def active_booking(session: AsyncSession, event_id: int, member_id: int) -> Booking | None:
    return await session.scalar(
        select(Booking).where(
            Booking.event_id == event_id,
            Booking.member_id == member_id,
            Booking.status.in_(ACTIVE_STATUSES),
        )
    )


async def event_bookings(session: AsyncSession, event_id: int, actor: Member) -> list[Booking]:
    """Every booking of an event, for organisers only (participant lists stay private)."""
    if not actor.is_organiser:
        raise Forbidden()
    if await session.get(Event, event_id) is None:
        raise NotFound(messages.EVENT_NOT_FOUND)
    result = await session.scalars(
        select(Booking)
        .where(Booking.event_id == event_id)
        .options(selectinload(Booking.member), selectinload(Booking.organisation))
        .order_by(Booking.id)
    )
    return list(result)


@dataclass(frozen=True)
class BookingBox:
    """What the booking box of an event shows a visitor or a member: their active booking
    (with its waiting-list position), or why they cannot book now."""

    booking: Booking | None
    position: int | None
    problem: str | None
    """Why booking is not possible now (the window, or this member's eligibility), or None."""
    meeting_link: str | None
    can_cancel: bool

    @property
    def open(self) -> bool:
        """Whether the viewer may book now (for a visitor: whether the event takes bookings)."""
        return self.problem is None and self.booking is None


async def booking_box(
    session: AsyncSession, event: Event, member: Member | None, now: datetime
) -> BookingBox:
    """Can this member book, and why not: the same rules as the booking itself
    (:func:`booking.bookings.eligibility.eligibility_error`), for the event page and the API."""
    problem = eligibility.booking_window_problem(event, now)
    booking = position = None
    if member is not None:
        booking = await active_booking(session, event.id, member.id)
        if booking is not None:
            position = (await waitlist_positions(session, [booking])).get(booking.id)
            problem = None
        elif problem is None:
            try:
                await eligibility.check_eligible(session, event, member, now)
            except DomainError as exc:
                problem = exc.message
    return BookingBox(
        booking=booking,
        position=position,
        problem=problem,
        meeting_link=eligibility.meeting_link(event, booking),
        can_cancel=booking is not None and eligibility.self_cancellation_open(event, booking, now),
    )
