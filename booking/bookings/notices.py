"""What a booking change tells the people concerned: one mail per booking, with the
invitation attached (REQUEST or CANCEL) for those who hold a seat."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings.models import Booking, BookingStatus
from booking.calendar.itip import invite_sequence
from booking.mail.services import enqueue
from courses.models import Event


async def notify(
    session: AsyncSession,
    event: Event,
    bookings: Sequence[Booking],
    template: str,
    *,
    method: str | None = None,
    **context: Any,
) -> None:
    """Write one mail per booking to the outbox. With ``method`` (REQUEST or CANCEL), the
    confirmed among them get their invitation attached. Call it before changing the
    bookings' statuses: who holds an invitation is read from them."""
    invites = await invitations(session, event, bookings, method) if method else {}
    for booking in bookings:
        enqueue(
            session,
            booking.member.email,
            template,
            booking_id=booking.id,
            **context,
            **invites.get(booking.id, {}),
        )


async def invitations(
    session: AsyncSession, event: Event, bookings: Sequence[Booking], method: str
) -> dict[int, dict[str, Any]]:
    """The outbox context that attaches an invitation (``method`` REQUEST or CANCEL), by
    booking id, for the confirmed ones among ``bookings``: only they hold an invitation.
    SEQUENCE counts each member's earlier bookings of the event, in one query for all."""
    confirmed = [b for b in bookings if b.status == BookingStatus.CONFIRMED]
    if not confirmed:
        return {}
    rows = await session.execute(
        select(Booking.member_id, Booking.id).where(
            Booking.event_id == event.id,
            Booking.member_id.in_({b.member_id for b in confirmed}),
        )
    )
    ids_by_member: defaultdict[int, list[int]] = defaultdict(list)
    for member_id, booking_id in rows:
        ids_by_member[member_id].append(booking_id)
    cancelled = method == "CANCEL"
    return {
        b.id: {
            "method": method,
            "sequence": invite_sequence(
                event.sequence,
                sum(1 for other in ids_by_member[b.member_id] if other < b.id),
                cancelled=cancelled,
            ),
        }
        for b in confirmed
    }
