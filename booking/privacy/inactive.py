"""Members inactive for Settings.retention.inactive_months are asked by mail whether to
stay; inactive_grace_days later, if they have not signed in since (signing in clears
``stay_asked_at``), they are erased like at their own request (booking.privacy.erasure).

Exactly once across processes: asking claims a batch with a conditional UPDATE (not asked
yet) in the transaction that writes the mails; erasing locks the member's row and checks
again that they are due, so a second process finds them gone or no longer due.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.core.formatting import date_de
from booking.core.transactions import write_transaction
from booking.mail.services import enqueue
from booking.members.models import Member
from booking.privacy.erasure import erase_in_transaction
from booking.privacy.placeholder import PLACEHOLDER_EMAIL
from booking.settings import Retention

BATCH = 100
"""Members asked in one transaction."""


def inactive_since(now: datetime, rules: Retention) -> datetime:
    """Members without a sign-in since before this are asked."""
    cutoff: datetime = now - relativedelta(months=rules.inactive_months)
    return cutoff


def asked_before(now: datetime, rules: Retention) -> datetime:
    """Members asked before this, and not signed in since, are erased."""
    return now - timedelta(days=rules.inactive_grace_days)


async def ask_batch(session: AsyncSession, now: datetime, rules: Retention) -> int:
    since = inactive_since(now, rules)
    due = (
        select(Member.id)
        .where(
            Member.status == "active",
            Member.email != PLACEHOLDER_EMAIL,
            Member.last_signed_in_at < since,
            Member.stay_asked_at.is_(None),
        )
        .order_by(Member.id)
        .limit(BATCH)
    )
    async with write_transaction(session):
        claimed = list(
            await session.scalars(
                update(Member)
                .where(
                    Member.id.in_(due.scalar_subquery()),
                    Member.stay_asked_at.is_(None),
                    Member.last_signed_in_at < since,
                )
                .values(stay_asked_at=now)
                .returning(Member.id)
                .execution_options(synchronize_session=False)
            )
        )
        rows = await session.execute(select(Member.id, Member.email).where(Member.id.in_(claimed)))
        emails = {member_id: email for member_id, email in rows}
        erase_on = date_de(now + timedelta(days=rules.inactive_grace_days))
        for member_id in sorted(claimed):
            enqueue(
                session,
                emails[member_id],
                "member_stay_asked",
                member_id=member_id,
                months=rules.inactive_months,
                erase_on=erase_on,
            )
    return len(claimed)


def _due_for_erasure(now: datetime, rules: Retention) -> list[object]:
    return [
        Member.status == "active",
        Member.email != PLACEHOLDER_EMAIL,
        Member.stay_asked_at.is_not(None),
        Member.stay_asked_at <= asked_before(now, rules),
    ]


async def erase_one(session: AsyncSession, member_id: int, now: datetime, rules: Retention) -> bool:
    """Erase the member if they are still due (their row locked first); whether this did."""
    async with write_transaction(session):
        member = await session.scalar(
            select(Member)
            .where(Member.id == member_id, *_due_for_erasure(now, rules))  # type: ignore[arg-type]
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if member is None:
            return False
        await erase_in_transaction(session, member_id=member.id, actor=member, now=now, by="member")
    return True


async def tidy_inactive_members(
    sessions: async_sessionmaker[AsyncSession], now: datetime, rules: Retention
) -> tuple[int, int]:
    """Ask the members inactive for long whether to stay, erase those who did not answer in
    time; how many this call asked and erased."""
    asked = erased = 0
    async with sessions() as session:
        while done := await ask_batch(session, now, rules):
            asked += done
        last = 0
        while True:
            due = list(
                await session.scalars(
                    select(Member.id)
                    .where(Member.id > last, *_due_for_erasure(now, rules))  # type: ignore[arg-type]
                    .order_by(Member.id)
                    .limit(BATCH)
                )
            )
            await session.commit()
            if not due:
                break
            for member_id in due:
                erased += await erase_one(session, member_id, now, rules)
            last = due[-1]
    return asked, erased
