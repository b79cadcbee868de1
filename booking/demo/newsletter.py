"""The demo's newsletter: the office and ten members subscribed on their profiles two months
ago, last month's issue sent to them (it is in the archive, and the organisers see it as
sent), and this month's issue in draft. Jana Schulte, the demo member, is not subscribed,
so that the one-click subscription on the profile can be tried."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from booking.members.models import Member
from booking.newsletter import issues, sending, services

SENT = (
    "Neues aus dem Netzwerk – Herbst",
    """Liebe Kolleginnen und Kollegen,

das Netzwerk ist im Herbst um **zwölf Organisationen** gewachsen. Willkommen!

## Termine

- BIUS I und II: neue Termine im Frühjahr, Anmeldung im [Programm](https://sicherimdienst.example/)
- Online-Sprechstunde: jeden ersten Mittwoch im Monat
- Netzwerktreffen: im März in Münster

## Aus der Praxis

Türkeile und Notfallkarten bestellen Rettungsdienste und Feuerwehren jetzt direkt hier.

Ihre Geschäftsstelle #sicherimDienst
""",
)
DRAFT = (
    "Neues aus dem Netzwerk – Winter",
    """Liebe Kolleginnen und Kollegen,

zum Jahresende ein Rückblick in Zahlen und die ersten Termine des neuen Jahres.

Ihre Geschäftsstelle #sicherimDienst
""",
)


async def add_newsletter(
    session: AsyncSession, now: datetime, organiser: Member, members: list[Member]
) -> None:
    """Through the newsletter's own services, as the office and the members would."""
    subscribed = now - timedelta(days=60)
    for member in [organiser, *members[1:11]]:
        await services.subscribe_member(session, member=member, now=subscribed)
    subject, body = SENT
    written = now - timedelta(days=22)
    issue = await issues.create_issue(
        session, actor=organiser, subject=subject, body_markdown=body, now=written
    )
    started = now - timedelta(days=21)
    await issues.start_sending(session, issue_id=issue.id, actor=organiser, now=started)
    while await sending.queue_batch(session, issue.id, started):
        pass
    subject, body = DRAFT
    await issues.create_issue(
        session, actor=organiser, subject=subject, body_markdown=body, now=now - timedelta(days=1)
    )
