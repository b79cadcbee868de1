"""Reading bookings: seats and waiting lists for pages and the API, a member's bookings,
an event's participants (organisers only), and what mails and invitations load."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, ScalarSelect, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, joinedload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from booking.bookings import eligibility, messages
from booking.bookings.models import (
    ACTIVE_STATUSES,
    RANK_LAST,
    SEAT_STATUSES,
    WAITLIST_ORDER,
    Booking,
    BookingStatus,
)
from booking.core.errors import DomainError, Forbidden, InvalidState, NotFound
from booking.core.paging import Page, after_key, decode_cursor, encode_cursor
from booking.members.models import Member
from courses.models import Event, EventSession, EventStatus


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


def seats_taken(event_id: ColumnElement[int] | QueryableAttribute[int]) -> ScalarSelect[int]:
    """The seats taken of the event ``event_id`` names, as SQL, for filters such as "only
    with free seats": the same statuses that :func:`seat_counts` counts."""
    return (
        select(func.count())
        .where(Booking.event_id == event_id, Booking.status.in_(SEAT_STATUSES))
        .scalar_subquery()
    )


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
    position = func.row_number().over(partition_by=Booking.event_id, order_by=WAITLIST_ORDER)
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


async def member_bookings_page(
    session: AsyncSession, member_id: int, *, cursor: str | None, limit: int
) -> Page[Booking]:
    """A member's bookings, newest first, a page at a time (the API's ``/me/bookings``)."""
    order = (Booking.created_at, Booking.id)
    query = select(Booking).where(Booking.member_id == member_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    if cursor:
        key = decode_cursor(cursor, (datetime, int))
        query = query.where(after_key(order, key, descending=True))
    rows = list(
        await session.scalars(
            query.options(selectinload(Booking.event).selectinload(Event.sessions))
            .order_by(Booking.created_at.desc(), Booking.id.desc())
            .limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    return Page(rows, encode_cursor(last.created_at, last.id) if last else None, total)


PAST_WINDOW = timedelta(days=730)
"""How far back "Meine Buchungen" shows bookings of events that are over."""


async def member_bookings(session: AsyncSession, member_id: int, now: datetime) -> list[Booking]:
    """A member's bookings, newest first, with what "Meine Buchungen" shows: those of events
    not over yet, and of events that ended within :data:`PAST_WINDOW`."""
    recent = select(EventSession.event_id).where(EventSession.ends_at > now - PAST_WINDOW)
    event = selectinload(Booking.event)
    result = await session.scalars(
        select(Booking)
        .where(Booking.member_id == member_id, Booking.event_id.in_(recent))
        .options(
            event.selectinload(Event.sessions),
            event.selectinload(Event.venue),
            event.selectinload(Event.parent),
        )
        .order_by(Booking.created_at.desc(), Booking.id.desc())
    )
    return list(result)


@dataclass
class BookingEntry:
    """One line of "Meine Buchungen": a booking, and the member's workshop bookings of the
    same conference beneath it."""

    booking: Booking
    workshops: list[Booking] = field(default_factory=list)


@dataclass(frozen=True)
class MemberOverview:
    upcoming: list[BookingEntry]
    """Active bookings of events not yet over, by their first session."""
    past: list[BookingEntry]
    """Cancelled bookings and those of events that are over, the most recent first."""


def is_upcoming(booking: Booking, now: datetime) -> bool:
    ends = booking.event.ends_at
    return booking.status in ACTIVE_STATUSES and (ends is None or ends > now)


def arrange_member_bookings(bookings: Sequence[Booking], now: datetime) -> MemberOverview:
    """Upcoming bookings by date, past ones after (most recent first); a workshop booking
    goes beneath the member's booking of its conference in the same part of the page, and
    stands alone when there is none."""

    def start(booking: Booking) -> float:
        starts = booking.event.starts_at
        return starts.timestamp() if starts is not None else float("inf")

    upcoming = sorted((b for b in bookings if is_upcoming(b, now)), key=lambda b: (start(b), b.id))
    past = sorted(
        (b for b in bookings if not is_upcoming(b, now)), key=lambda b: (-start(b), -b.id)
    )
    return MemberOverview(_grouped(upcoming), _grouped(past))


def _grouped(bookings: list[Booking]) -> list[BookingEntry]:
    events = {b.event_id for b in bookings}
    entries = [BookingEntry(b) for b in bookings if b.event.parent_id not in events]
    heads: dict[int, BookingEntry] = {}
    for entry in entries:  # an event booked twice (once cancelled): the first heads it
        heads.setdefault(entry.booking.event_id, entry)
    for booking in bookings:
        parent = booking.event.parent_id
        if parent is not None and parent in heads:
            heads[parent].workshops.append(booking)
    return entries


async def booking_to_cancel(session: AsyncSession, booking_id: int, actor: Member) -> Booking:
    """A booking with its event and member, for the page that asks before cancelling: the
    member's own, or any for an organiser."""
    booking = await session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .options(*with_event_details(), selectinload(Booking.event).selectinload(Event.parent))
    )
    if booking is None:
        raise NotFound(messages.BOOKING_NOT_FOUND)
    if booking.member_id != actor.id and not actor.is_organiser:
        raise Forbidden(messages.NOT_YOUR_BOOKING)
    return booking


async def workshop_bookings_under(session: AsyncSession, booking: Booking) -> list[Booking]:
    """The member's active workshop bookings of a conference: cancelling it cancels them."""
    result = await session.scalars(
        select(Booking)
        .join(Event, Event.id == Booking.event_id)
        .where(
            Event.parent_id == booking.event_id,
            Booking.member_id == booking.member_id,
            Booking.status.in_(ACTIVE_STATUSES),
        )
        .options(selectinload(Booking.event), selectinload(Booking.member))
        .order_by(Event.title)
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
    page = await event_bookings_page(session, event_id, actor, cursor=None, limit=None)
    return page.items


async def event_bookings_page(
    session: AsyncSession,
    event_id: int,
    actor: Member,
    *,
    cursor: str | None,
    limit: int | None,
    statuses: Collection[str] = (),
    counted: bool = True,
) -> Page[Booking]:
    """An event's bookings (of ``statuses``, or all) in the order they came, a page at a
    time (all with ``limit`` None), for organisers only; 404 when the event is unknown.
    ``counted`` False leaves the page's total out (a page that counts every status anyway)."""
    if not actor.is_organiser:
        raise Forbidden()
    if await session.get(Event, event_id) is None:
        raise NotFound(messages.EVENT_NOT_FOUND)
    query = select(Booking).where(Booking.event_id == event_id)
    if statuses:
        query = query.where(Booking.status.in_(statuses))
    total = None
    if limit is not None:
        if counted:
            total = await session.scalar(select(func.count()).select_from(query.subquery()))
        query = query.limit(limit + 1)
    # The waiting list in its order (organisers may move people); every other list in
    # the order the bookings came.
    waiting = tuple(statuses) == (BookingStatus.WAITING,)
    order = WAITLIST_ORDER if waiting else (Booking.id,)
    if cursor:
        key = decode_cursor(cursor, (int, int) if waiting else (int,))
        query = query.where(after_key(order, key))
    rows = list(
        await session.scalars(
            # Member and organisation joined to the page's own statement (one each per row).
            query.options(joinedload(Booking.member), joinedload(Booking.organisation)).order_by(
                *order
            )
        )
    )
    more = limit is not None and len(rows) > limit
    rows = rows[:limit]
    if not more:
        return Page(rows, None, total)
    last = rows[-1]
    if waiting:
        return Page(rows, encode_cursor(waitlist_key(last), last.id), total)
    return Page(rows, encode_cursor(last.id), total)


async def event_of_booking(session: AsyncSession, booking_id: int, actor: Member) -> int:
    """The event a booking belongs to, for the organisers' pages: 403, or 404 when unknown."""
    if not actor.is_organiser:
        raise Forbidden()
    event_id = await session.scalar(select(Booking.event_id).where(Booking.id == booking_id))
    if event_id is None:
        raise NotFound(messages.BOOKING_NOT_FOUND)
    return int(event_id)


async def status_counts(session: AsyncSession, event_id: int) -> Counter[str]:
    """How many bookings of an event are in each status, in one query."""
    rows = await session.execute(
        select(Booking.status, func.count())
        .where(Booking.event_id == event_id)
        .group_by(Booking.status)
    )
    return Counter({status: count for status, count in rows})


def availability_of(event: Event, counts: Counter[str]) -> Availability:
    """An event's seats from its :func:`status_counts` (a page that counted them anyway), by
    the same statuses that :func:`seat_counts` counts."""
    return Availability(
        capacity=event.capacity,
        taken=sum(counts[status] for status in SEAT_STATUSES),
        waiting=counts[BookingStatus.WAITING],
    )


def waitlist_key(booking: Booking) -> int:
    """The first part of a waiting booking's place in :data:`WAITLIST_ORDER`."""
    return booking.waitlist_rank if booking.waitlist_rank is not None else RANK_LAST


async def first_waitlist_position(session: AsyncSession, booking: Booking) -> int:
    """The waiting-list position of ``booking`` (waiting): a page of the waiting list in
    its order counts on from there."""
    ahead = await session.scalar(
        select(func.count()).where(
            Booking.event_id == booking.event_id,
            Booking.status == BookingStatus.WAITING,
            after_key(WAITLIST_ORDER, (waitlist_key(booking), booking.id), descending=True),
        )
    )
    return (ahead or 0) + 1


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
        can_cancel=member is not None
        and booking is not None
        and eligibility.cancellation_allowed(event, booking, member, now),
    )


async def events_to_promote(session: AsyncSession, now: datetime) -> list[int]:
    """Ids of the published events with a free seat, someone waiting and a session still to
    come. A full event is not locked at all: the sweep stays off the booking's hot path."""
    waiting = exists().where(Booking.event_id == Event.id, Booking.status == BookingStatus.WAITING)
    upcoming = exists().where(EventSession.event_id == Event.id, EventSession.starts_at > now)
    taken = (
        select(func.count())
        .where(Booking.event_id == Event.id, Booking.status.in_(SEAT_STATUSES))
        .scalar_subquery()
    )
    result = await session.scalars(
        select(Event.id)
        .where(Event.status == EventStatus.PUBLISHED, waiting, upcoming, taken < Event.capacity)
        .order_by(Event.id)
    )
    return list(result)


async def organisation_bookings_page(
    session: AsyncSession,
    actor: Member,
    *,
    statuses: Collection[str],
    now: datetime,
    organisation_id: int | None = None,
    uncoordinated: bool = False,
    cursor: str | None,
    limit: int,
) -> Page[Booking]:
    """Bookings of an organisation's members (a coordinator: their own organisation only)
    for events that are not over, oldest first, a page at a time, with their event, member
    and organisation. Organisers may name an organisation, or ask for the organisations
    without an active coordinator (whose requests the network's organisers release)."""
    ahead = select(EventSession.event_id).where(EventSession.ends_at > now)
    query = select(Booking).where(Booking.status.in_(statuses), Booking.event_id.in_(ahead))
    if set(statuses) == {BookingStatus.REQUESTED}:
        # Requests to release: of events that require it, not released yet (a released
        # request of an event that allocates by draw waits for the draw).
        releasing = select(Event.id).where(Event.requires_release.is_(True))
        query = query.where(Booking.released_at.is_(None), Booking.event_id.in_(releasing))
    if actor.is_organiser:
        if organisation_id is not None:
            query = query.where(Booking.organisation_id == organisation_id)
        elif uncoordinated:
            coordinated = select(Member.organisation_id).where(
                Member.role == "coordinator",
                Member.status == "active",
                Member.organisation_id.is_not(None),
            )
            query = query.where(
                or_(Booking.organisation_id.is_(None), Booking.organisation_id.not_in(coordinated))
            )
    elif actor.coordinates is not None:
        query = query.where(Booking.organisation_id == actor.coordinates)
    else:
        raise Forbidden(messages.COORDINATORS_ONLY)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    if cursor:
        (last_id,) = decode_cursor(cursor, (int,))
        query = query.where(Booking.id > last_id)
    event = selectinload(Booking.event)
    rows = list(
        await session.scalars(
            query.options(
                selectinload(Booking.member),
                selectinload(Booking.organisation),
                event.selectinload(Event.sessions),
            )
            .order_by(Booking.id)
            .limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1].id) if more else None, total)


async def organisation_booking(
    session: AsyncSession, actor: Member, booking_id: int, statuses: Collection[str]
) -> Booking:
    """One booking for the coordinators' forms: of the coordinator's organisation (or any,
    for organisers), in one of ``statuses``."""
    booking = await session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .options(
            selectinload(Booking.member),
            selectinload(Booking.event).selectinload(Event.sessions),
        )
    )
    if booking is None:
        raise NotFound(messages.BOOKING_NOT_FOUND)
    if not actor.is_organiser and (
        actor.coordinates is None or actor.coordinates != booking.organisation_id
    ):
        raise Forbidden(messages.NOT_YOUR_ORGANISATION)
    if booking.status not in statuses:
        raise InvalidState(
            messages.NOT_A_REQUEST
            if BookingStatus.REQUESTED in statuses
            else messages.NOT_CONFIRMED
        )
    return booking
