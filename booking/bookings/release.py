"""The organisation's release (Freigabe): on events that require it, a member's booking starts
as a request (``requested``, no seat); their organisation's coordinator releases or declines
it. Organisations without a coordinator are released by the network's organisers (who may
release any request). A coordinator may also hand a confirmed seat to a colleague.

A release decides the request as a booking is decided (DESIGN.md rules 1–4): a seat if one is
free and the organisation's share allows it, else the waiting list — behind everyone waiting
at the moment of release, in the order of release (the list's ranks,
:data:`booking.bookings.models.WAITLIST_ORDER`). Requests not released by the release
deadline lapse (:func:`lapse_due`, a job), each member told once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from booking.bookings import eligibility, messages, queries, waitlist
from booking.bookings.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    Draw,
)
from booking.bookings.notices import notify
from booking.bookings.services import (
    cancel_in_transaction,
    checked_reason,
    insert_bookings,
    lock_event,
    seat_free,
)
from booking.core.errors import (
    AlreadyBooked,
    BookingClosed,
    Forbidden,
    InvalidState,
    NotFound,
    ValidationFailed,
)
from booking.core.transactions import write_transaction
from booking.members.models import Member
from booking.members.services import member_by_email, valid_email
from booking.privacy.audit import record
from courses.models import Allocation, Event, EventSession, EventStatus

LAPSE_BATCH = 100
"""Requests lapsed and mailed in one transaction."""


def release_deadline(event: Event) -> datetime | None:
    """Until when requests may be released: the event's release deadline, else its
    registration deadline (else its start)."""
    return event.release_deadline or eligibility.registration_deadline(event)


def may_release(actor: Member, booking: Booking) -> bool:
    """Organisers release any request; a coordinator those of their own organisation."""
    if actor.is_organiser:
        return True
    return actor.coordinates is not None and actor.coordinates == booking.organisation_id


async def _decidable(
    session: AsyncSession, booking_id: int, actor: Member, status: BookingStatus
) -> tuple[Event, Booking]:
    """The booking (locked with its event) if ``actor`` may decide on it and it is in
    ``status``: 404, 403 or 409 otherwise."""
    event, booking = await _locked_booking(session, booking_id)
    if not may_release(actor, booking):
        raise Forbidden(messages.NOT_YOUR_ORGANISATION)
    if booking.status != status:
        wrong = messages.NOT_A_REQUEST if status == BookingStatus.REQUESTED else None
        raise InvalidState(wrong or messages.NOT_CONFIRMED)
    if status == BookingStatus.REQUESTED and not event.requires_release:
        # A request for a draw on an event without the release: the draw decides it.
        raise InvalidState(messages.NOT_A_REQUEST)
    return event, booking


async def _locked_booking(session: AsyncSession, booking_id: int) -> tuple[Event, Booking]:
    event_id = await session.scalar(select(Booking.event_id).where(Booking.id == booking_id))
    if event_id is None:
        raise NotFound(messages.BOOKING_NOT_FOUND)
    event = await lock_event(session, event_id)
    booking = await session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .options(selectinload(Booking.member))
        .execution_options(populate_existing=True)
    )
    assert booking is not None
    return event, booking


def _by(actor: Member) -> str:
    return "organiser" if actor.is_organiser else "coordinator"


@dataclass(frozen=True)
class Released:
    booking: Booking
    waitlist_position: int | None
    """None: the member got a seat (or, before a draw, the request takes part in it)."""


async def release(
    session: AsyncSession, *, booking_id: int, actor: Member, now: datetime
) -> Released:
    """Release a request: a seat, or the end of the waiting list."""
    async with write_transaction(session):
        event, booking = await _decidable(session, booking_id, actor, BookingStatus.REQUESTED)
        if event.status != EventStatus.PUBLISHED:
            raise BookingClosed(messages.EVENT_CANCELLED)
        deadline = release_deadline(event)
        if deadline is not None and now >= deadline:
            raise BookingClosed(messages.RELEASE_DEADLINE_PASSED)
        if booking.released_at is not None:
            raise InvalidState(messages.ALREADY_RELEASED)
        counts = await queries.seat_counts(session, [event.id])
        booking.released_at = now
        position = None
        if await _draw_ahead(session, event):
            # The draw decides: the released request takes part in it, without a seat.
            await notify(session, event, [booking], "draw_requested", released=True)
        elif seat_free(event, counts, booking.organisation_id):
            booking.status = BookingStatus.CONFIRMED
            booking.confirmed_at = now
            await notify(session, event, [booking], "booking_confirmed", method="REQUEST")
        else:
            position = await _append_to_waitlist(session, event, booking)
            booking.status = BookingStatus.WAITING
            booking.waitlisted_at = now
            await notify(session, event, [booking], "booking_waitlisted", position=position)
        record(
            session,
            actor=actor,
            action="booking_released",
            now=now,
            event_id=event.id,
            member_id=booking.member_id,
            booking_id=booking.id,
            before={"status": BookingStatus.REQUESTED},
            after={
                "status": booking.status,
                **({"position": position} if position else {}),
                **({"draw": True} if booking.status == BookingStatus.REQUESTED else {}),
            },
        )
        await session.flush()
    return Released(booking, position)


async def _draw_ahead(session: AsyncSession, event: Event) -> bool:
    """Whether the event allocates by draw and has not been drawn yet."""
    if not event.by_draw:
        return False
    drawn = await session.scalar(select(exists().where(Draw.event_id == event.id)))
    return not drawn


async def _append_to_waitlist(session: AsyncSession, event: Event, booking: Booking) -> int:
    """Rank the event's waiting list as it stands and put ``booking`` behind it, so that a
    request released late waits behind everyone already waiting (its id is older than
    theirs); bookings arriving later line up behind it. Returns its position."""
    line = await waitlist.waiting_line(session, event.id)
    await waitlist.rank(session, [row.id for row in line], {r.id: r.waitlist_rank for r in line})
    booking.waitlist_rank = len(line) + 1
    return len(line) + 1


async def decline(
    session: AsyncSession, *, booking_id: int, actor: Member, now: datetime, reason: str
) -> Booking:
    """Decline a request with a reason, which the member's mail states."""
    reason = checked_reason(reason, required=True, missing=messages.DECLINE_REASON_MISSING)
    async with write_transaction(session):
        event, booking = await _decidable(session, booking_id, actor, BookingStatus.REQUESTED)
        await notify(session, event, [booking], "booking_declined", reason=reason)
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = _by(actor)
        record(
            session,
            actor=actor,
            action="booking_declined",
            now=now,
            event_id=event.id,
            member_id=booking.member_id,
            booking_id=booking.id,
            before={"status": BookingStatus.REQUESTED},
            after={"status": BookingStatus.CANCELLED},
            reason=reason,
        )
        await session.flush()
    return booking


@dataclass(frozen=True)
class Substituted:
    cancelled: Booking
    booking: Booking


async def substitute(
    session: AsyncSession, *, booking_id: int, email: str, actor: Member, now: datetime
) -> Substituted:
    """Hand a confirmed seat to another member of the same organisation: the seat moves
    without passing through the waiting list. The first member gets a CANCEL, the
    substitute a REQUEST; the substitute must meet the event's rules (sector, prerequisite)
    and hold no booking of it yet."""
    address = valid_email(email)
    if address is None:
        raise ValidationFailed(messages.EMAIL_INVALID, fields={"email": messages.EMAIL_INVALID})
    async with write_transaction(session):
        event, booking = await _decidable(session, booking_id, actor, BookingStatus.CONFIRMED)
        if event.status != EventStatus.PUBLISHED:
            raise BookingClosed(messages.EVENT_CANCELLED)
        if event.starts_at is not None and now >= event.starts_at:
            raise BookingClosed(messages.SUBSTITUTE_TOO_LATE)
        member = await member_by_email(session, address)
        if member is None:
            raise ValidationFailed(
                messages.MEMBER_UNKNOWN, fields={"email": messages.MEMBER_UNKNOWN}
            )
        if member.organisation_id is None or member.organisation_id != booking.organisation_id:
            raise ValidationFailed(
                messages.SUBSTITUTE_OTHER_ORGANISATION,
                fields={"email": messages.SUBSTITUTE_OTHER_ORGANISATION},
            )
        held = await session.scalar(
            select(Booking.id).where(
                Booking.event_id == event.id,
                Booking.member_id == member.id,
                Booking.status.in_(ACTIVE_STATUSES),
            )
        )
        if held is not None:
            raise AlreadyBooked(messages.THEY_HAVE_BOOKED)
        known = await eligibility.load_facts(session, [event], {member.id})
        error = eligibility.eligibility_error(
            event, member, now, known.of(event, member.id), by_organiser=True
        )
        if error is not None:
            raise error
        # The first member leaves (their workshops with them); the seat is not given to the
        # waiting list but to the substitute, in the same transaction.
        await notify(
            session,
            event,
            [booking],
            "booking_cancelled",
            method="CANCEL",
            reason=messages.HANDED_ON.format(name=member.display_name),
        )
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = _by(actor)
        for workshop_booking in await queries.workshop_bookings_under(session, booking):
            workshop = await lock_event(session, workshop_booking.event_id)
            await cancel_in_transaction(session, workshop, workshop_booking, now, by=_by(actor))
        row = {
            "event_id": event.id,
            "member_id": member.id,
            "organisation_id": member.organisation_id,
            "status": BookingStatus.CONFIRMED,
            "created_at": now,
            "confirmed_at": now,
            "released_at": now if event.requires_release else None,
        }
        [new_id] = await insert_bookings(session, [row])
        await session.flush()
        successor = await session.scalar(
            select(Booking).where(Booking.id == new_id).options(selectinload(Booking.member))
        )
        assert successor is not None
        await notify(session, event, [successor], "booking_confirmed", method="REQUEST")
        record(
            session,
            actor=actor,
            action="booking_substituted",
            now=now,
            event_id=event.id,
            member_id=booking.member_id,
            booking_id=booking.id,
            before={"status": BookingStatus.CONFIRMED},
            after={"status": BookingStatus.CANCELLED, "successor": member.email},
        )
        await session.flush()
    return Substituted(booking, successor)


# -- lapsing ----------------------------------------------------------------------------------


def _deadline_sql() -> ColumnElement[datetime]:
    """:func:`release_deadline` in SQL, for the job that finds the lapsed requests."""
    first_start = (
        select(func.min(EventSession.starts_at))
        .where(EventSession.event_id == Event.id)
        .correlate(Event)
        .scalar_subquery()
    )
    return func.coalesce(Event.release_deadline, Event.registration_deadline, first_start)


async def _lapse_batch(session: AsyncSession, now: datetime) -> int:
    """Claim and mail one batch of requests past their release deadline; how many.

    The claim is a conditional UPDATE (still ``requested``) in the transaction that writes
    the mails: two processes never lapse one request twice, and a process killed midway
    leaves whole batches behind."""
    async with write_transaction(session):
        due = (
            select(Booking.id)
            .join(Event, Event.id == Booking.event_id)
            .where(
                Booking.status == BookingStatus.REQUESTED,
                Event.requires_release.is_(True),
                # Requests for a draw are decided (or lapsed) by the draw itself; once drawn,
                # later requests lapse as on any other event.
                or_(
                    Event.allocation != Allocation.DRAW,
                    exists().where(Draw.event_id == Event.id),
                ),
                _deadline_sql() <= now,
            )
            .order_by(Booking.id)
            .limit(LAPSE_BATCH)
        )
        claimed = list(
            await session.scalars(
                update(Booking)
                .where(
                    Booking.id.in_(due.scalar_subquery()),
                    Booking.status == BookingStatus.REQUESTED,
                )
                .values(status=BookingStatus.CANCELLED, cancelled_at=now, cancelled_by="lapsed")
                .returning(Booking.id)
                .execution_options(synchronize_session=False)
            )
        )
        if not claimed:
            return 0
        bookings = list(
            await session.scalars(
                select(Booking)
                .where(Booking.id.in_(claimed))
                .options(selectinload(Booking.member), selectinload(Booking.event))
                .order_by(Booking.id)
            )
        )
        for booking in bookings:
            await notify(session, booking.event, [booking], "booking_request_lapsed")
    return len(claimed)


async def lapse_due(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Every request past its release deadline lapses, a batch per transaction; how many."""
    total = 0
    async with sessions() as session:
        while done := await _lapse_batch(session, now):
            total += done
    return total
