"""The record of a draw: the protocol for organisers (page, export and API read it), the
recomputation that verifies a stored draw, and what an event's page tells members about its
draw. The draw itself, and the algorithm it follows: :mod:`booking.bookings.draw`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings import messages
from booking.bookings.draw import (
    ALGORITHM,
    Entrant,
    allocate,
    commitment,
    draw_key,
    seed_of,
)
from booking.bookings.models import (
    RANK_LAST,
    Booking,
    BookingStatus,
    Draw,
    DrawDecision,
    DrawEntry,
)
from booking.core.errors import Forbidden, InvalidState, NotFound
from booking.core.paging import Page, after_key, decode_cursor, encode_cursor
from booking.core.spreadsheets import Table
from booking.members.models import Member
from booking.organisations.models import Organisation
from courses.models import Allocation, Event

# -- the record -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """An event that allocates by draw, not drawn yet: what can be known in advance."""

    event: Event
    commitment: str | None
    requests: int


@dataclass(frozen=True)
class Record:
    """A stored draw (its entries: :func:`protocol_lines`)."""

    event: Event
    draw: Draw

    @property
    def commitment(self) -> str:
        return commitment(self.draw.seed)


def event_commitment(event: Event) -> str | None:
    """The commitment of the event's seed, shown before the draw; None without a deadline
    or salt yet."""
    if event.draw_salt is None or event.registration_deadline is None:
        return None
    return commitment(seed_of(event.id, event.registration_deadline, event.draw_salt))


async def stored_draw(session: AsyncSession, event_id: int) -> Draw | None:
    return await session.scalar(select(Draw).where(Draw.event_id == event_id))


ENTRY_ORDER = (func.coalesce(DrawEntry.rank, RANK_LAST), DrawEntry.booking_id)
"""A draw's entries by rank; those that took no part after them, by booking."""


async def entries_of(session: AsyncSession, draw_id: int) -> list[DrawEntry]:
    """Every entry of a draw (for verifying and the export)."""
    return list(
        await session.scalars(
            select(DrawEntry).where(DrawEntry.draw_id == draw_id).order_by(*ENTRY_ORDER)
        )
    )


@dataclass(frozen=True)
class ProtocolLine:
    """An entry as the protocol shows it, with the request's person and organisation as
    they are now (None once the booking is gone)."""

    entry: DrawEntry
    key: str
    member_name: str | None
    organisation_name: str | None


async def protocol_lines(
    session: AsyncSession, draw: Draw, *, cursor: str | None, limit: int | None
) -> Page[ProtocolLine]:
    """A page of a draw's entries in protocol order (``limit`` None: all of them)."""
    query = select(DrawEntry).where(DrawEntry.draw_id == draw.id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    if cursor:
        key = decode_cursor(cursor, (int, int))
        query = query.where(after_key(ENTRY_ORDER, key))
    query = query.order_by(*ENTRY_ORDER)
    if limit is not None:
        query = query.limit(limit + 1)
    entries = list(await session.scalars(query))
    more = limit is not None and len(entries) > limit
    entries = entries[:limit] if limit is not None else entries
    bookings = {
        b.id: b
        for b in await session.scalars(
            select(Booking)
            .where(Booking.id.in_([e.booking_id for e in entries]))
            .options(selectinload(Booking.member))
        )
    }
    wanted = {e.organisation_id for e in entries if e.organisation_id is not None}
    organisations: dict[int, str] = {
        org_id: name
        for org_id, name in await session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))
        )
    }
    lines = [
        ProtocolLine(
            entry=e,
            key=draw_key(draw.seed, e.booking_id),
            member_name=bookings[e.booking_id].member.display_name
            if e.booking_id in bookings
            else None,
            organisation_name=organisations.get(e.organisation_id)
            if e.organisation_id is not None
            else None,
        )
        for e in entries
    ]
    last = entries[-1] if entries else None
    next_cursor = (
        encode_cursor(last.rank if last.rank is not None else RANK_LAST, last.booking_id)
        if more and last is not None
        else None
    )
    return Page(lines, next_cursor, total)


async def protocol(session: AsyncSession, event_id: int, actor: Member) -> Record | Pending:
    """The draw of an event for organisers: the record, or what is known before the draw."""
    if not actor.is_organiser:
        raise Forbidden(messages.DRAW_ORGANISERS_ONLY)
    event = await session.scalar(
        select(Event).where(Event.id == event_id).options(selectinload(Event.sessions))
    )
    if event is None:
        raise NotFound(messages.EVENT_NOT_FOUND)
    draw = await stored_draw(session, event_id)
    if draw is None:
        if event.allocation != Allocation.DRAW:
            raise InvalidState(messages.NOT_BY_DRAW)
        requests = await session.scalar(
            select(func.count()).where(
                Booking.event_id == event_id, Booking.status == BookingStatus.REQUESTED
            )
        )
        return Pending(event, event_commitment(event), requests or 0)
    return Record(event, draw)


@dataclass(frozen=True)
class Verdict:
    matches: bool
    seed_matches: bool
    requests: int
    differences: list[str]
    """Booking ids whose stored rank, round, decision or position differ (German lines)."""


async def verify(session: AsyncSession, event_id: int) -> Verdict:
    """Recompute the event's stored draw from its stored inputs (the event's salt and the
    deadline for the seed; the seed, seats, limit, seats held and entrants for the rest)
    and compare it with the stored outcome."""
    event = await session.get(Event, event_id)
    if event is None:
        raise NotFound(messages.EVENT_NOT_FOUND)
    draw = await stored_draw(session, event_id)
    if draw is None:
        raise InvalidState(messages.NOT_DRAWN_YET)
    entries = await entries_of(session, draw.id)
    seed_matches = event.draw_salt is not None and draw.seed == seed_of(
        event.id, draw.deadline, event.draw_salt, draw.algorithm
    )
    differences: list[str] = []
    if draw.algorithm != ALGORITHM:
        differences.append(messages.DRAW_UNKNOWN_ALGORITHM.format(algorithm=draw.algorithm))
        return Verdict(False, seed_matches, len(entries), differences)
    taking_part = [e for e in entries if e.decision != DrawDecision.NOT_RELEASED]
    recomputed = allocate(
        draw.seed,
        [Entrant(e.booking_id, e.organisation_id) for e in taking_part],
        seats=draw.seats,
        seats_per_organisation=draw.seats_per_organisation,
        held={int(org): int(n) for org, n in draw.held_by_organisation.items()},
    )
    expected = {
        d.booking_id: (d.rank, d.round, d.decision, d.waitlist_position) for d in recomputed
    }
    for entry in taking_part:
        stored = (entry.rank, entry.round, entry.decision, entry.waitlist_position)
        if expected.get(entry.booking_id) != stored:
            differences.append(messages.DRAW_ENTRY_DIFFERS.format(booking_id=entry.booking_id))
    if len(expected) != len(taking_part):
        differences.append(messages.DRAW_ENTRIES_DUPLICATED)
    if not seed_matches:
        differences.insert(0, messages.DRAW_SEED_DIFFERS)
    return Verdict(not differences, seed_matches, len(taking_part), differences)


# -- what members see -------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestCounts:
    total: int
    organisation: int | None
    """Requests from the member's organisation; None without one."""


async def request_counts(
    session: AsyncSession, event_id: int, organisation_id: int | None
) -> RequestCounts:
    """How many requested a draw event's seats so far, and how many of them from one
    organisation (never who)."""
    rows = await session.execute(
        select(Booking.organisation_id, func.count())
        .where(Booking.event_id == event_id, Booking.status == BookingStatus.REQUESTED)
        .group_by(Booking.organisation_id)
    )
    per_org = {org: int(n) for org, n in rows}
    own = per_org.get(organisation_id, 0) if organisation_id is not None else None
    return RequestCounts(sum(per_org.values()), own)


@dataclass(frozen=True)
class EventView:
    """What an event's page says about its draw."""

    deadline: datetime | None
    drawn_at: datetime | None
    commitment: str | None
    """Before the draw: the seed's commitment; after it, the commitment of the seed used."""
    requests: RequestCounts


async def event_view(session: AsyncSession, event: Event, member: Member | None) -> EventView:
    stored = await stored_draw(session, event.id)
    organisation_id = member.organisation_id if member is not None else None
    counts = await request_counts(session, event.id, organisation_id)
    if stored is not None:
        return EventView(stored.deadline, stored.drawn_at, commitment(stored.seed), counts)
    return EventView(event.registration_deadline, None, event_commitment(event), counts)


async def protocol_table(session: AsyncSession, event_id: int, actor: Member) -> Table:
    """The draw's protocol as a spreadsheet (organisers): per request, in draw order, the
    algorithm and seed, rank, key, decision, round and waiting-list place."""
    found = await protocol(session, event_id, actor)
    if not isinstance(found, Record):
        raise InvalidState(messages.NOT_DRAWN_YET)
    stored = found.draw
    page = await protocol_lines(session, stored, cursor=None, limit=None)
    rows = [
        (
            stored.algorithm,
            stored.seed,
            line.entry.rank,
            line.entry.booking_id,
            line.member_name,
            line.organisation_name,
            line.entry.organisation_id,
            line.key,
            messages.DRAW_DECISIONS.get(line.entry.decision, line.entry.decision),
            line.entry.round,
            line.entry.waitlist_position,
        )
        for line in page.items
    ]
    return Table(
        title=found.event.title,
        sheet=messages.DRAW_EXPORT_SHEET,
        header=messages.DRAW_EXPORT_HEADER,
        rows=rows,
    )
