"""The retention job: personal data goes when its period is over (DESIGN.md rule 16).

The periods come from :class:`booking.settings.Retention`; what each rule means in words is
in booking.privacy.rules. The job is a tuple of named steps, each ``(name, step)`` with
``step(sessions, now, rules) -> int`` (rows deleted or emptied), run one after another.

Exactly once, whatever runs it: each step deletes (or empties) one batch of due rows per
transaction with a conditional ``DELETE``/``UPDATE … RETURNING`` whose condition is checked
again on the row itself, so two processes never count the same row, a process killed midway
leaves whole batches behind, and the next run takes the rest. Running it again changes
nothing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from booking.core.sessions import IDLE_TIMEOUT
from booking.core.transactions import write_transaction
from booking.jobs import messages
from booking.jobs.scheduler import JobContext
from booking.mail.models import OutboxMessage
from booking.members.models import Member, SignInLinkUse, WebSession
from booking.members.services import SIGN_IN_LINK_MAX_AGE
from booking.newsletter.models import Subscription, SubscriptionStatus
from booking.organisations.models import ApplicationStatus, JoiningApplication
from booking.privacy.anonymise import anonymise_due_bookings
from booking.privacy.inactive import tidy_inactive_members
from booking.privacy.models import AuditEntry
from booking.privacy.placeholder import PLACEHOLDER_EMAIL
from booking.privacy.rules import NEWSLETTER_PROOF_YEARS, NEWSLETTER_UNCONFIRMED_DAYS
from booking.settings import Retention
from courses.certificates.models import Certificate
from materials.models import MaterialOrder, OrderStatus

BATCH = 500
"""Rows deleted or emptied in one transaction."""

Sessions = async_sessionmaker[AsyncSession]
Step = Callable[[Sessions, datetime, Retention], Awaitable[int]]


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the 31st becomes the
    month's last day)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=moment.tzinfo)
    last_day = (following - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


async def _one_batch(
    sessions: Sessions,
    key: InstrumentedAttribute[Any],
    due: ColumnElement[bool],
    values: dict[str, Any] | None,
) -> int:
    """Delete (``values`` None) or update one batch of due rows in a transaction of its
    own; the condition is part of the statement, so a row another process took meanwhile
    is left out."""
    table = key.class_
    batch = select(key).where(due).order_by(key).limit(BATCH).scalar_subquery()
    statement = (
        delete(table).where(key.in_(batch), due)
        if values is None
        else update(table).where(key.in_(batch), due).values(**values)
    )
    async with sessions() as session, write_transaction(session):
        rows = await session.scalars(
            statement.returning(key).execution_options(synchronize_session=False)
        )
        return len(list(rows))


async def _drain(
    sessions: Sessions,
    key: InstrumentedAttribute[Any],
    due: ColumnElement[bool],
    values: dict[str, Any] | None = None,
) -> int:
    total = 0
    while done := await _one_batch(sessions, key, due, values):
        total += done
    return total


async def delete_sent_mail(sessions: Sessions, now: datetime, rules: Retention) -> int:
    """Sent mails and dead letters, ``sent_mail_days`` after sending or giving up."""
    cutoff = now - timedelta(days=rules.sent_mail_days)
    due = or_(OutboxMessage.sent_at <= cutoff, OutboxMessage.failed_at <= cutoff)
    return await _drain(sessions, OutboxMessage.id, due)


async def delete_used_sign_in_links(sessions: Sessions, now: datetime, rules: Retention) -> int:
    """A used link's nonce, once the link itself has expired (it cannot be used again)."""
    cutoff = now - timedelta(seconds=SIGN_IN_LINK_MAX_AGE)
    return await _drain(sessions, SignInLinkUse.nonce, SignInLinkUse.used_at <= cutoff)


async def delete_ended_sessions(sessions: Sessions, now: datetime, rules: Retention) -> int:
    """Web sessions past their absolute lifetime or their idle timeout."""
    due = or_(WebSession.expires_at <= now, WebSession.last_seen_at <= now - IDLE_TIMEOUT)
    return await _drain(sessions, WebSession.id_hash, due)


async def delete_pending_accounts(sessions: Sessions, now: datetime, rules: Retention) -> int:
    """Accounts still waiting for approval, or rejected, ``pending_account_days`` after the
    first sign-in. Their sessions and tokens go with them (ON DELETE CASCADE)."""
    cutoff = now - timedelta(days=rules.pending_account_days)
    due = (
        Member.status.in_(("pending", "rejected"))
        & (Member.created_at <= cutoff)
        # The placeholder that erased people's bookings belong to is "rejected" too; with it
        # those bookings would go (ON DELETE CASCADE), and the figures with them.
        & (Member.email != PLACEHOLDER_EMAIL)
    )
    return await _drain(sessions, Member.id, due)


async def delete_old_certificates(sessions: Sessions, now: datetime, rules: Retention) -> int:
    """The certificate register's rows, ``certificate_years`` after issue."""
    cutoff = months_before(now, 12 * rules.certificate_years)
    return await _drain(sessions, Certificate.id, Certificate.issued_at <= cutoff)


async def delete_old_audit_entries(sessions: Sessions, now: datetime, rules: Retention) -> int:
    cutoff = months_before(now, rules.audit_months)
    return await _drain(sessions, AuditEntry.id, AuditEntry.created_at <= cutoff)


async def delete_stale_applications(sessions: Sessions, now: datetime, rules: Retention) -> int:
    """Applications to join never confirmed (from sending) or declined (from the decision),
    ``application_days`` on."""
    cutoff = now - timedelta(days=rules.application_days)
    due = or_(
        (JoiningApplication.status == ApplicationStatus.UNCONFIRMED)
        & (JoiningApplication.created_at <= cutoff),
        (JoiningApplication.status == ApplicationStatus.DECLINED)
        & (JoiningApplication.decided_at <= cutoff),
    )
    return await _drain(sessions, JoiningApplication.id, due)


async def empty_closed_order_contacts(sessions: Sessions, now: datetime, rules: Retention) -> int:
    """The contact person and note of orders shipped, rejected or cancelled
    ``order_months`` ago; the order and its quantities stay."""
    cutoff = months_before(now, rules.order_months)
    closed = (OrderStatus.SHIPPED, OrderStatus.REJECTED, OrderStatus.CANCELLED)
    due = (
        MaterialOrder.status.in_(closed)
        & (MaterialOrder.changed_at <= cutoff)
        & or_(MaterialOrder.contact != "", MaterialOrder.note != "")
    )
    return await _drain(sessions, MaterialOrder.id, due, {"contact": "", "note": ""})


async def delete_newsletter_subscriptions(
    sessions: Sessions, now: datetime, rules: Retention
) -> int:
    """Newsletter sign-ups never confirmed, and the consent records of those who
    unsubscribed long ago (booking.privacy.rules)."""
    due = or_(
        (Subscription.status == SubscriptionStatus.PENDING)
        & (Subscription.requested_at <= now - timedelta(days=NEWSLETTER_UNCONFIRMED_DAYS)),
        (Subscription.status == SubscriptionStatus.UNSUBSCRIBED)
        & (Subscription.unsubscribed_at <= months_before(now, 12 * NEWSLETTER_PROOF_YEARS)),
    )
    return await _drain(sessions, Subscription.id, due)


async def inactive_members(sessions: Sessions, now: datetime, rules: Retention) -> int:
    """Members without a sign-in for ``inactive_months`` are asked whether to stay, and
    erased ``inactive_grace_days`` later (booking.privacy.inactive); how many of both."""
    asked, erased = await tidy_inactive_members(sessions, now, rules)
    return asked + erased


STEPS: tuple[tuple[str, Step], ...] = (
    ("sent_mail", delete_sent_mail),
    ("sign_in", delete_used_sign_in_links),
    ("sessions", delete_ended_sessions),
    ("pending_accounts", delete_pending_accounts),
    ("certificates", delete_old_certificates),
    ("audit", delete_old_audit_entries),
    ("applications", delete_stale_applications),
    ("orders", empty_closed_order_contacts),
    ("bookings", anonymise_due_bookings),
    ("newsletter", delete_newsletter_subscriptions),
    ("inactive_members", inactive_members),
)
"""The job's steps, named like the rules they apply (booking.privacy.rules)."""


async def apply(
    sessions: Sessions,
    now: datetime,
    rules: Retention,
    steps: tuple[tuple[str, Step], ...] = STEPS,
) -> dict[str, int]:
    """Run every step; how many rows each deleted or emptied."""
    return {name: await step(sessions, now, rules) for name, step in steps}


@functools.cache
def configured_rules() -> Retention:
    """The periods as the environment sets them, read once."""
    return Retention.from_env(os.environ)


async def privacy_retention(context: JobContext) -> str:
    done = await apply(context.sessions, context.now, configured_rules())
    parts = ", ".join(f"{name} {count}" for name, count in done.items())
    return messages.RETENTION_DONE.format(total=sum(done.values()), parts=parts)
