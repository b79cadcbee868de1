"""What the feedback invitation's mail shows besides its booking: until when the link works."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from booking.mail.render import Loaded
from booking.settings import Settings
from courses.feedback.models import FeedbackInvitation


async def invitation_context(
    session: AsyncSession, settings: Settings, stored: Mapping[str, Any]
) -> Loaded:
    """For messages whose context names a ``feedback_invitation_id`` (with its ``token``)."""
    invitation = await session.get(FeedbackInvitation, int(stored["feedback_invitation_id"]))
    if invitation is None:
        raise LookupError("feedback invitation is gone")
    link = f"{settings.base_url}/rueckmeldung/{stored['token']}"
    return Loaded({"invitation": invitation, "feedback_link": link})
