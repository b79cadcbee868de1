"""Reading the outbox for the organisers' page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.errors import Forbidden
from booking.mail.models import OutboxMessage
from booking.members.models import Member

PER_PAGE = 50


@dataclass(frozen=True)
class FailedPage:
    messages: list[OutboxMessage]
    total: int
    page: int
    pages: int


async def failed_messages(
    session: AsyncSession, actor: Member, page: int = 1, per_page: int = PER_PAGE
) -> FailedPage:
    """Dead letters, newest first, one page of them."""
    if not actor.is_organiser:
        raise Forbidden()
    failed = (OutboxMessage.failed_at.is_not(None), OutboxMessage.sent_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(OutboxMessage).where(*failed))
    pages = max(1, -(-(total or 0) // per_page))
    page = min(max(page, 1), pages)
    rows = await session.scalars(
        select(OutboxMessage)
        .where(*failed)
        .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return FailedPage(list(rows), total or 0, page, pages)
