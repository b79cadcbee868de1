"""The lapse job: requests that their organisation did not release by the event's release
deadline are cancelled, each member told once (booking.bookings.release)."""

from __future__ import annotations

from booking.bookings.release import lapse_due
from booking.jobs import messages
from booking.jobs.scheduler import JobContext


async def release_lapse(context: JobContext) -> str:
    lapsed = await lapse_due(context.sessions, context.now)
    return messages.LAPSE_DONE.format(lapsed=lapsed)
