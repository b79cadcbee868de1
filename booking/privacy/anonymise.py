"""Bookings of past events lose their person Settings.retention.booking_months after the
event's last session: the booking (event, organisation, status) stays for the figures and
belongs to the placeholder "Gelöschte Person"; its attendance marks stay with it, so they
name nobody either.

Exactly once across processes: each batch is claimed by a conditional UPDATE (the booking
not yet anonymised) that does the work itself; a second process finds nothing left to
claim, and a run that dies leaves only whole batches behind.
"""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.bookings.models import Booking
from booking.core.transactions import write_transaction
from booking.privacy.placeholder import placeholder_id
from booking.settings import Retention
from courses.models import EventSession

BATCH = 200
"""Bookings anonymised in one transaction."""


def booking_cutoff(now: datetime, rules: Retention) -> datetime:
    """Events whose last session ended before this are due."""
    cutoff: datetime = now - relativedelta(months=rules.booking_months)
    return cutoff


async def anonymise_batch(session: AsyncSession, now: datetime, rules: Retention) -> int:
    ends = (
        select(EventSession.event_id)
        .group_by(EventSession.event_id)
        .having(func.max(EventSession.ends_at) < booking_cutoff(now, rules))
    )
    due = (
        select(Booking.id)
        .where(Booking.event_id.in_(ends), Booking.anonymised_at.is_(None))
        .order_by(Booking.id)
        .limit(BATCH)
    )
    async with write_transaction(session):
        if await session.scalar(due.limit(1)) is None:
            return 0
        nobody = await placeholder_id(session)
        claimed = list(
            await session.scalars(
                update(Booking)
                .where(Booking.id.in_(due.scalar_subquery()), Booking.anonymised_at.is_(None))
                .values(member_id=nobody, anonymised_at=now)
                .returning(Booking.id)
                .execution_options(synchronize_session=False)
            )
        )
    return len(claimed)


async def anonymise_due_bookings(
    sessions: async_sessionmaker[AsyncSession], now: datetime, rules: Retention
) -> int:
    """Anonymise every due booking, a batch per transaction; how many this call did."""
    total = 0
    async with sessions() as session:
        while done := await anonymise_batch(session, now, rules):
            total += done
    return total
