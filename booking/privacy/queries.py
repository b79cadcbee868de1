"""Reading the audit log: per event and per member, newest first, a page at a time."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.core.errors import Forbidden
from booking.core.paging import Page, decode_cursor, encode_cursor
from booking.members.models import Member
from booking.privacy import messages
from booking.privacy.models import AuditEntry


async def entries_page(
    session: AsyncSession,
    actor: Member,
    *,
    event_id: int | None = None,
    member_id: int | None = None,
    cursor: str | None = None,
    limit: int,
) -> Page[AuditEntry]:
    """Entries about an event or a member (or all), newest first; organisers only."""
    if not actor.is_organiser:
        raise Forbidden(messages.NOT_ALLOWED)
    query = select(AuditEntry)
    if event_id is not None:
        query = query.where(AuditEntry.event_id == event_id)
    if member_id is not None:
        query = query.where(AuditEntry.member_id == member_id)
    if cursor:
        (last_id,) = decode_cursor(cursor, (int,))
        query = query.where(AuditEntry.id < last_id)
    rows = list(
        await session.scalars(
            query.options(selectinload(AuditEntry.actor), selectinload(AuditEntry.member))
            .order_by(AuditEntry.id.desc())
            .limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1].id) if more else None)
