"""The booking rules: book, wait, cancel, promote, change capacity (DESIGN.md section 3).

Every function here takes a session, plain values and ``now``; none imports Starlette.
Web pages, the JSON API and the command line call the same functions.

One definition of what occupies a seat: a booking with status ``confirmed``
(:data:`SEAT_STATUSES`). The waiting list is the bookings with status ``waiting`` of an
event, first come first served by booking id (ids are handed out under the event lock).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from booking.bookings import eligibility, messages, queries
from booking.bookings.eligibility import cancellation_allowed
from booking.bookings.models import (
    ACTIVE_STATUSES,
    SEAT_STATUSES,
    Booking,
    BookingStatus,
    Draw,
)
from booking.bookings.notices import notify
from booking.bookings.promotion import promote
from booking.calendar.itip import invite_sequence
from booking.core.errors import (
    AlreadyBooked,
    CancellationClosed,
    DomainError,
    Forbidden,
    InvalidState,
    NotFound,
    ValidationFailed,
)
from booking.core.text import has_control_characters
from booking.core.transactions import write_transaction
from booking.mail.models import OutboxMessage
from booking.mail.services import outbox_row
from booking.members.models import Member
from booking.members.services import member_by_email, valid_email
from booking.privacy.audit import record
from courses.models import Event, EventStatus


@dataclass(frozen=True)
class BookingResult:
    booking: Booking
    waitlist_position: int | None
    for_draw: bool = False
    """A request that takes part in the event's draw (not one waiting for a release)."""


@dataclass(frozen=True)
class OnBehalf:
    """A booking the back office made, and for whom."""

    member: Member
    booking: Booking
    waitlist_position: int | None


# -- booking ----------------------------------------------------------------------------------


async def lock_events(session: AsyncSession, event_ids: Sequence[int]) -> list[Event]:
    """Lock event rows in id order (PostgreSQL ``FOR UPDATE``; on SQLite the transaction
    holds the database's write lock already). A fixed order keeps two batches from
    waiting on each other."""
    result = await session.scalars(
        select(Event)
        .where(Event.id.in_(event_ids))
        .order_by(Event.id)
        .options(joinedload(Event.sectors), joinedload(Event.sessions))
        .with_for_update(of=Event)
        .execution_options(populate_existing=True)
    )
    return list(result.unique())


async def lock_event(session: AsyncSession, event_id: int) -> Event:
    events = await lock_events(session, [event_id])
    if not events:
        raise NotFound(messages.EVENT_NOT_FOUND)
    return events[0]


def seat_free(
    event: Event,
    counts: queries.SeatCounts,
    organisation_id: int | None,
    *,
    override_limit: bool = False,
) -> bool:
    """Rules 1 and 2: a seat is left, and the organisation has not used its share of them
    (unless the back office passes that over). The one test for booking and release."""
    limit = event.seats_per_organisation
    if counts.taken[event.id] >= event.capacity:
        return False
    if limit is None or override_limit:
        return True
    return organisation_id is not None and counts.taken_by_org[(event.id, organisation_id)] < limit


@dataclass(frozen=True)
class BookingRequest:
    event_id: int
    member_id: int
    now: datetime
    on_behalf: bool = False
    """The back office books for the member (outside the booking window too)."""
    override_limit: bool = False
    """The back office gives a seat beyond the organisation's share (with a kept reason)."""


async def book(
    session: AsyncSession, *, event_id: int, member_id: int, now: datetime
) -> BookingResult:
    """Book a seat, or a place on the waiting list when the event (or the organisation's
    share of it) is full. Raises AlreadyBooked, NotEligible, BookingClosed, NotFound, Busy."""
    [outcome] = await book_many(session, [BookingRequest(event_id, member_id, now)])
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


async def book_many(
    session: AsyncSession, requests: Sequence[BookingRequest]
) -> list[BookingResult | DomainError]:
    """Decide many booking requests in one write transaction, in the order given.

    Each request gets its own outcome: the booking, or the domain error that refused it.
    The facts are loaded once for all requests, under the lock of every event concerned;
    each request then sees the seats taken by the requests before it. This is the only
    place where a booking is decided (:func:`book` is the batch of one).
    """
    async with write_transaction(session):
        outcomes = await _decide(session, requests)
    return outcomes


async def _decide(
    session: AsyncSession, requests: Sequence[BookingRequest]
) -> list[BookingResult | DomainError]:
    event_ids = sorted({r.event_id for r in requests})
    member_ids = {r.member_id for r in requests}
    # Members first: no lock of ours covers their rows, and on PostgreSQL the event rows
    # are then locked for less time (on SQLite the whole transaction is the lock anyway).
    members = {
        m.id: m
        for m in await session.scalars(
            select(Member)
            .where(Member.id.in_(member_ids))
            .options(selectinload(Member.organisation))
            .execution_options(populate_existing=True)
        )
    }
    # A workshop is decided under its conference's lock too: two workshops of one
    # conference at the same time cannot both go to one member by racing.
    parent_ids = await session.scalars(
        select(Event.parent_id).where(Event.id.in_(event_ids), Event.parent_id.is_not(None))
    )
    locked = await lock_events(session, sorted({*event_ids, *(p for p in parent_ids if p)}))
    wanted = set(event_ids)
    by_id = {e.id: e for e in locked}
    # A workshop of a draft conference is not public yet: it cannot be booked either.
    events = {
        e.id: e
        for e in locked
        if e.id in wanted
        and not (e.parent_id is not None and by_id[e.parent_id].status == EventStatus.DRAFT)
    }
    history: dict[tuple[int, int], list[str]] = defaultdict(list)
    for event_id, member_id, status in await session.execute(
        select(Booking.event_id, Booking.member_id, Booking.status)
        .where(Booking.event_id.in_(event_ids), Booking.member_id.in_(member_ids))
        .order_by(Booking.id)
    ):
        history[(event_id, member_id)].append(status)
    counts = await queries.seat_counts(session, event_ids)
    taken, taken_by_org, waiting = counts.taken, counts.taken_by_org, counts.waiting
    known = await eligibility.load_facts(session, events.values(), member_ids)
    undrawn = await _undrawn(session, [e for e in events.values() if e.by_draw])

    outcomes: list[BookingResult | DomainError] = []
    created: list[_Created] = []
    for request in requests:
        event = events.get(request.event_id)
        member = members.get(request.member_id)
        if event is None or event.status == EventStatus.DRAFT:
            outcomes.append(NotFound(messages.EVENT_NOT_FOUND))
            continue
        if member is None:
            outcomes.append(NotFound(messages.MEMBER_NOT_FOUND))
            continue
        error = eligibility.eligibility_error(
            event, member, request.now, known.of(event, member.id), by_organiser=request.on_behalf
        )
        earlier = history[(event.id, member.id)]
        if error is None and any(status in ACTIVE_STATUSES for status in earlier):
            error = AlreadyBooked(messages.THEY_HAVE_BOOKED if request.on_behalf else None)
        if error is not None:
            outcomes.append(error)
            continue
        drawing = event.id in undrawn
        if drawing or (event.requires_release and not request.on_behalf):
            # A request: no seat until the member's organisation releases it (release.py)
            # or the draw allocates the seats (draw.py). The back office's booking before
            # the draw takes part in it, released by the office.
            row: dict[str, Any] = {
                "event_id": event.id,
                "member_id": member.id,
                "organisation_id": member.organisation_id,
                "status": BookingStatus.REQUESTED,
                "created_at": request.now,
                "booked_by": "organiser" if request.on_behalf else None,
                "released_at": request.now
                if request.on_behalf and event.requires_release
                else None,
            }
            if drawing and request.override_limit:
                outcomes.append(ValidationFailed(messages.OVERRIDE_BEFORE_DRAW))
                continue
            booking = Booking(**row)
            created.append(
                _Created(
                    booking, row, member.email, event.sequence, len(earlier), None,
                    draw=drawing, release=event.requires_release and not request.on_behalf,
                )
            )  # fmt: skip
            earlier.append(booking.status)
            known.hold(event, member.id)
            outcomes.append(BookingResult(booking, None, for_draw=drawing))
            continue
        has_seat = seat_free(
            event, counts, member.organisation_id, override_limit=request.override_limit
        )
        row = {
            "event_id": event.id,
            "member_id": member.id,
            "organisation_id": member.organisation_id,
            "status": BookingStatus.CONFIRMED if has_seat else BookingStatus.WAITING,
            "created_at": request.now,
            "confirmed_at": request.now if has_seat else None,
            "waitlisted_at": None if has_seat else request.now,
            "booked_by": "organiser" if request.on_behalf else None,
        }
        booking = Booking(**row)
        position = None
        if has_seat:
            taken[event.id] += 1
            taken_by_org[(event.id, member.organisation_id)] += 1
        else:
            waiting[event.id] += 1
            position = waiting[event.id]
        created.append(_Created(booking, row, member.email, event.sequence, len(earlier), position))
        earlier.append(booking.status)
        known.hold(event, member.id)
        outcomes.append(BookingResult(booking=booking, waitlist_position=position))

    if created:
        await _insert(session, created)
    return outcomes


REASON_MAX = 1000


def checked_reason(
    text: str, *, required: bool, missing: str = messages.OVERRIDE_REASON_MISSING
) -> str:
    """A reason an organiser gives: one paragraph, kept in the audit log."""
    reason = text.strip()
    if has_control_characters(reason.replace("\n", " ").replace("\r", " ")):
        raise ValidationFailed(messages.REASON_INVALID, fields={"reason": messages.REASON_INVALID})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            messages.REASON_TOO_LONG, fields={"reason": messages.REASON_TOO_LONG}
        )
    if required and not reason:
        raise ValidationFailed(missing, fields={"reason": missing})
    return reason


async def book_on_behalf(
    session: AsyncSession,
    *,
    event_id: int,
    email: str,
    actor: Member,
    now: datetime,
    override_limit: bool = False,
    reason: str = "",
) -> OnBehalf:
    """The back office books a member: the seat rules apply (a seat, or the waiting list),
    the booking window does not (until the event is over). With ``override_limit`` the
    organisation's share of seats is passed over, for a reason that the audit log keeps."""
    if not actor.is_organiser:
        raise Forbidden(messages.ON_BEHALF_FORBIDDEN)
    reason = checked_reason(reason, required=override_limit)
    address = valid_email(email)
    if address is None:
        raise ValidationFailed(messages.EMAIL_INVALID, fields={"email": messages.EMAIL_INVALID})
    async with write_transaction(session):
        member = await member_by_email(session, address)
        if member is None:
            raise ValidationFailed(
                messages.MEMBER_UNKNOWN, fields={"email": messages.MEMBER_UNKNOWN}
            )
        request = BookingRequest(
            event_id, member.id, now, on_behalf=True, override_limit=override_limit
        )
        [outcome] = await _decide(session, [request])
        if isinstance(outcome, DomainError):
            raise outcome
        after: dict[str, Any] = {"status": outcome.booking.status}
        if outcome.waitlist_position is not None:
            after["position"] = outcome.waitlist_position
        if override_limit:
            after["limit_overridden"] = True
        record(
            session,
            actor=actor,
            action="booking_on_behalf",
            now=now,
            event_id=event_id,
            member_id=member.id,
            booking_id=outcome.booking.id,
            after=after,
            reason=reason,
        )
    return OnBehalf(member, outcome.booking, outcome.waitlist_position)


@dataclass(frozen=True)
class _Created:
    booking: Booking
    row: dict[str, Any]
    email: str
    event_sequence: int
    earlier: int
    position: int | None
    draw: bool = False
    """A request for the event's draw."""
    release: bool = False
    """A request that waits for the organisation's release: its coordinators are told."""


async def _insert(session: AsyncSession, created: list[_Created]) -> None:
    """Write a batch's bookings and their mails with one multi-row INSERT each. Booking ids
    (the waiting-list order) follow the order of the requests."""
    ids = await insert_bookings(session, [item.row for item in created])
    mails = []
    for item, booking_id in zip(created, ids, strict=True):
        item.booking.id = booking_id
        if item.booking.status == BookingStatus.CONFIRMED:
            sequence = invite_sequence(item.event_sequence, item.earlier, cancelled=False)
            template = "booking_confirmed"
            context: dict[str, object] = {
                "booking_id": booking_id,
                "method": "REQUEST",
                "sequence": sequence,
            }
        elif item.booking.status == BookingStatus.REQUESTED:
            template = "draw_requested" if item.draw else "booking_requested"
            context = {"booking_id": booking_id}
        else:
            template = "booking_waitlisted"
            context = {"booking_id": booking_id, "position": item.position}
        mails.append(outbox_row(item.email, template, **context))
    requests = [item.booking for item in created if item.release]
    if requests:
        mails += await _tell_coordinators(session, requests)
    await session.execute(insert(OutboxMessage), mails)


async def _undrawn(session: AsyncSession, events: Sequence[Event]) -> set[int]:
    """Of events that allocate by draw, those not drawn yet: bookings are requests there."""
    if not events:
        return set()
    drawn = set(
        await session.scalars(
            select(Draw.event_id).where(Draw.event_id.in_([e.id for e in events]))
        )
    )
    return {e.id for e in events} - drawn


async def _tell_coordinators(
    session: AsyncSession, requests: Sequence[Booking]
) -> list[dict[str, Any]]:
    """A mail to each coordinator of the requesting members' organisations, per request (one
    query for the batch). Organisations without a coordinator: the organisers see the
    request on their list of open requests."""
    organisations = {b.organisation_id for b in requests if b.organisation_id is not None}
    if not organisations:
        return []
    coordinators: defaultdict[int, list[str]] = defaultdict(list)
    for organisation_id, email in await session.execute(
        select(Member.organisation_id, Member.email).where(
            Member.organisation_id.in_(organisations),
            Member.role == "coordinator",
            Member.status == "active",
        )
    ):
        if organisation_id is not None:
            coordinators[organisation_id].append(email)
    return [
        outbox_row(email, "release_requested", booking_id=b.id)
        for b in requests
        if b.organisation_id is not None
        for email in coordinators[b.organisation_id]
    ]


async def insert_bookings(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    """Insert booking rows; their ids, ascending in the order of ``rows``.

    PostgreSQL numbers the rows in parameter order within one statement. SQLite cannot tie
    RETURNING rows to parameters, and SQLAlchemy would send one INSERT per row instead; but
    the writer holds SQLite's only write lock, so the next free ids are known and given.
    """
    bind = session.bind
    assert bind is not None
    if bind.dialect.name != "sqlite":
        return list(
            await session.scalars(
                insert(Booking).returning(Booking.id, sort_by_parameter_order=True), rows
            )
        )
    last = await session.scalar(select(func.max(Booking.id)))
    ids = list(range((last or 0) + 1, (last or 0) + 1 + len(rows)))
    await session.execute(
        insert(Booking),
        [{**row, "id": booking_id} for row, booking_id in zip(rows, ids, strict=True)],
    )
    return ids


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
    session: AsyncSession, *, booking_id: int, actor: Member, now: datetime, reason: str = ""
) -> list[Booking]:
    """Cancel a booking (the member's own, or any for an organiser) and hand the freed seat
    to the waiting list in the same transaction. Returns the bookings promoted. An
    organiser removing someone else's booking is recorded in the audit log, with the reason
    given (which the member's mail states too)."""
    reason = checked_reason(reason, required=False)
    async with write_transaction(session):
        event_id = await session.scalar(select(Booking.event_id).where(Booking.id == booking_id))
        if event_id is None:
            raise NotFound(messages.BOOKING_NOT_FOUND)
        event = await lock_event(session, event_id)
        booking = await _get_booking(session, booking_id)
        if booking.member_id != actor.id and not actor.is_organiser:
            raise Forbidden(messages.NOT_YOUR_BOOKING)
        if booking.status not in ACTIVE_STATUSES:
            raise InvalidState(messages.BOOKING_NOT_ACTIVE)
        if not cancellation_allowed(event, booking, actor, now):
            raise CancellationClosed()
        own = booking.member_id == actor.id
        if not own:
            record(
                session,
                actor=actor,
                action="booking_removed",
                now=now,
                event_id=event.id,
                member_id=booking.member_id,
                booking_id=booking.id,
                before={"status": booking.status},
                after={"status": BookingStatus.CANCELLED},
                reason=reason,
            )
        by = "member" if own else "organiser"
        if own and booking.status == BookingStatus.OFFERED:
            by = "offer_declined"  # cancelling an offered seat is declining it
        promoted = await cancel_in_transaction(
            session, event, booking, now, by=by, reason="" if own else reason
        )
    return promoted


async def cancel_in_transaction(
    session: AsyncSession,
    event: Event,
    booking: Booking,
    now: datetime,
    *,
    by: str,
    reason: str = "",
) -> list[Booking]:
    held_seat = booking.status in SEAT_STATUSES
    extra = {"reason": reason} if reason else {}
    await notify(session, event, [booking], "booking_cancelled", method="CANCEL", **extra)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = by
    await session.flush()
    promoted = await promote(session, event, now) if held_seat else []
    # Workshops need a seat at the conference: leaving it leaves its workshops too.
    for workshop_booking in await queries.workshop_bookings_under(session, booking):
        workshop = await lock_event(session, workshop_booking.event_id)
        promoted += await cancel_in_transaction(
            session, workshop, workshop_booking, now, by=by, reason=reason
        )
    return promoted
