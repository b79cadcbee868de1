"""The newsletter job: every issue being sent gets its mails written to the outbox, batch
after batch, each subscriber exactly once (booking.newsletter.sending), however many
processes run it and wherever one stops."""

from __future__ import annotations

from booking.jobs.scheduler import JobContext
from booking.newsletter import messages
from booking.newsletter.sending import queue_all


async def newsletter_sending(context: JobContext) -> str:
    done = await queue_all(context.sessions, context.now, context.give_way)
    return messages.SENDING_DONE.format(issues=done.issues, queued=done.mails)
