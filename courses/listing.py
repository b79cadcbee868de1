"""The public programme: published, upcoming events with filters, a page at a time.

The database sorts and cuts: each event's first start comes from its sessions, counted only
for events that are not over yet (the sessions' index on their end); a page is cut after the
start and id of its last event (keyset, :mod:`booking.core.paging`), so the tenth page costs
what the first does. Only the page's events are loaded with their details.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, Subquery, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from booking.bookings.queries import Availability, availability, seats_taken
from booking.core.errors import NotFound
from booking.core.formatting import BERLIN, FIRST_YEAR, LAST_YEAR
from booking.core.paging import PAGE_SIZE, Page, after_key, decode_cursor, encode_cursor
from booking.core.routing import MAX_ID
from courses import messages
from courses.models import Event, EventKind, EventSector, EventSession, EventStatus, Series
from courses.services import with_details
from venues.models import Venue

PROGRAMME_PAGE = 20
"""Events per page of the programme page."""


@dataclass(frozen=True)
class ProgrammeFilter:
    kind: str | None = None
    sector: str | None = None
    region: str | None = None
    month: str | None = None  # "2026-03"
    free_only: bool = False
    include_workshops: bool = False
    """The pages list workshops on their conference's page; the API lists them too."""
    series_id: int | None = None
    collapse_series: bool = False
    """One entry per series (its next date) instead of every date of it."""
    starts_from: datetime | None = None
    """Events not over before this moment; default: now."""
    starts_before: datetime | None = None
    """Events that start before this moment."""


@dataclass(frozen=True)
class Listing:
    event: Event
    availability: Availability
    series_dates: int = 1
    """For a collapsed series: how many of its dates match; else 1."""


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """UTC bounds of a calendar month in Berlin, from "YYYY-MM"; ValueError if malformed
    or outside the years FIRST_YEAR to LAST_YEAR."""
    year_text, _, month_text = month.partition("-")
    if not (year_text + month_text).isascii() or len(year_text) != 4 or len(month_text) != 2:
        raise ValueError(month)
    year, number = int(year_text), int(month_text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(month)
    start = datetime(year, number, 1, tzinfo=BERLIN)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=BERLIN)
    return start, end


_PARENT = aliased(Event)


def parent_public() -> ColumnElement[bool]:
    """A workshop is public only once its conference is: no draft above the event (looked up
    by the parent's key, not by scanning for drafts)."""
    return ~exists().where(_PARENT.id == Event.parent_id, _PARENT.status == EventStatus.DRAFT)


def _live(filters: ProgrammeFilter, now: datetime) -> Select[int]:
    """The events not over at the listing's moment (the sessions' index on their end)."""
    return select(EventSession.event_id).where(EventSession.ends_at > (filters.starts_from or now))


def _conditions(filters: ProgrammeFilter) -> list[ColumnElement[bool]]:
    """What makes an event match besides not being over, on the events table alone."""
    conditions: list[ColumnElement[bool]] = [Event.status == EventStatus.PUBLISHED, parent_public()]
    if not filters.include_workshops:
        conditions.append(Event.kind != EventKind.WORKSHOP)
    if filters.kind:
        conditions.append(Event.kind == filters.kind)
    if filters.sector:
        restricted = select(EventSector.event_id)
        open_to_sector = select(EventSector.event_id).where(EventSector.sector == filters.sector)
        conditions.append(or_(Event.id.not_in(restricted), Event.id.in_(open_to_sector)))
    if filters.region:
        in_region = select(Venue.id).where(Venue.region == filters.region)
        conditions.append(Event.venue_id.in_(in_region))
    if filters.month:
        start, end = month_bounds(filters.month)
        in_month = select(EventSession.event_id).where(
            EventSession.starts_at >= start, EventSession.starts_at < end
        )
        conditions.append(Event.id.in_(in_month))
    if filters.starts_before is not None:
        # The first start lies before the moment if any session starts before it.
        begun = select(EventSession.event_id).where(EventSession.starts_at < filters.starts_before)
        conditions.append(Event.id.in_(begun))
    if filters.series_id is not None:
        conditions.append(Event.series_id == filters.series_id)
    if filters.free_only:
        conditions.append(Event.capacity > seats_taken(Event.id))
    return conditions


def _matches(filters: ProgrammeFilter, now: datetime, *, ranked: bool) -> Subquery:
    """Every matching event with its first start and, when ``ranked``, its rank within its
    series and how many dates of its series match (window functions, which sort every match:
    only a listing that collapses series pays for them). A subquery, not yet cut into pages."""
    spans = (
        select(EventSession.event_id, func.min(EventSession.starts_at).label("starts_at"))
        .where(EventSession.event_id.in_(_live(filters, now)))
        .group_by(EventSession.event_id)
        .subquery()
    )
    order = (spans.c.starts_at, Event.id)
    rank: ColumnElement[int] = literal(1)
    dates: ColumnElement[int] = literal(1)
    if ranked:
        rank = func.row_number().over(partition_by=Event.series_id, order_by=order)
        dates = func.count().over(partition_by=Event.series_id)
    return (
        select(
            Event.id,
            Event.series_id,
            spans.c.starts_at,
            rank.label("rank"),
            dates.label("dates"),
        )
        .join(spans, spans.c.event_id == Event.id)
        .where(*_conditions(filters))
        .subquery()
    )


async def programme(
    session: AsyncSession,
    filters: ProgrammeFilter,
    now: datetime,
    *,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    details: Callable[[Select[Event]], Select[Event]] = with_details,
) -> Page[Listing]:
    """One page of published, upcoming events by first start, with the count of all
    matches. ``cursor`` is a page's ``next_cursor``; a malformed one gives a 422. ``details``
    says what is loaded with each event (by default what a programme card shows)."""
    collapsed = filters.collapse_series and filters.series_id is None
    matches = _matches(filters, now, ranked=collapsed)
    shown = []
    if collapsed:
        shown.append(or_(matches.c.series_id.is_(None), matches.c.rank == 1))
    order = (matches.c.starts_at, matches.c.id)
    query = select(matches.c.id, matches.c.starts_at, matches.c.dates).where(*shown)
    total = None
    if cursor:
        query = query.where(after_key(order, decode_cursor(cursor, (datetime, int))))
        if collapsed:
            counted = select(func.count()).select_from(matches).where(*shown)
        else:  # No first start needed to count: the events table and the sessions' end.
            counted = (
                select(func.count())
                .select_from(Event)
                .where(Event.id.in_(_live(filters, now)), *_conditions(filters))
            )
        total = await session.scalar(counted) or 0
    else:
        # The first page counts every match on the way: the sort has read them all anyway.
        query = query.add_columns(func.count().over().label("total"))
    rows = list(await session.execute(query.order_by(*order).limit(limit + 1)))
    if total is None:
        total = rows[0].total if rows else 0
    more = len(rows) > limit
    rows = rows[:limit]
    loaded = {
        event.id: event
        for event in (
            await session.scalars(
                details(select(Event).where(Event.id.in_([row.id for row in rows])))
            )
        ).unique()
    }
    events = [loaded[row.id] for row in rows]
    seats = await availability(session, events)
    listings = [
        Listing(
            event,
            seats[event.id],
            row.dates if collapsed and event.series_id is not None else 1,
        )
        for event, row in zip(events, rows, strict=True)
    ]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = encode_cursor(last.starts_at, last.id)
    return Page(listings, next_cursor, total)


async def series(session: AsyncSession, series_id: str) -> Series:
    """A series whose dates the programme lists, by its id as the link gives it; 404 when
    unknown or no id at all."""
    if not series_id.isascii() or not series_id.isdigit() or not 1 <= int(series_id[:12]) <= MAX_ID:
        raise NotFound(messages.SERIES_UNKNOWN)
    found = await session.get(Series, int(series_id))
    if found is None:
        raise NotFound(messages.SERIES_UNKNOWN)
    return found
