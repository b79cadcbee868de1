"""The reminder job: every due reminder before an event (booking.bookings.reminders), each
confirmed participant exactly once, however many processes run it and wherever one stops."""

from __future__ import annotations

from booking.bookings.reminders import remind
from booking.jobs import messages
from booking.jobs.scheduler import JobContext


async def booking_reminders(context: JobContext) -> str:
    done = await remind(context.sessions, context.now)
    return messages.REMINDERS_DONE.format(events=done.events, bookings=done.bookings)
