"""Reading venues, their rooms and online rooms (organisers only): one with its rooms, and
lists by name a page at a time, cut after the last name and id seen (keyset), so that a
page costs the same however far down the list it is."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.core.errors import NotFound
from booking.core.paging import (
    LIMIT_RANGE,
    PAGE_SIZE,
    PAGE_SIZE_MAX,
    Page,
    after_key,
    decode_cursor,
    encode_cursor,
)
from booking.core.text import has_control_characters
from booking.members.models import Member
from venues import messages
from venues.checks import NAME_MAX, clean_region, refuse, require_organiser
from venues.models import OnlineRoom, Room, Venue


async def get_venue(session: AsyncSession, venue_id: int, actor: Member) -> Venue:
    """The venue with its rooms (by name), read afresh."""
    require_organiser(actor)
    venue = await session.scalar(
        select(Venue)
        .options(selectinload(Venue.rooms))
        .where(Venue.id == venue_id)
        .execution_options(populate_existing=True)
    )
    if venue is None:
        raise NotFound(messages.VENUE_UNKNOWN)
    return venue


async def get_room(session: AsyncSession, venue_id: int, room_id: int, actor: Member) -> Room:
    """A room of this venue (another venue's room is not found here)."""
    require_organiser(actor)
    room = await session.scalar(
        select(Room)
        .options(selectinload(Room.venue))
        .where(Room.id == room_id, Room.venue_id == venue_id)
        .execution_options(populate_existing=True)
    )
    if room is None:
        raise NotFound(messages.ROOM_UNKNOWN)
    return room


async def get_online_room(session: AsyncSession, online_room_id: int, actor: Member) -> OnlineRoom:
    require_organiser(actor)
    room = await session.scalar(
        select(OnlineRoom)
        .where(OnlineRoom.id == online_room_id)
        .execution_options(populate_existing=True)
    )
    if room is None:
        raise NotFound(messages.ONLINE_ROOM_UNKNOWN)
    return room


@dataclass(frozen=True)
class VenueFilter:
    search: str = ""
    """Part of the name or the city, any case."""
    region: str | None = None


def _check_list(search: str, limit: int, errors: dict[str, str]) -> None:
    if has_control_characters(search):
        errors["search"] = messages.CONTROL_CHARS
    elif len(search) > NAME_MAX:
        errors["search"] = messages.SEARCH_TOO_LONG
    if not 1 <= limit <= PAGE_SIZE_MAX:
        errors["limit"] = LIMIT_RANGE.format(max=PAGE_SIZE_MAX)


def _after(cursor: str) -> tuple[str, int]:
    last_key, last_id = decode_cursor(cursor, (str, int), field="after")
    if len(last_key) > NAME_MAX:
        decode_cursor("", (str, int), field="after")  # refused like any forged cursor
    return last_key, last_id


async def list_venues(
    session: AsyncSession,
    actor: Member,
    filters: VenueFilter,
    *,
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[Venue]:
    """One page of venues by name (case-insensitive), with their rooms (at most
    ROOMS_MAX each)."""
    require_organiser(actor)
    errors: dict[str, str] = {}
    _check_list(filters.search, limit, errors)
    if filters.region:
        clean_region(filters.region, errors)
    refuse(errors)

    sort_key = func.lower(Venue.name)
    query = select(Venue, sort_key).options(selectinload(Venue.rooms))
    if search := " ".join(filters.search.split()).lower():
        query = query.where(
            or_(
                sort_key.contains(search, autoescape=True),
                func.lower(Venue.city).contains(search, autoescape=True),
            )
        )
    if filters.region:
        query = query.where(Venue.region == filters.region)
    if after:
        query = query.where(after_key((sort_key, Venue.id), _after(after)))
    query = query.order_by(sort_key, Venue.id).limit(limit + 1)
    rows = list(await session.execute(query.execution_options(populate_existing=True)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1][1], rows[-1][0].id) if more else None
    return Page(items=[venue for venue, _ in rows], next_cursor=next_cursor)


async def list_online_rooms(
    session: AsyncSession,
    actor: Member,
    *,
    search: str = "",
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[OnlineRoom]:
    """One page of online rooms by name (case-insensitive)."""
    require_organiser(actor)
    errors: dict[str, str] = {}
    _check_list(search, limit, errors)
    refuse(errors)

    sort_key = func.lower(OnlineRoom.name)
    query = select(OnlineRoom, sort_key)
    if wanted := " ".join(search.split()).lower():
        query = query.where(sort_key.contains(wanted, autoescape=True))
    if after:
        query = query.where(after_key((sort_key, OnlineRoom.id), _after(after)))
    rows = list(await session.execute(query.order_by(sort_key, OnlineRoom.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1][1], rows[-1][0].id) if more else None
    return Page(items=[room for room, _ in rows], next_cursor=next_cursor)
