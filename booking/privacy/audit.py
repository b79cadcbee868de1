"""Recording actions on someone else's data (DESIGN.md rule 12): in the caller's transaction,
so that the entry exists exactly when the change does."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from booking.members.models import Member
from booking.privacy.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    actor: Member,
    action: str,
    now: datetime,
    event_id: int | None = None,
    member_id: int | None = None,
    booking_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Add an entry to the session; the caller's commit writes it with the change."""
    entry = AuditEntry(
        created_at=now,
        actor_id=actor.id,
        action=action,
        event_id=event_id,
        member_id=member_id,
        booking_id=booking_id,
        before=dict(before or {}),
        after=dict(after or {}),
        reason=reason,
    )
    session.add(entry)
    return entry
