"""Venues, their rooms and online rooms, as the staff unit plans them: create and change
(reading in queries.py, checking input and the accessibility rule in checks.py).

Every change is an organiser's (others get :class:`Forbidden`), checked as a whole (every
field's problem at once, in German) and written in one write transaction, the changed row
locked. The database has the last word on unique names and on a barrier-free toilet only at
a step-free venue: an ``IntegrityError`` from two requests racing becomes the same German
error as the check.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.errors import NotFound, ValidationFailed
from booking.core.transactions import write_transaction
from booking.members.models import Member
from venues import messages
from venues.checks import (
    CITY_MAX,
    DIAL_IN_MAX,
    NAME_MAX,
    ROOMS_MAX,
    STREET_MAX,
    check_accessibility,
    clean_capacity,
    clean_line,
    clean_meeting_url,
    clean_notes,
    clean_postal_code,
    clean_region,
    refuse,
    require_organiser,
)
from venues.models import OnlineRoom, Room, Venue
from venues.queries import get_online_room, get_room, get_venue


@asynccontextmanager
async def _savepoint(
    session: AsyncSession, refusal: Callable[[IntegrityError], ValidationFailed]
) -> AsyncIterator[None]:
    """Make the changes of the block in a savepoint and write them at its end. When a
    constraint refuses them, only the savepoint is rolled back, so the objects the request
    holds (the signed-in member) stay loaded for the page that tells the refusal, which
    ``refusal`` words."""
    try:
        async with session.begin_nested():
            yield
    except IntegrityError as exc:
        raise refusal(exc) from exc


# -- venues ---------------------------------------------------------------------------------------


def _clean_name(name: str, errors: dict[str, str]) -> str:
    return clean_line(
        name,
        "name",
        errors,
        required=messages.NAME_REQUIRED,
        too_long=messages.NAME_TOO_LONG,
        max_length=NAME_MAX,
    )


def _clean_street(street: str, errors: dict[str, str]) -> str:
    return clean_line(
        street,
        "street",
        errors,
        required=messages.STREET_REQUIRED,
        too_long=messages.STREET_TOO_LONG,
        max_length=STREET_MAX,
    )


def _clean_city(city: str, errors: dict[str, str]) -> str:
    return clean_line(
        city,
        "city",
        errors,
        required=messages.CITY_REQUIRED,
        too_long=messages.CITY_TOO_LONG,
        max_length=CITY_MAX,
    )


def _clean_room_name(name: str, field: str, errors: dict[str, str]) -> str:
    return clean_line(
        name,
        field,
        errors,
        required=messages.ROOM_NAME_REQUIRED,
        too_long=messages.ROOM_NAME_TOO_LONG,
        max_length=NAME_MAX,
    )


def _check_facts(venue: Venue, errors: dict[str, str]) -> None:
    """The accessibility rule, unless a fact itself is already refused."""
    if "accessibility_notes" in errors:
        return
    problems = check_accessibility(
        step_free=venue.step_free,
        hearing_loop=venue.hearing_loop,
        accessible_toilet=venue.accessible_toilet,
        notes=venue.accessibility_notes,
    )
    for field, message in problems.items():
        errors.setdefault(field, message)


async def _venue_taken(
    session: AsyncSession, name: str, city: str, except_id: int | None = None
) -> bool:
    query = select(Venue.id).where(
        func.lower(Venue.name) == name.lower(), func.lower(Venue.city) == city.lower()
    )
    if except_id is not None:
        query = query.where(Venue.id != except_id)
    return await session.scalar(query.limit(1)) is not None


def _taken(name: str, city: str) -> ValidationFailed:
    message = messages.VENUE_TAKEN.format(name=name, city=city)
    return ValidationFailed(message, {"name": message})


def _conflict(exc: IntegrityError, name: str, city: str) -> ValidationFailed:
    """After the database refused a write: which of its rules the venue broke."""
    if "toilet_needs_step_free" in str(exc.orig):
        message = messages.TOILET_NEEDS_STEP_FREE
        return ValidationFailed(message, {"accessible_toilet": message})
    return _taken(name, city)


async def create_venue(
    session: AsyncSession,
    *,
    actor: Member,
    name: str,
    street: str,
    postal_code: str,
    city: str,
    region: str,
    step_free: bool,
    hearing_loop: bool,
    accessible_toilet: bool = False,
    accessibility_notes: str = "",
    rooms: Sequence[tuple[str, int]] = (),
) -> Venue:
    """A new venue, with its first rooms (name, seats) if given: all or nothing."""
    require_organiser(actor)
    errors: dict[str, str] = {}
    venue = Venue(
        name=_clean_name(name, errors),
        street=_clean_street(street, errors),
        postcode=clean_postal_code(postal_code, errors),
        city=_clean_city(city, errors),
        region=clean_region(region, errors),
        step_free=step_free,
        hearing_loop=hearing_loop,
        accessible_toilet=accessible_toilet,
        accessibility_notes=clean_notes(accessibility_notes, errors),
    )
    _check_facts(venue, errors)
    if len(rooms) > ROOMS_MAX:
        errors["rooms"] = messages.TOO_MANY_ROOMS
    seen: set[str] = set()
    for n, (room_name, capacity) in enumerate(rooms[:ROOMS_MAX]):
        cleaned = _clean_room_name(room_name, f"rooms.{n}.name", errors)
        clean_capacity(capacity, errors, f"rooms.{n}.capacity")
        if cleaned.casefold() in seen:
            errors.setdefault(f"rooms.{n}.name", messages.ROOM_TAKEN.format(name=cleaned))
        seen.add(cleaned.casefold())
        venue.rooms.append(Room(name=cleaned, capacity=capacity))
    async with write_transaction(session):
        checkable = not errors.keys() & {"name", "city"}
        if checkable and await _venue_taken(session, venue.name, venue.city):
            errors["name"] = _taken(venue.name, venue.city).message
        refuse(errors)  # every field's problem and every contradiction at once
        name, city = venue.name, venue.city
        async with _savepoint(session, lambda exc: _conflict(exc, name, city)):
            session.add(venue)
        venue_id = venue.id
    return await get_venue(session, venue_id, actor)


VENUE_FIELDS = (
    "name", "street", "postcode", "city", "region", "step_free", "hearing_loop",
    "accessible_toilet", "accessibility_notes",
)  # fmt: skip
"""The columns an organiser sets."""


async def _locked_venue(session: AsyncSession, venue_id: int) -> Venue:
    venue = await session.scalar(
        select(Venue)
        .where(Venue.id == venue_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if venue is None:
        raise NotFound(messages.VENUE_UNKNOWN)
    return venue


async def update_venue(
    session: AsyncSession,
    *,
    actor: Member,
    venue_id: int,
    name: str | None = None,
    street: str | None = None,
    postal_code: str | None = None,
    city: str | None = None,
    region: str | None = None,
    step_free: bool | None = None,
    hearing_loop: bool | None = None,
    accessible_toilet: bool | None = None,
    accessibility_notes: str | None = None,
) -> Venue:
    """Change what is given (None: leave as it is). The venue as changed must keep the
    accessibility rule, whichever fact changed."""
    require_organiser(actor)
    errors: dict[str, str] = {}
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = _clean_name(name, errors)
    if street is not None:
        changes["street"] = _clean_street(street, errors)
    if postal_code is not None:
        changes["postcode"] = clean_postal_code(postal_code, errors)
    if city is not None:
        changes["city"] = _clean_city(city, errors)
    if region is not None:
        changes["region"] = clean_region(region, errors)
    if accessibility_notes is not None:
        changes["accessibility_notes"] = clean_notes(accessibility_notes, errors)
    facts = {
        "step_free": step_free,
        "hearing_loop": hearing_loop,
        "accessible_toilet": accessible_toilet,
    }
    changes |= {fact: value for fact, value in facts.items() if value is not None}
    async with write_transaction(session):
        venue = await _locked_venue(session, venue_id)
        intended = Venue(**{c: changes.get(c, getattr(venue, c)) for c in VENUE_FIELDS})
        _check_facts(intended, errors)
        moved = (intended.name, intended.city) != (venue.name, venue.city)
        checkable = moved and not errors.keys() & {"name", "city"}
        if checkable and await _venue_taken(session, intended.name, intended.city, venue.id):
            errors["name"] = _taken(intended.name, intended.city).message
        refuse(errors)  # every field's problem and every contradiction at once
        async with _savepoint(session, lambda exc: _conflict(exc, intended.name, intended.city)):
            for column, value in changes.items():
                setattr(venue, column, value)
    return await get_venue(session, venue_id, actor)


# -- rooms ----------------------------------------------------------------------------------------


async def _room_taken(
    session: AsyncSession, venue_id: int, name: str, except_id: int | None = None
) -> bool:
    query = select(Room.id).where(Room.venue_id == venue_id, func.lower(Room.name) == name.lower())
    if except_id is not None:
        query = query.where(Room.id != except_id)
    return await session.scalar(query.limit(1)) is not None


def _room_taken_error(name: str) -> ValidationFailed:
    message = messages.ROOM_TAKEN.format(name=name)
    return ValidationFailed(message, {"name": message})


async def add_room(
    session: AsyncSession, *, actor: Member, venue_id: int, name: str, capacity: int
) -> Room:
    """A new room of the venue, its name not yet used there (in any case)."""
    require_organiser(actor)
    errors: dict[str, str] = {}
    name = _clean_room_name(name, "name", errors)
    clean_capacity(capacity, errors)
    async with write_transaction(session):
        venue = await _locked_venue(session, venue_id)
        count = await session.scalar(
            select(func.count()).select_from(Room).where(Room.venue_id == venue.id)
        )
        if (count or 0) >= ROOMS_MAX:
            raise ValidationFailed(messages.TOO_MANY_ROOMS, {"name": messages.TOO_MANY_ROOMS})
        if "name" not in errors and await _room_taken(session, venue.id, name):
            errors["name"] = messages.ROOM_TAKEN.format(name=name)
        refuse(errors)
        room = Room(venue_id=venue.id, name=name, capacity=capacity)
        async with _savepoint(session, lambda exc: _room_taken_error(name)):
            session.add(room)
        room_id = room.id
    return await get_room(session, venue_id, room_id, actor)


async def update_room(
    session: AsyncSession,
    *,
    actor: Member,
    venue_id: int,
    room_id: int,
    name: str | None = None,
    capacity: int | None = None,
) -> Room:
    """Rename a room or change its seats (None: leave as it is). Events held there keep
    their own capacity."""
    require_organiser(actor)
    errors: dict[str, str] = {}
    if name is not None:
        name = _clean_room_name(name, "name", errors)
    if capacity is not None:
        clean_capacity(capacity, errors)
    async with write_transaction(session):
        venue = await _locked_venue(session, venue_id)
        room = await session.scalar(
            select(Room)
            .where(Room.id == room_id, Room.venue_id == venue.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if room is None:
            raise NotFound(messages.ROOM_UNKNOWN)
        renamed = name is not None and name != room.name and "name" not in errors
        if renamed and await _room_taken(session, venue.id, name or "", except_id=room.id):
            errors["name"] = messages.ROOM_TAKEN.format(name=name)
        refuse(errors)
        async with _savepoint(session, lambda exc: _room_taken_error(name or "")):
            if name is not None:
                room.name = name
            if capacity is not None:
                room.capacity = capacity
    return await get_room(session, venue_id, room_id, actor)


# -- online rooms ---------------------------------------------------------------------------------


def _clean_online_name(name: str, errors: dict[str, str]) -> str:
    return clean_line(
        name,
        "name",
        errors,
        required=messages.ONLINE_NAME_REQUIRED,
        too_long=messages.NAME_TOO_LONG,
        max_length=NAME_MAX,
    )


def _clean_dial_in(dial_in: str, errors: dict[str, str]) -> str:
    return clean_line(
        dial_in,
        "dial_in",
        errors,
        required=None,
        too_long=messages.DIAL_IN_TOO_LONG,
        max_length=DIAL_IN_MAX,
    )


async def _online_taken(session: AsyncSession, name: str, except_id: int | None = None) -> bool:
    query = select(OnlineRoom.id).where(func.lower(OnlineRoom.name) == name.lower())
    if except_id is not None:
        query = query.where(OnlineRoom.id != except_id)
    return await session.scalar(query.limit(1)) is not None


def _online_taken_error(name: str) -> ValidationFailed:
    message = messages.ONLINE_NAME_TAKEN.format(name=name)
    return ValidationFailed(message, {"name": message})


async def create_online_room(
    session: AsyncSession, *, actor: Member, name: str, meeting_url: str, dial_in: str = ""
) -> OnlineRoom:
    """A new online room: its meeting link goes to confirmed participants only."""
    require_organiser(actor)
    errors: dict[str, str] = {}
    room = OnlineRoom(
        name=_clean_online_name(name, errors),
        meeting_url=clean_meeting_url(meeting_url, errors),
        dial_in=_clean_dial_in(dial_in, errors),
    )
    name = room.name
    async with write_transaction(session):
        if "name" not in errors and await _online_taken(session, name):
            errors["name"] = messages.ONLINE_NAME_TAKEN.format(name=name)
        refuse(errors)
        async with _savepoint(session, lambda exc: _online_taken_error(name)):
            session.add(room)
        room_id = room.id
    return await get_online_room(session, room_id, actor)


async def update_online_room(
    session: AsyncSession,
    *,
    actor: Member,
    online_room_id: int,
    name: str | None = None,
    meeting_url: str | None = None,
    dial_in: str | None = None,
) -> OnlineRoom:
    """Change what is given (None: leave as it is)."""
    require_organiser(actor)
    errors: dict[str, str] = {}
    if name is not None:
        name = _clean_online_name(name, errors)
    if meeting_url is not None:
        meeting_url = clean_meeting_url(meeting_url, errors)
    if dial_in is not None:
        dial_in = _clean_dial_in(dial_in, errors)
    async with write_transaction(session):
        room = await session.scalar(
            select(OnlineRoom)
            .where(OnlineRoom.id == online_room_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if room is None:
            raise NotFound(messages.ONLINE_ROOM_UNKNOWN)
        renamed = name is not None and name != room.name and "name" not in errors
        if renamed and await _online_taken(session, name or "", except_id=room.id):
            errors["name"] = messages.ONLINE_NAME_TAKEN.format(name=name)
        refuse(errors)
        async with _savepoint(session, lambda exc: _online_taken_error(name or "")):
            if name is not None:
                room.name = name
            if meeting_url is not None:
                room.meeting_url = meeting_url
            if dial_in is not None:
                room.dial_in = dial_in
    return await get_online_room(session, online_room_id, actor)
