"""The back office moves people on a waiting list: to another position, or to the top so
that they get the next free seat.

A move gives every waiting booking of the event a rank (1, 2, 3, … in the new order), so
that bookings arriving later still line up behind them in the order they came
(:data:`booking.bookings.models.WAITLIST_ORDER`). Only the ranks that change are written.
A seat that is free right now goes out in the new order at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import messages
from booking.bookings.models import WAITLIST_ORDER, Booking, BookingStatus
from booking.bookings.promotion import promote
from booking.bookings.services import lock_event
from booking.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from booking.core.transactions import write_transaction
from booking.members.models import Member
from booking.privacy.audit import record


async def waiting_line(session: AsyncSession, event_id: int) -> list[Row[Any]]:
    """The event's waiting bookings in their order: id, rank, member."""
    return list(
        await session.execute(
            select(Booking.id, Booking.waitlist_rank, Booking.member_id)
            .where(Booking.event_id == event_id, Booking.status == BookingStatus.WAITING)
            .order_by(*WAITLIST_ORDER)
        )
    )


async def rank(session: AsyncSession, ids: Sequence[int], ranks: Mapping[int, int | None]) -> None:
    """Give the bookings ``ids`` the ranks 1, 2, 3, … in that order, writing only the
    ranks that change (``ranks``: what they hold now)."""
    changed = [
        {"id": booking_id, "waitlist_rank": n}
        for n, booking_id in enumerate(ids, start=1)
        if ranks.get(booking_id) != n
    ]
    if changed:
        await session.execute(update(Booking), changed)


@dataclass(frozen=True)
class Moved:
    booking_id: int
    before: int
    after: int
    """The position asked for; 0 when the move gave the member a free seat at once."""
    promoted: list[Booking]


async def move(
    session: AsyncSession, *, booking_id: int, position: int, actor: Member, now: datetime
) -> Moved:
    """Put a waiting booking at ``position`` (1: next in line) of its event's waiting list."""
    if not actor.is_organiser:
        raise Forbidden(messages.WAITLIST_FORBIDDEN)
    async with write_transaction(session):
        event_id = await session.scalar(select(Booking.event_id).where(Booking.id == booking_id))
        if event_id is None:
            raise NotFound(messages.BOOKING_NOT_FOUND)
        event = await lock_event(session, event_id)
        line = await waiting_line(session, event_id)
        ids = [row.id for row in line]
        if booking_id not in ids:
            raise InvalidState(messages.NOT_WAITING)
        if not 1 <= position <= len(ids):
            text = messages.POSITION_OUT_OF_RANGE.format(last=len(ids))
            raise ValidationFailed(text, fields={"position": text})
        before = ids.index(booking_id) + 1
        ids.remove(booking_id)
        ids.insert(position - 1, booking_id)
        await rank(session, ids, {row.id: row.waitlist_rank for row in line})
        member_id = next(row.member_id for row in line if row.id == booking_id)
        record(
            session,
            actor=actor,
            action="waitlist_moved",
            now=now,
            event_id=event_id,
            member_id=member_id,
            booking_id=booking_id,
            before={"position": before},
            after={"position": position},
        )
        promoted = await promote(session, event, now)
    return Moved(booking_id, before, position, promoted)
