"""Newsletter test data: subscribers in bulk, an issue."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from booking.newsletter.models import Issue, Subscription
from tests.factories import NOW


async def subscribers(
    db: AsyncSession, count: int, domain: str = "kreis-borken.example", status: str = "confirmed"
) -> None:
    """``count`` subscriptions (confirmed by default), written in one statement."""
    await db.execute(
        insert(Subscription),
        [
            {
                "email": f"person{n}@{domain}",
                "status": status,
                "source": "form",
                "consent_version": "2026-12",
                "requested_at": NOW,
                "confirmed_at": NOW if status == "confirmed" else None,
                "confirm_nonce": f"n{n}",
                "unsubscribe_key": f"k{n}",
            }
            for n in range(count)
        ],
    )
    await db.commit()


async def issue(db: AsyncSession, subject: str = "Neues aus dem Netzwerk") -> Issue:
    row = Issue(
        subject=subject,
        body_markdown="Guten Tag,\n\n**neue** Termine: [Programm](https://sicherimdienst.example/).\n",
        status="draft",
        created_at=NOW,
        updated_at=NOW,
    )
    db.add(row)
    await db.commit()
    return row
