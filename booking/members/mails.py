"""What members' mails show: the member, read fresh when the message is sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from booking.mail.render import Loaded
from booking.members.models import Member
from booking.settings import Settings


async def member_context(
    session: AsyncSession, settings: Settings, stored: Mapping[str, Any]
) -> Loaded:
    """For messages whose context names a ``member_id``."""
    member = await session.get(Member, int(stored["member_id"]))
    if member is None:
        raise LookupError("member is gone")
    return Loaded({"member": member})
