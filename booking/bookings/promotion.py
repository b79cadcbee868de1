"""Promotion: free seats go to the first eligible people on the waiting list, or are
offered to them where the event gives offers a deadline. One idempotent function, called
from a cancellation, from a change of capacity or share, from a decline or a lapsed offer,
and from the periodic sweep."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings import queries, workdays
from booking.bookings.models import (
    WAITLIST_ORDER,
    Booking,
    BookingStatus,
)
from booking.bookings.notices import notify
from courses.models import Event, EventStatus


async def promote(session: AsyncSession, event: Event, now: datetime) -> list[Booking]:
    """Give free seats to the first eligible waiting members, in the caller's transaction.

    Idempotent: with no free seat, or nobody eligible waiting, it changes nothing. A waiting
    member whose organisation has used its share of seats is passed over, and keeps their
    place for the next seat that their organisation may take.

    On an event with ``offer_working_days`` the seat is not given but offered: it is held
    for the member (status ``offered``, counted as taken) until they accept, decline or the
    deadline passes (booking.bookings.offers). Offers that no longer fit (the capacity or
    the organisation's share was lowered) go back to the waiting list, newest first.
    """
    if event.status != EventStatus.PUBLISHED:
        return []
    counts = await queries.seat_counts(session, [event.id])
    await _withdraw_excess_offers(session, event, counts)
    free = event.capacity - counts.taken[event.id]
    if free <= 0 or not counts.waiting[event.id]:
        return []
    days = event.offer_working_days
    deadline = (
        workdays.offer_deadline(now, days, latest=event.starts_at) if days is not None else None
    )
    if deadline is not None and deadline <= now:
        return []  # the event has begun: a seat offered now could not be taken in time
    waiting = list(
        await session.scalars(
            select(Booking)
            .where(Booking.event_id == event.id, Booking.status == BookingStatus.WAITING)
            .order_by(*WAITLIST_ORDER)
            .options(selectinload(Booking.member))
        )
    )
    limit = event.seats_per_organisation
    per_org = {org: n for (_, org), n in counts.taken_by_org.items()}
    promoted: list[Booking] = []
    for booking in waiting:
        if free == 0:
            break
        if booking.member.status != "active":
            continue
        if limit is not None:
            if booking.organisation_id is None:
                continue
            if per_org.get(booking.organisation_id, 0) >= limit:
                continue
            per_org[booking.organisation_id] = per_org.get(booking.organisation_id, 0) + 1
        if deadline is not None:
            booking.status = BookingStatus.OFFERED
            booking.offered_at = now
            booking.offer_expires_at = deadline
        else:
            booking.status = BookingStatus.CONFIRMED
            booking.confirmed_at = now
        free -= 1
        promoted.append(booking)
    if deadline is not None:
        await notify(session, event, promoted, "booking_offered")
    else:
        await notify(session, event, promoted, "booking_promoted", method="REQUEST")
    await session.flush()
    return promoted


async def _withdraw_excess_offers(
    session: AsyncSession, event: Event, counts: queries.SeatCounts
) -> None:
    """Open offers beyond the capacity or an organisation's share go back to the waiting
    list, the newest first, each member told; ``counts`` is brought up to date. Confirmed
    seats are never touched (rule 5)."""
    limit = event.seats_per_organisation
    over_org = limit is not None and any(
        n > limit for (e, org), n in counts.taken_by_org.items() if e == event.id
    )
    if counts.taken[event.id] <= event.capacity and not over_org:
        return
    offers = list(
        await session.scalars(
            select(Booking)
            .where(Booking.event_id == event.id, Booking.status == BookingStatus.OFFERED)
            .order_by(Booking.offered_at.desc(), Booking.id.desc())
            .options(selectinload(Booking.member))
        )
    )
    withdrawn = []
    for booking in offers:
        key = (event.id, booking.organisation_id)
        too_many = counts.taken[event.id] > event.capacity
        if not too_many and not (limit is not None and counts.taken_by_org[key] > limit):
            continue
        withdrawn.append(booking)
        counts.taken[event.id] -= 1
        counts.taken_by_org[key] -= 1
        counts.waiting[event.id] += 1
    if withdrawn:
        await notify(session, event, withdrawn, "offer_withdrawn")
        for booking in withdrawn:
            booking.status = BookingStatus.WAITING
            booking.offered_at = None
            booking.offer_expires_at = None
        await session.flush()
