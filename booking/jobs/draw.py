"""The draw at the registration deadline: every event that allocates by draw is drawn once
(booking.bookings.draw), however many processes run the job and wherever one stops."""

from __future__ import annotations

from booking.bookings.draw import draw_due
from booking.jobs import messages
from booking.jobs.scheduler import JobContext


async def draw_allocation(context: JobContext) -> str:
    done = await draw_due(context.sessions, context.now)
    summary = messages.DRAW_DONE.format(events=done.events, requests=done.requests)
    if done.busy:
        summary += " " + messages.SWEEP_BUSY.format(busy=done.busy)
    return summary
