"""The public programme: published, upcoming events with filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from booking.bookings.queries import Availability, availability
from booking.core.formatting import BERLIN, FIRST_YEAR, LAST_YEAR
from courses.models import Event, EventKind, EventSector, EventSession, EventStatus
from courses.services import with_details
from venues.models import Venue


@dataclass(frozen=True)
class ProgrammeFilter:
    kind: str | None = None
    sector: str | None = None
    region: str | None = None
    month: str | None = None  # "2026-03"
    free_only: bool = False
    include_workshops: bool = False
    """The pages list workshops on their conference's page; the API lists them too."""


@dataclass(frozen=True)
class Listing:
    event: Event
    availability: Availability


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


async def programme(
    session: AsyncSession, filters: ProgrammeFilter, now: datetime
) -> list[Listing]:
    """Published, upcoming events."""
    upcoming = select(EventSession.event_id).where(EventSession.ends_at > now)
    parent = aliased(Event)
    drafts = select(parent.id).where(parent.status == EventStatus.DRAFT)
    query = select(Event).where(
        Event.status == EventStatus.PUBLISHED,
        Event.id.in_(upcoming),
        # A workshop is public only once its conference is.
        or_(Event.parent_id.is_(None), Event.parent_id.not_in(drafts)),
    )
    if not filters.include_workshops:
        query = query.where(Event.kind != EventKind.WORKSHOP)
    if filters.kind:
        query = query.where(Event.kind == filters.kind)
    if filters.sector:
        restricted = select(EventSector.event_id)
        open_to_sector = select(EventSector.event_id).where(EventSector.sector == filters.sector)
        query = query.where(or_(Event.id.not_in(restricted), Event.id.in_(open_to_sector)))
    if filters.region:
        query = query.join(Venue, Venue.id == Event.venue_id).where(Venue.region == filters.region)
    if filters.month:
        start, end = month_bounds(filters.month)
        in_month = select(EventSession.event_id).where(
            EventSession.starts_at >= start, EventSession.starts_at < end
        )
        query = query.where(Event.id.in_(in_month))
    events = list(await session.scalars(with_details(query)))
    events.sort(key=lambda e: (e.starts_at or now, e.id))
    seats = await availability(session, events)
    listings = [Listing(e, seats[e.id]) for e in events]
    if filters.free_only:
        listings = [item for item in listings if item.availability.seats_left > 0]
    return listings
