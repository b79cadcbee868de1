"""The booking rules: book, wait, cancel, promote, change capacity (DESIGN.md section 3).

Every function here takes a session, plain values and ``now``; none imports Starlette.
Web pages, the JSON API and the command line call the same functions.

One definition of what occupies a seat: a booking with status ``confirmed``
(:data:`SEAT_STATUSES`). The waiting list is the bookings with status ``waiting`` of an
event, first come first served by booking id (ids are handed out under the event lock).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking import messages
from booking.calendar import invite_sequence
from booking.errors import (
    AlreadyBooked,
    BookingClosed,
    CancellationClosed,
    Forbidden,
    InvalidState,
    NotEligible,
    NotFound,
    ValidationFailed,
)
from booking.formatting import datetime_de
from booking.mail.services import enqueue
from booking.members.models import SECTORS, Member
from booking.models import ACTIVE_STATUSES, Booking
from booking.transactions import write_transaction
from courses.models import Event

SEAT_STATUSES = ("confirmed",)
"""What occupies a seat. Used for the decision and for every "seats left" figure."""


@dataclass(frozen=True)
class Availability:
    capacity: int
    taken: int
    waiting: int

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.taken, 0)


@dataclass(frozen=True)
class BookingResult:
    booking: Booking
    waitlist_position: int | None
    promoted: tuple[Booking, ...] = ()


async def seats_taken(session: AsyncSession, event_id: int) -> int:
    result = await session.execute(
        select(func.count())
        .select_from(Booking)
        .where(Booking.event_id == event_id, Booking.status.in_(SEAT_STATUSES))
    )
    return int(result.scalar_one())


async def availability(session: AsyncSession, events: Sequence[Event]) -> dict[int, Availability]:
    """Seats taken and waiting-list length of many events in one query."""
    if not events:
        return {}
    ids = [e.id for e in events]
    rows = await session.execute(
        select(Booking.event_id, Booking.status, func.count())
        .where(Booking.event_id.in_(ids), Booking.status.in_(("confirmed", "waiting")))
        .group_by(Booking.event_id, Booking.status)
    )
    counts: dict[tuple[int, str], int] = {(e, s): n for e, s, n in rows}
    return {
        e.id: Availability(
            capacity=e.capacity,
            taken=sum(counts.get((e.id, s), 0) for s in SEAT_STATUSES),
            waiting=counts.get((e.id, "waiting"), 0),
        )
        for e in events
    }


async def waitlist_position(session: AsyncSession, booking: Booking) -> int | None:
    if booking.status != "waiting":
        return None
    result = await session.execute(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.event_id == booking.event_id,
            Booking.status == "waiting",
            Booking.id < booking.id,
        )
    )
    return int(result.scalar_one()) + 1


async def waitlist_positions(session: AsyncSession, bookings: Sequence[Booking]) -> dict[int, int]:
    """Position of each waiting booking among many, with one query per event concerned."""
    positions: dict[int, int] = {}
    event_ids = {b.event_id for b in bookings if b.status == "waiting"}
    for event_id in event_ids:
        ids = await session.scalars(
            select(Booking.id)
            .where(Booking.event_id == event_id, Booking.status == "waiting")
            .order_by(Booking.id)
        )
        for position, booking_id in enumerate(ids, start=1):
            positions[booking_id] = position
    return {b.id: positions[b.id] for b in bookings if b.id in positions}


# -- eligibility ------------------------------------------------------------------------------


def booking_window_problem(event: Event, now: datetime) -> str | None:
    """Why the event takes no bookings at ``now`` (rule 6), or None."""
    if event.status == "cancelled":
        return messages.EVENT_CANCELLED
    if event.status != "published":
        return messages.EVENT_NOT_PUBLISHED
    if event.booking_opens_at is not None and now < event.booking_opens_at:
        return messages.BOOKING_NOT_YET_OPEN.format(when=datetime_de(event.booking_opens_at))
    deadline = registration_deadline(event)
    if deadline is not None and now >= deadline:
        return messages.BOOKING_DEADLINE_PASSED.format(when=datetime_de(deadline))
    return None


def registration_deadline(event: Event) -> datetime | None:
    """The explicit deadline, or else the start of the first session."""
    return event.registration_deadline or event.starts_at


def cancellation_deadline(event: Event) -> datetime | None:
    return event.cancellation_deadline or event.starts_at


async def check_eligible(
    session: AsyncSession, event: Event, member: Member, now: datetime
) -> None:
    """Raise the reason why ``member`` may not book ``event`` now; return if they may."""
    problem = booking_window_problem(event, now)
    if problem:
        raise BookingClosed(problem)
    if member.status == "pending":
        raise NotEligible(messages.MEMBER_PENDING)
    if member.status != "active":
        raise NotEligible(messages.MEMBER_INACTIVE)
    sectors = event.target_sectors
    if sectors:
        sector = member.organisation.sector if member.organisation else None
        if sector not in sectors:
            names = ", ".join(SECTORS.get(s, s) for s in sectors)
            raise NotEligible(messages.SECTOR_RESTRICTED.format(sectors=names))
    if event.prerequisite_code:
        await _check_prerequisite(session, event.prerequisite_code, member)
    if event.parent_id is not None:
        await _check_parent_booking(session, event, member)


async def _check_prerequisite(session: AsyncSession, code: str, member: Member) -> None:
    attended = await session.scalar(
        select(Booking.id)
        .join(Event, Event.id == Booking.event_id)
        .where(
            Booking.member_id == member.id,
            Booking.status == "attended",
            Event.course_code == code,
        )
        .limit(1)
    )
    if attended is None:
        title = await session.scalar(
            select(Event.title).where(Event.course_code == code).order_by(Event.id).limit(1)
        )
        raise NotEligible(messages.PREREQUISITE_MISSING.format(course=title or code))


async def _check_parent_booking(session: AsyncSession, event: Event, member: Member) -> None:
    parent_booking = await session.scalar(
        select(Booking.id).where(
            Booking.event_id == event.parent_id,
            Booking.member_id == member.id,
            Booking.status == "confirmed",
        )
    )
    if parent_booking is None:
        parent_title = await session.scalar(select(Event.title).where(Event.id == event.parent_id))
        raise NotEligible(messages.WORKSHOP_NEEDS_PARENT.format(parent=parent_title or ""))


# -- booking ----------------------------------------------------------------------------------


async def lock_event(session: AsyncSession, event_id: int) -> Event:
    """Lock the event row (PostgreSQL ``FOR UPDATE``; SQLite holds the write lock already)."""
    event = await session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .options(selectinload(Event.sectors), selectinload(Event.sessions))
        .with_for_update(of=Event)
        .execution_options(populate_existing=True)
    )
    if event is None:
        raise NotFound(messages.EVENT_NOT_FOUND)
    return event


async def _load_member(session: AsyncSession, member_id: int) -> Member:
    member = await session.scalar(
        select(Member)
        .where(Member.id == member_id)
        .options(selectinload(Member.organisation))
        .execution_options(populate_existing=True)
    )
    if member is None:
        raise NotFound(messages.MEMBER_NOT_FOUND)
    return member


async def _organisation_taken(session: AsyncSession, event_id: int, organisation_id: int) -> int:
    result = await session.execute(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.event_id == event_id,
            Booking.organisation_id == organisation_id,
            Booking.status.in_(SEAT_STATUSES),
        )
    )
    return int(result.scalar_one())


async def book(
    session: AsyncSession, *, event_id: int, member_id: int, now: datetime
) -> BookingResult:
    """Book a seat, or a place on the waiting list when the event (or the organisation's
    share of it) is full. Raises AlreadyBooked, NotEligible, BookingClosed, NotFound, Busy."""
    async with write_transaction(session):
        event = await lock_event(session, event_id)
        if event.status == "draft":
            raise NotFound(messages.EVENT_NOT_FOUND)
        member = await _load_member(session, member_id)
        await check_eligible(session, event, member, now)

        earlier = list(
            await session.scalars(
                select(Booking.status).where(
                    Booking.event_id == event.id, Booking.member_id == member.id
                )
            )
        )
        if any(status in ACTIVE_STATUSES for status in earlier):
            raise AlreadyBooked()

        has_seat = await seats_taken(session, event.id) < event.capacity
        if has_seat and event.seats_per_organisation is not None:
            if member.organisation_id is None:
                has_seat = False
            else:
                taken = await _organisation_taken(session, event.id, member.organisation_id)
                has_seat = taken < event.seats_per_organisation

        booking = Booking(
            event_id=event.id,
            member_id=member.id,
            organisation_id=member.organisation_id,
            status="confirmed" if has_seat else "waiting",
            created_at=now,
            confirmed_at=now if has_seat else None,
            waitlisted_at=None if has_seat else now,
        )
        session.add(booking)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise AlreadyBooked() from exc

        position = None if has_seat else await waitlist_position(session, booking)
        if has_seat:
            sequence = invite_sequence(event.sequence, len(earlier), cancelled=False)
            enqueue(
                session,
                member.email,
                "booking_confirmed",
                booking_id=booking.id,
                method="REQUEST",
                sequence=sequence,
            )
        else:
            enqueue(
                session,
                member.email,
                "booking_waitlisted",
                booking_id=booking.id,
                position=position,
            )
    return BookingResult(booking=booking, waitlist_position=position)


async def promote(session: AsyncSession, event: Event, now: datetime) -> list[Booking]:
    """Give free seats to the first eligible waiting members, in the caller's transaction.

    Idempotent: with no free seat, or nobody eligible waiting, it changes nothing. A waiting
    member whose organisation has used its share of seats is passed over, and keeps their
    place for the next seat that their organisation may take.
    """
    if event.status != "published":
        return []
    free = event.capacity - await seats_taken(session, event.id)
    if free <= 0:
        return []
    waiting = list(
        await session.scalars(
            select(Booking)
            .where(Booking.event_id == event.id, Booking.status == "waiting")
            .order_by(Booking.id)
            .options(selectinload(Booking.member))
        )
    )
    if not waiting:
        return []
    limit = event.seats_per_organisation
    per_org: dict[int | None, int] = {}
    if limit is not None:
        rows = await session.execute(
            select(Booking.organisation_id, func.count())
            .where(Booking.event_id == event.id, Booking.status.in_(SEAT_STATUSES))
            .group_by(Booking.organisation_id)
        )
        per_org = {org: n for org, n in rows}

    promoted: list[Booking] = []
    for booking in waiting:
        if free == 0:
            break
        if booking.member.status != "active":
            continue
        if limit is not None:
            if booking.organisation_id is None:
                continue
            if per_org.get(booking.organisation_id, 0) >= limit:
                continue
            per_org[booking.organisation_id] = per_org.get(booking.organisation_id, 0) + 1
        booking.status = "confirmed"
        booking.confirmed_at = now
        free -= 1
        promoted.append(booking)
        sequence = invite_sequence(
            event.sequence, await earlier_bookings(session, booking), cancelled=False
        )
        enqueue(
            session,
            booking.member.email,
            "booking_promoted",
            booking_id=booking.id,
            method="REQUEST",
            sequence=sequence,
        )
    await session.flush()
    return promoted


async def earlier_bookings(session: AsyncSession, booking: Booking) -> int:
    """How many bookings the member made for this event before this one."""
    result = await session.execute(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.event_id == booking.event_id,
            Booking.member_id == booking.member_id,
            Booking.id < booking.id,
        )
    )
    return int(result.scalar_one())


async def _get_booking(session: AsyncSession, booking_id: int) -> Booking:
    booking = await session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .options(selectinload(Booking.member))
        .execution_options(populate_existing=True)
    )
    if booking is None:
        raise NotFound(messages.BOOKING_NOT_FOUND)
    return booking


async def cancel(
    session: AsyncSession, *, booking_id: int, actor: Member, now: datetime
) -> list[Booking]:
    """Cancel a booking (the member's own, or any for an organiser) and hand the freed seat
    to the waiting list in the same transaction. Returns the bookings promoted."""
    async with write_transaction(session):
        event_id = await session.scalar(select(Booking.event_id).where(Booking.id == booking_id))
        if event_id is None:
            raise NotFound(messages.BOOKING_NOT_FOUND)
        event = await lock_event(session, event_id)
        booking = await _get_booking(session, booking_id)
        by_organiser = actor.is_organiser
        if booking.member_id != actor.id and not by_organiser:
            raise Forbidden(messages.NOT_YOUR_BOOKING)
        if booking.status not in ACTIVE_STATUSES:
            raise InvalidState(messages.BOOKING_NOT_ACTIVE)
        deadline = cancellation_deadline(event)
        if (
            not by_organiser
            and booking.status == "confirmed"
            and deadline is not None
            and now >= deadline
        ):
            raise CancellationClosed()
        by = "member" if booking.member_id == actor.id else "organiser"
        promoted = await _cancel_in_transaction(session, event, booking, now, by=by)
    return promoted


async def _cancel_in_transaction(
    session: AsyncSession, event: Event, booking: Booking, now: datetime, *, by: str
) -> list[Booking]:
    held_seat = booking.status in SEAT_STATUSES
    booking.status = "cancelled"
    booking.cancelled_at = now
    booking.cancelled_by = by
    invite: dict[str, object] = {}
    if held_seat:  # only a confirmed booking had an invitation to withdraw
        earlier = await earlier_bookings(session, booking)
        invite = {
            "method": "CANCEL",
            "sequence": invite_sequence(event.sequence, earlier, cancelled=True),
        }
    enqueue(session, booking.member.email, "booking_cancelled", booking_id=booking.id, **invite)
    await session.flush()
    promoted = await promote(session, event, now) if held_seat else []
    # Workshops need a seat at the conference: leaving it leaves its workshops too.
    workshop_bookings = await session.scalars(
        select(Booking)
        .join(Event, Event.id == Booking.event_id)
        .where(
            Event.parent_id == event.id,
            Booking.member_id == booking.member_id,
            Booking.status.in_(ACTIVE_STATUSES),
        )
        .options(selectinload(Booking.member))
    )
    for workshop_booking in list(workshop_bookings):
        workshop = await lock_event(session, workshop_booking.event_id)
        promoted += await _cancel_in_transaction(session, workshop, workshop_booking, now, by=by)
    return promoted


async def change_limits(
    session: AsyncSession,
    *,
    event_id: int,
    actor: Member,
    now: datetime,
    capacity: int | None = None,
    seats_per_organisation: int | None | object = ...,
) -> list[Booking]:
    """Organisers set capacity and the per-organisation limit. Lowering never removes a
    confirmed participant (rule 5); raising promotes waiting members at once (rule 4)."""
    if not actor.is_organiser:
        raise Forbidden()
    if capacity is not None and not 0 <= capacity <= 100_000:
        raise ValidationFailed(messages.CAPACITY_RANGE, {"capacity": messages.CAPACITY_RANGE})
    async with write_transaction(session):
        event = await lock_event(session, event_id)
        if capacity is not None:
            event.capacity = capacity
        if seats_per_organisation is not ...:
            if seats_per_organisation is not None and (
                not isinstance(seats_per_organisation, int) or seats_per_organisation < 1
            ):
                raise ValidationFailed(
                    messages.SEATS_PER_ORG_RANGE,
                    {"seats_per_organisation": messages.SEATS_PER_ORG_RANGE},
                )
            event.seats_per_organisation = seats_per_organisation
        await session.flush()
        promoted = await promote(session, event, now)
    return promoted


# -- reading ----------------------------------------------------------------------------------


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


async def own_booking(session: AsyncSession, booking_id: int, actor: Member) -> Booking:
    booking = await session.scalar(select(Booking).where(Booking.id == booking_id))
    if booking is None:
        raise NotFound(messages.BOOKING_NOT_FOUND)
    if booking.member_id != actor.id and not actor.is_organiser:
        raise Forbidden(messages.NOT_YOUR_BOOKING)
    return booking
