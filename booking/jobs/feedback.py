"""The feedback job: after an event's last session, each attendee gets one mail with a link to
the anonymous feedback form (courses.feedback.invitations), exactly once, however many
processes run it and wherever one stops."""

from __future__ import annotations

from booking.jobs import messages
from booking.jobs.scheduler import JobContext
from courses.feedback.invitations import invite


async def feedback_invitations(context: JobContext) -> str:
    done = await invite(context.sessions, context.now)
    return messages.FEEDBACK_INVITATIONS_DONE.format(events=done.events, invited=done.invited)
