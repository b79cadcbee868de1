"""Reading the audit log: per event, per member, by who acted, by action and time; newest
first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.core.errors import Forbidden
from booking.core.paging import Page, decode_cursor, encode_cursor
from booking.members.models import Member
from booking.privacy import messages
from booking.privacy.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    event_id: int | None = None
    member_id: int | None = None
    """Whose data the action changed."""
    actor_id: int | None = None
    """Who acted."""
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    """Entries written before this moment."""


async def entries_page(
    session: AsyncSession,
    actor: Member,
    *,
    event_id: int | None = None,
    member_id: int | None = None,
    where: AuditFilter | None = None,
    cursor: str | None = None,
    limit: int,
) -> Page[AuditEntry]:
    """Entries matching the filter (or about an event or a member), newest first;
    organisers only."""
    if not actor.is_organiser:
        raise Forbidden(messages.NOT_ALLOWED)
    where = where or AuditFilter(event_id=event_id, member_id=member_id)
    query = select(AuditEntry)
    if where.event_id is not None:
        query = query.where(AuditEntry.event_id == where.event_id)
    if where.member_id is not None:
        query = query.where(AuditEntry.member_id == where.member_id)
    if where.actor_id is not None:
        query = query.where(AuditEntry.actor_id == where.actor_id)
    if where.action is not None:
        query = query.where(AuditEntry.action == where.action)
    if where.since is not None:
        query = query.where(AuditEntry.created_at >= where.since)
    if where.until is not None:
        query = query.where(AuditEntry.created_at < where.until)
    if cursor:
        (last_id,) = decode_cursor(cursor, (int,))
        query = query.where(AuditEntry.id < last_id)
    rows = list(
        await session.scalars(
            query.options(
                selectinload(AuditEntry.actor),
                selectinload(AuditEntry.member),
                selectinload(AuditEntry.event),
            )
            .order_by(AuditEntry.id.desc())
            .limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1].id) if more else None)
