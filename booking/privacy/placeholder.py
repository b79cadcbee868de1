"""The placeholder person "Gelöschte Person": the member that erased members' and anonymised
bookings belong to, so that every foreign key stays intact and the figures keep their counts.

One row, created on demand. Its address lies under ``.invalid`` (a name that never resolves,
RFC 6761), which the sign-in refuses as no mailbox, and it is ``rejected``, so that no link
and no session can ever be its. Deleting it would delete the anonymised bookings with it
(``bookings.member_id`` cascades): retention rules must leave it alone.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booking.members.models import Member

PLACEHOLDER_EMAIL = "geloeschte-person@sicherimdienst.invalid"
PLACEHOLDER_FIRST_NAME = "Gelöschte"
PLACEHOLDER_LAST_NAME = "Person"
PLACEHOLDER_NAME = f"{PLACEHOLDER_FIRST_NAME} {PLACEHOLDER_LAST_NAME}"


async def placeholder_id(session: AsyncSession) -> int:
    """The placeholder's id, creating it in the caller's transaction if it does not exist yet
    (two transactions racing to create it: the loser's insert fails on the unique address,
    and it reads the winner's row)."""
    found = await session.scalar(select(Member.id).where(Member.email == PLACEHOLDER_EMAIL))
    if found is not None:
        return found
    try:
        async with session.begin_nested():
            row = Member(
                email=PLACEHOLDER_EMAIL,
                first_name=PLACEHOLDER_FIRST_NAME,
                last_name=PLACEHOLDER_LAST_NAME,
                status="rejected",
                role="member",
            )
            session.add(row)
        return row.id
    except IntegrityError:
        found = await session.scalar(select(Member.id).where(Member.email == PLACEHOLDER_EMAIL))
        assert found is not None
        return found
