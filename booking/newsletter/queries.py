"""Reading the newsletter for pages and the API: the organisers' list of issues, the
members' archive, the subscribers' numbers, one's own subscription."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.errors import NotFound
from booking.core.paging import Page, after_key, decode_cursor, encode_cursor
from booking.members.models import Member
from booking.newsletter import messages
from booking.newsletter.issues import require_organiser
from booking.newsletter.models import Issue, IssueStatus, Subscription
from booking.newsletter.services import subscription_of

ISSUES_PAGE = 20
ARCHIVE_PAGE = 10
PUBLISHED = (IssueStatus.SENDING, IssueStatus.SENT)


async def issues_page(
    session: AsyncSession, actor: Member, *, cursor: str | None = None, limit: int = ISSUES_PAGE
) -> Page[Issue]:
    """Every issue, drafts included, newest first (organisers)."""
    require_organiser(actor)
    query = select(Issue)
    total = await session.scalar(select(func.count(Issue.id)))
    if cursor:
        query = query.where(Issue.id < decode_cursor(cursor, (int,))[0])
    rows = list(await session.scalars(query.order_by(Issue.id.desc()).limit(limit + 1)))
    following = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return Page(rows[:limit], following, total)


async def archive_page(
    session: AsyncSession, *, cursor: str | None = None, limit: int = ARCHIVE_PAGE
) -> Page[Issue]:
    """Issues that went out, the latest first (members)."""
    order = (Issue.send_started_at, Issue.id)
    query = select(Issue).where(Issue.status.in_(PUBLISHED), Issue.send_started_at.is_not(None))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    if cursor:
        query = query.where(
            after_key(order, decode_cursor(cursor, (datetime, int)), descending=True)
        )
    rows = list(await session.scalars(query.order_by(*(c.desc() for c in order)).limit(limit + 1)))
    last = rows[limit - 1] if len(rows) > limit else None
    following = (
        encode_cursor(last.send_started_at, last.id)
        if last is not None and last.send_started_at is not None
        else None
    )
    return Page(rows[:limit], following, total)


async def archived_issue(session: AsyncSession, issue_id: int) -> Issue:
    issue = await session.get(Issue, issue_id)
    if issue is None or issue.status not in PUBLISHED:
        raise NotFound(messages.ISSUE_UNKNOWN)
    return issue


async def subscriber_counts(session: AsyncSession) -> dict[str, int]:
    """Subscriptions by status (pending, confirmed, unsubscribed)."""
    rows = await session.execute(
        select(Subscription.status, func.count(Subscription.id)).group_by(Subscription.status)
    )
    return {status: int(count) for status, count in rows}


async def own_subscription(session: AsyncSession, member: Member) -> Subscription | None:
    return await subscription_of(session, member.email)
