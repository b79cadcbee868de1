"""Allocation by draw: an event collects requests until its registration deadline; then a
recorded, reproducible draw hands out the seats, spread across organisations, and puts the
rest onto the waiting list in draw order.

The algorithm (version :data:`ALGORITHM`), from stored inputs only:

1. The seed is the SHA-256 of the algorithm's name, the event id, the registration deadline
   (UTC, ISO 8601) and a random salt stored on the event when it was set to draw. Before
   the draw, pages show only its commitment (the SHA-256 of the seed), so that nobody can
   work out the order in advance; the protocol shows the seed, and anyone can check it
   against the commitment shown before.
2. The requests are sorted by their key HMAC-SHA256(seed, booking id), the booking id
   breaking a tie: that is the draw order (rank 1 first). Neither the database's row order, nor the
   Python version, nor its hash seed has any say.
3. Seats go round-robin across organisations: each round gives at most one seat to each
   organisation that still has requests and has not reached the per-organisation limit
   (counting the seats it held before), the round's candidates in draw order. A member
   without an organisation counts as an organisation of their own (and gets no seat when
   the event limits seats per organisation, as with any booking).
4. The requests left go onto the waiting list in draw order, behind anyone already waiting.

On an event that also requires the organisation's release (Freigabe), a coordinator's
release marks the request as released and gives no seat; only released requests take
part, and the others lapse at the draw (recorded as ``not_released``).

The record of a draw (protocol, verification, what members see):
:mod:`booking.bookings.draw_record`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from booking.bookings import messages, queries, waitlist
from booking.bookings.models import (
    Booking,
    BookingStatus,
    Draw,
    DrawDecision,
    DrawEntry,
)
from booking.bookings.notices import notify
from booking.bookings.services import lock_event
from booking.core.errors import Busy, InvalidState, NotFound
from booking.core.transactions import write_transaction
from courses.models import Allocation, Event, EventStatus

ALGORITHM = "sid-draw-1"
"""The name and version of the algorithm below. Any change to what it computes needs a new
version, so that stored draws stay verifiable."""


# -- the algorithm (pure) ---------------------------------------------------------------------


def seed_of(event_id: int, deadline: datetime, salt: str, algorithm: str = ALGORITHM) -> str:
    """The draw's seed (hex): SHA-256 over the algorithm, event id, deadline and salt."""
    moment = deadline.astimezone(UTC).isoformat()
    text = f"{algorithm}\n{event_id}\n{moment}\n{salt}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def commitment(seed: str) -> str:
    """What is shown before the draw: the SHA-256 of the seed (hex)."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def draw_key(seed: str, booking_id: int) -> str:
    """A request's place in the draw: HMAC-SHA256 keyed with the seed over the booking id."""
    return hmac.new(
        bytes.fromhex(seed), str(booking_id).encode("ascii"), hashlib.sha256
    ).hexdigest()


@dataclass(frozen=True)
class Entrant:
    """A request taking part: the booking and the organisation it counts for."""

    booking_id: int
    organisation_id: int | None


@dataclass(frozen=True)
class Decided:
    booking_id: int
    organisation_id: int | None
    rank: int
    key: str
    decision: DrawDecision
    round: int | None
    """The round in which the seat was given; None: waiting list."""
    waitlist_position: int | None
    """Place in the draw's waiting order (1: first to move up); None: a seat."""


def allocate(
    seed: str,
    entrants: Iterable[Entrant],
    *,
    seats: int,
    seats_per_organisation: int | None,
    held: Mapping[int, int],
) -> list[Decided]:
    """The draw, by rank: who gets a seat (and in which round) and who waits, from the seed
    and the inputs only (``held``: seats each organisation holds already)."""
    keyed = sorted(
        ((draw_key(seed, e.booking_id), e) for e in entrants), key=lambda p: (p[0], p[1].booking_id)
    )
    ranked = [(rank, key, e) for rank, (key, e) in enumerate(keyed, start=1)]

    # One queue per organisation, in the order its first request was drawn.
    queues: dict[tuple[str, int], list[tuple[int, str, Entrant]]] = {}
    for item in ranked:
        entrant = item[2]
        group = (
            ("org", entrant.organisation_id)
            if entrant.organisation_id is not None
            else ("person", entrant.booking_id)
        )
        queues.setdefault(group, []).append(item)
    given: dict[tuple[str, int], int] = {
        group: held.get(group[1], 0) if group[0] == "org" else 0 for group in queues
    }

    def may_take(group: tuple[str, int]) -> bool:
        if seats_per_organisation is None:
            return True
        return group[0] == "org" and given[group] < seats_per_organisation

    seated: dict[int, int] = {}
    free, round_no = seats, 0
    while free > 0:
        round_no += 1
        candidates = sorted(
            (queue[0][0], group) for group, queue in queues.items() if queue and may_take(group)
        )
        if not candidates:
            break
        for rank, group in candidates:
            if free == 0:
                break
            queues[group].pop(0)
            given[group] += 1
            seated[rank] = round_no
            free -= 1

    decided: list[Decided] = []
    position = 0
    for rank, key, entrant in ranked:
        if rank in seated:
            decision, round_given, place = DrawDecision.SEAT, seated[rank], None
        else:
            position += 1
            decision, round_given, place = DrawDecision.WAITING, None, position
        decided.append(
            Decided(
                entrant.booking_id, entrant.organisation_id, rank, key, decision, round_given, place
            )
        )
    return decided


# -- running the draw -------------------------------------------------------------------------


def takes_part(event: Event, booking: Booking) -> bool:
    """A request takes part unless the event requires a release that it has not had."""
    return not event.requires_release or booking.released_at is not None


@dataclass(frozen=True)
class DrawRun:
    event_id: int
    requests: int
    seats: int
    waiting: int
    lapsed: int


async def run_draw(session: AsyncSession, event_id: int, now: datetime) -> DrawRun | None:
    """Draw the event's seats if it allocates by draw, is published, its registration
    deadline has passed and it has not been drawn; None otherwise. One write transaction
    under the event lock, mails included: a second process finds the draw done."""
    async with write_transaction(session):
        event = await lock_event(session, event_id)
        deadline = event.registration_deadline
        if (
            event.allocation != Allocation.DRAW
            or event.status != EventStatus.PUBLISHED
            or deadline is None
            or now < deadline
        ):
            return None
        if await session.scalar(select(exists().where(Draw.event_id == event.id))):
            return None
        if event.draw_salt is None:  # set with the allocation: never drawn without one
            raise InvalidState(messages.DRAW_WITHOUT_SALT)
        requests = list(
            await session.scalars(
                select(Booking)
                .where(Booking.event_id == event.id, Booking.status == BookingStatus.REQUESTED)
                .order_by(Booking.id)
                .options(selectinload(Booking.member))
                .execution_options(populate_existing=True)
            )
        )
        counts = await queries.seat_counts(session, [event.id])
        held = {org: n for (_, org), n in counts.taken_by_org.items() if org is not None and n}
        seats = max(event.capacity - counts.taken[event.id], 0)
        seed = seed_of(event.id, deadline, event.draw_salt)
        entrants = [Entrant(b.id, b.organisation_id) for b in requests if takes_part(event, b)]
        decided = allocate(
            seed,
            entrants,
            seats=seats,
            seats_per_organisation=event.seats_per_organisation,
            held=held,
        )
        draw = Draw(
            event_id=event.id,
            algorithm=ALGORITHM,
            seed=seed,
            deadline=deadline,
            seats=seats,
            seats_per_organisation=event.seats_per_organisation,
            held_by_organisation={str(org): n for org, n in sorted(held.items())},
            drawn_at=now,
        )
        session.add(draw)
        await session.flush()
        lapsed = [b for b in requests if not takes_part(event, b)]
        rows: list[dict[str, Any]] = [
            {
                "draw_id": draw.id,
                "booking_id": d.booking_id,
                "organisation_id": d.organisation_id,
                "rank": d.rank,
                "round": d.round,
                "decision": d.decision,
                "waitlist_position": d.waitlist_position,
            }
            for d in decided
        ]
        rows += [
            {
                "draw_id": draw.id,
                "booking_id": b.id,
                "organisation_id": b.organisation_id,
                "rank": None,
                "round": None,
                "decision": DrawDecision.NOT_RELEASED,
                "waitlist_position": None,
            }
            for b in lapsed
        ]
        if rows:
            await session.execute(insert(DrawEntry), rows)
        await _apply(session, event, requests, decided, lapsed, now)
    waiting = sum(1 for d in decided if d.decision == DrawDecision.WAITING)
    return DrawRun(event.id, len(entrants), len(decided) - waiting, waiting, len(lapsed))


async def _apply(
    session: AsyncSession,
    event: Event,
    requests: Sequence[Booking],
    decided: Sequence[Decided],
    lapsed: Sequence[Booking],
    now: datetime,
) -> None:
    """Turn the decisions into bookings (seats, waiting list behind anyone already waiting,
    lapsed requests) and mail every requester their result."""
    by_id = {b.id: b for b in requests}
    seated = [by_id[d.booking_id] for d in decided if d.decision == DrawDecision.SEAT]
    waiting = [by_id[d.booking_id] for d in decided if d.decision == DrawDecision.WAITING]
    for booking in seated:
        booking.status = BookingStatus.CONFIRMED
        booking.confirmed_at = now
    await notify(session, event, seated, "draw_won", method="REQUEST")
    if waiting:
        line = await waitlist.waiting_line(session, event.id)
        ids = [row.id for row in line] + [b.id for b in waiting]
        await waitlist.rank(session, ids, {row.id: row.waitlist_rank for row in line})
        for n, booking in enumerate(waiting, start=len(line) + 1):
            booking.status = BookingStatus.WAITING
            booking.waitlisted_at = now
            booking.waitlist_rank = n
            await notify(session, event, [booking], "draw_waitlisted", position=n)
    if lapsed:
        await notify(session, event, lapsed, "booking_request_lapsed")
        for booking in lapsed:
            booking.status = BookingStatus.CANCELLED
            booking.cancelled_at = now
            booking.cancelled_by = "lapsed"
    await session.flush()


async def due_events(session: AsyncSession, now: datetime) -> list[int]:
    """Published events that allocate by draw, whose registration deadline has passed and
    that have not been drawn yet."""
    drawn = exists().where(Draw.event_id == Event.id)
    return list(
        await session.scalars(
            select(Event.id)
            .where(
                Event.allocation == Allocation.DRAW,
                Event.status == EventStatus.PUBLISHED,
                Event.registration_deadline <= now,
                ~drawn,
            )
            .order_by(Event.id)
        )
    )


@dataclass(frozen=True)
class DrawsDone:
    events: int
    requests: int
    busy: int = 0


async def draw_due(sessions: async_sessionmaker[AsyncSession], now: datetime) -> DrawsDone:
    """Every draw that is due, each in a transaction of its own; an event locked by someone
    else is left to the next run."""
    async with sessions() as session:
        event_ids = await due_events(session, now)
    events = requests = busy = 0
    for event_id in event_ids:
        try:
            async with sessions() as session:
                done = await run_draw(session, event_id, now)
        except NotFound:
            continue
        except Busy:
            busy += 1
            continue
        if done is not None:
            events += 1
            requests += done.requests
    return DrawsDone(events, requests, busy)
