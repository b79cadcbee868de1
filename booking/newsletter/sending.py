"""Sending an issue: one mail per confirmed subscriber through the outbox, exactly once.

The job (booking.jobs.newsletter) writes the mails in batches. Each batch is one write
transaction that locks the issue's row, reads its cursor (the last subscription id
queued), writes the next subscribers' outbox rows with one delivery row each (unique per
issue and subscription) and advances the cursor. Two processes queue one after the other,
never the same subscriber; a process killed midway leaves only whole batches, and the next
run goes on from the cursor. The outbox's sender delivers them, sign-in links first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.core.transactions import write_transaction
from booking.mail.models import OutboxMessage
from booking.mail.services import outbox_row
from booking.newsletter.models import (
    Delivery,
    Issue,
    IssueStatus,
    Subscription,
    SubscriptionStatus,
)
from booking.newsletter.services import ISSUE_TEMPLATE

BATCH = 500
"""Mails written to the outbox in one transaction."""

GiveWay = Callable[[float], Awaitable[None]]


async def queue_batch(
    session: AsyncSession, issue_id: int, now: datetime, limit: int = BATCH
) -> int:
    """Write the next batch of an issue's mails; how many (0: nothing left, the issue is
    then marked sent)."""
    async with write_transaction(session):
        issue = await session.scalar(
            select(Issue)
            .where(Issue.id == issue_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if issue is None or issue.status != IssueStatus.SENDING:
            return 0
        rows = (
            await session.execute(
                select(Subscription.id, Subscription.email)
                .where(
                    Subscription.status == SubscriptionStatus.CONFIRMED,
                    Subscription.id > issue.cursor,
                    Subscription.id <= issue.last_subscription_id,
                    # Confirmed when sending started: not a lower id confirmed since, nor
                    # an address that unsubscribed and subscribed again meanwhile.
                    Subscription.confirmed_at <= issue.send_started_at,
                )
                .order_by(Subscription.id)
                .limit(limit)
            )
        ).all()
        if not rows:
            issue.status = IssueStatus.SENT
            issue.queued_at = now
            issue.recipients = (
                await session.scalar(
                    select(func.count(Delivery.id)).where(Delivery.issue_id == issue.id)
                )
                or 0
            )
            return 0
        message_ids = list(
            await session.scalars(
                insert(OutboxMessage).returning(OutboxMessage.id, sort_by_parameter_order=True),
                [
                    outbox_row(
                        email,
                        ISSUE_TEMPLATE,
                        newsletter_issue_id=issue.id,
                        subscription_id=subscription_id,
                    )
                    for subscription_id, email in rows
                ],
            )
        )
        await session.execute(
            insert(Delivery),
            [
                {"issue_id": issue.id, "subscription_id": subscription_id, "message_id": message}
                for (subscription_id, _), message in zip(rows, message_ids, strict=True)
            ],
        )
        issue.cursor = rows[-1][0]
    return len(rows)


async def issues_to_queue(session: AsyncSession) -> list[int]:
    return list(
        await session.scalars(
            select(Issue.id).where(Issue.status == IssueStatus.SENDING).order_by(Issue.id)
        )
    )


@dataclass(frozen=True)
class Queued:
    issues: int
    mails: int


async def queue_all(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    give_way: GiveWay | None = None,
    issue_id: int | None = None,
) -> Queued:
    """Every issue being sent (or just ``issue_id``), batch after batch, until all its mails
    are in the outbox. With ``give_way`` each batch first waits for a moment without
    requests (at most a second)."""
    async with sessions() as session:
        ids = await issues_to_queue(session)
    if issue_id is not None:
        ids = [i for i in ids if i == issue_id]
    total = 0
    for current in ids:
        async with sessions() as session:
            while True:
                if give_way is not None:
                    await give_way(1.0)
                done = await queue_batch(session, current, now)
                if not done:
                    break
                total += done
    return Queued(len(ids), total)


@dataclass(frozen=True)
class Progress:
    """How far an issue has got: recipients, mails written to the outbox, delivered (or
    sent so long ago that the outbox has forgotten them), given up."""

    status: str
    recipients: int
    queued: int
    sent: int
    failed: int

    @property
    def total(self) -> int:
        """Whom the issue goes to: the recipients fixed at the start, or the mails queued
        when more were (the page, the command line and the progress script say this)."""
        return max(self.recipients, self.queued)

    @property
    def done(self) -> bool:
        return self.status == IssueStatus.SENT and self.sent + self.failed >= self.queued


async def progress(session: AsyncSession, issue: Issue) -> Progress:
    """Counted in one query over the issue's deliveries and their outbox rows."""
    sent = OutboxMessage.id.is_(None) | OutboxMessage.sent_at.is_not(None)
    failed = OutboxMessage.failed_at.is_not(None) & OutboxMessage.sent_at.is_(None)
    queued, sent_count, failed_count = (
        await session.execute(
            select(
                func.count(Delivery.id),
                func.coalesce(func.sum(case((sent, 1), else_=0)), 0),
                func.coalesce(func.sum(case((failed, 1), else_=0)), 0),
            )
            .select_from(Delivery)
            .outerjoin(OutboxMessage, OutboxMessage.id == Delivery.message_id)
            .where(Delivery.issue_id == issue.id)
        )
    ).one()
    return Progress(issue.status, issue.recipients, int(queued), int(sent_count), int(failed_count))
