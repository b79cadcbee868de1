"""The offer expiry job: offers of a freed seat not accepted by their deadline lapse, and
the seat is offered to the next waiting member (booking.bookings.offers), each exactly
once, however many processes run it and wherever one stops."""

from __future__ import annotations

from booking.bookings.offers import expire_due
from booking.jobs import messages
from booking.jobs.scheduler import JobContext


async def offer_expiry(context: JobContext) -> str:
    done = await expire_due(context.sessions, context.now)
    summary = messages.OFFERS_DONE.format(expired=len(done.expired), offered=len(done.offered_next))
    if done.busy:
        summary += " " + messages.SWEEP_BUSY.format(busy=done.busy)
    return summary
