"""What the organisers' back-office home shows: the coming events with their seats, the
drafts, and what needs attention. Every list is cut to a few rows; the counts say how many
there are in all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from booking.bookings.models import Booking, BookingStatus
from booking.bookings.queries import Availability, availability, seats_taken
from booking.core.errors import Forbidden
from booking.core.paging import Page, after_key, decode_cursor, encode_cursor
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from courses.listing import Listing, ProgrammeFilter, programme
from courses.models import Event, EventKind, EventSession, EventStatus
from courses.services import with_details
from venues.models import OnlineRoom, Room, Venue

HOME_ROWS = 10
"""Rows of each list on the home page."""
DEADLINE_SOON = timedelta(days=7)
"""An event whose registration closes within this time, with seats left, needs attention."""
LONG_WAITLIST = 5
"""A waiting list this long (or longer) needs attention: more seats, or another date?"""
ONLY_SESSIONS = joinedload(Event.sessions)
"""The home page's lists show an event's title, format and dates: its sessions, nothing else,
joined to the list's own statement."""


def only_sessions(query: Select[Event]) -> Select[Event]:
    return query.options(ONLY_SESSIONS)


async def _listed(session: AsyncSession, query: Select[Event]) -> list[Event]:
    """A home list's events, each once with its sessions."""
    return list((await session.scalars(only_sessions(query))).unique())


@dataclass(frozen=True)
class Attention:
    event: Event
    availability: Availability


@dataclass(frozen=True)
class Home:
    upcoming: list[Listing]
    upcoming_total: int
    drafts: list[Event]
    drafts_total: int
    deadline_soon: list[Attention]
    long_waitlists: list[Attention]
    pending_members: int
    dead_letters: int


async def home(session: AsyncSession, actor: Member, now: datetime) -> Home:
    if not actor.is_organiser:
        raise Forbidden()
    upcoming = await programme(
        session,
        ProgrammeFilter(include_workshops=True),
        now,
        limit=HOME_ROWS,
        details=only_sessions,
    )
    drafts = await _listed(
        session,
        select(Event)
        .where(Event.status == EventStatus.DRAFT)
        .order_by(Event.updated_at.desc(), Event.id.desc())
        .limit(HOME_ROWS),
    )
    # Looked up per event with a deadline soon (a few), not as the list of every past session.
    begun = exists().where(EventSession.event_id == Event.id, EventSession.starts_at <= now)
    closing = await _listed(
        session,
        select(Event)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.registration_deadline > now,
            Event.registration_deadline <= now + DEADLINE_SOON,
            ~begun,
            Event.capacity > seats_taken(Event.id),
        )
        .order_by(Event.registration_deadline, Event.id)
        .limit(HOME_ROWS),
    )
    live = select(EventSession.event_id).where(EventSession.ends_at > now)
    # Waiting lists of events not over only: the bookings of the years gone by stay unread.
    waiting = (
        select(Booking.event_id, func.count().label("waiting"))
        .where(Booking.status == BookingStatus.WAITING, Booking.event_id.in_(live))
        .group_by(Booking.event_id)
        .having(func.count() >= LONG_WAITLIST)
        .subquery()
    )
    crowded = await _listed(
        session,
        select(Event)
        .join(waiting, waiting.c.event_id == Event.id)
        .where(Event.status == EventStatus.PUBLISHED, Event.id.in_(live))
        .order_by(waiting.c.waiting.desc(), Event.id)
        .limit(HOME_ROWS),
    )
    seats = await availability(session, [*closing, *crowded])
    # The three counts in one statement.
    counts = (
        await session.execute(
            select(
                select(func.count())
                .where(Event.status == EventStatus.DRAFT)
                .scalar_subquery()
                .label("drafts"),
                select(func.count())
                .where(Member.status == "pending")
                .scalar_subquery()
                .label("pending"),
                select(func.count())
                .where(OutboxMessage.failed_at.is_not(None), OutboxMessage.sent_at.is_(None))
                .scalar_subquery()
                .label("dead"),
            )
        )
    ).one()
    return Home(
        upcoming=upcoming.items,
        upcoming_total=upcoming.total or 0,
        drafts=drafts,
        drafts_total=counts.drafts,
        deadline_soon=[Attention(e, seats[e.id]) for e in closing],
        long_waitlists=[Attention(e, seats[e.id]) for e in crowded],
        pending_members=counts.pending,
        dead_letters=counts.dead,
    )


CHOICES_MAX = 200
"""Venues, rooms, online rooms and parent events offered in a form's lists."""


@dataclass(frozen=True)
class EventChoices:
    """What a new event may belong to and take place in, as (id, label) pairs."""

    parents: list[tuple[int, str]]
    venues: list[tuple[int, str]]
    rooms: list[tuple[int, str]]
    online_rooms: list[tuple[int, str]]


async def event_choices(session: AsyncSession, now: datetime) -> EventChoices:
    """Conferences and network meetings that are not over (a workshop's parent), and the
    venues, rooms and online rooms, each list by name and bounded."""
    live = select(EventSession.event_id).where(EventSession.ends_at > now)
    parents = await session.execute(
        select(Event.id, Event.title)
        .where(
            Event.kind.in_((EventKind.CONFERENCE, EventKind.NETWORK_MEETING)),
            Event.status != EventStatus.CANCELLED,
            Event.id.in_(live),
        )
        .order_by(Event.title, Event.id)
        .limit(CHOICES_MAX)
    )
    venues = await session.execute(
        select(Venue.id, Venue.name, Venue.city).order_by(Venue.name, Venue.id).limit(CHOICES_MAX)
    )
    rooms = await session.execute(
        select(Room.id, Room.name, Venue.name, Room.capacity)
        .join(Venue, Venue.id == Room.venue_id)
        .order_by(Venue.name, Room.name, Room.id)
        .limit(CHOICES_MAX)
    )
    online = await session.execute(
        select(OnlineRoom.id, OnlineRoom.name).order_by(OnlineRoom.name).limit(CHOICES_MAX)
    )
    return EventChoices(
        parents=[(i, title) for i, title in parents],
        venues=[(i, f"{name}, {city}") for i, name, city in venues],
        rooms=[(i, f"{venue}: {name} ({cap} Plätze)") for i, name, venue, cap in rooms],
        online_rooms=[(i, name) for i, name in online],
    )


SERIES_PAGE = 50
"""Dates per page of a series' page (and the API's default)."""


@dataclass(frozen=True)
class SeriesDate:
    event: Event
    availability: Availability


async def series_dates_page(
    session: AsyncSession,
    series_id: int,
    *,
    cursor: str | None,
    limit: int = SERIES_PAGE,
    with_drafts: bool,
) -> Page[SeriesDate]:
    """A series' dates by their first start, a page at a time (keyset after the last one's
    start and id), with seats; drafts only ``with_drafts`` (organisers)."""
    spans = (
        select(EventSession.event_id, func.min(EventSession.starts_at).label("starts_at"))
        .join(Event, Event.id == EventSession.event_id)
        .where(Event.series_id == series_id)
        .group_by(EventSession.event_id)
        .subquery()
    )
    matches = select(spans.c.event_id, spans.c.starts_at).join(Event, Event.id == spans.c.event_id)
    if not with_drafts:
        matches = matches.where(Event.status != EventStatus.DRAFT)
    total = await session.scalar(select(func.count()).select_from(matches.subquery()))
    order = (spans.c.starts_at, spans.c.event_id)
    if cursor:
        matches = matches.where(after_key(order, decode_cursor(cursor, (datetime, int))))
    rows = list(await session.execute(matches.order_by(*order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    loaded = {
        e.id: e
        for e in await session.scalars(
            with_details(select(Event).where(Event.id.in_([r.event_id for r in rows])))
        )
    }
    events = [loaded[r.event_id] for r in rows]
    seats = await availability(session, events)
    next_cursor = encode_cursor(rows[-1].starts_at, rows[-1].event_id) if more else None
    return Page([SeriesDate(e, seats[e.id]) for e in events], next_cursor, total or 0)
