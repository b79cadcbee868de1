"""Sending an issue, on both databases: the recipients fixed at the start, one outbox mail
per confirmed subscriber in batches, never twice (also with two senders at once), the
progress, sign-in links still first in the outbox, and the mail as it arrives at a real
SMTP server with both unsubscribe headers working."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.app import create_app
from booking.core.db import session_factory, utcnow
from booking.core.errors import Forbidden, InvalidState
from booking.mail.models import OutboxMessage
from booking.mail.sender import claim_due
from booking.mail.services import outbox_row
from booking.newsletter import issues, sending, services
from booking.newsletter.models import Delivery, Issue, Subscription
from booking.privacy.erasure import erase_member
from tests import factories
from tests.booking.newsletter import factories as newsletter
from tests.factories import NOW
from tests.mail import mail_settings, send
from tests.smtp import SmtpServer, text_body


async def issue_mails(db: AsyncSession) -> list[OutboxMessage]:
    await db.commit()
    return list(
        await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == "newsletter_issue")
            .order_by(OutboxMessage.id)
        )
    )


async def test_sending_fixes_the_recipients_and_goes_out_once(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    organiser = await factories.member(db, role="organiser")
    await newsletter.subscribers(db, 1, domain="early.example", status="pending")
    await newsletter.subscribers(db, 1_203)
    await newsletter.subscribers(db, 5, domain="pending.example", status="pending")
    issue = await newsletter.issue(db)
    started = await issues.start_sending(db, issue_id=issue.id, actor=organiser, now=NOW)
    assert (started.status, started.recipients) == ("sending", 1_203)
    with pytest.raises(InvalidState):
        await issues.start_sending(db, issue_id=issue.id, actor=organiser, now=NOW)
    # one more confirms after the start, one unsubscribes: the first waits for the next issue
    await newsletter.subscribers(db, 1, domain="late.example")
    # so does a pending address (its id below the last one at the start) confirmed since
    await db.execute(
        update(Subscription)
        .where(Subscription.email == "person0@early.example")
        .values(status="confirmed", confirmed_at=NOW + timedelta(minutes=1))
    )
    await db.execute(
        update(Subscription)
        .where(Subscription.email == "person7@kreis-borken.example")
        .values(status="unsubscribed")
    )
    await db.commit()

    done = await sending.queue_all(session_factory(engine), NOW)
    assert (done.issues, done.mails) == (1, 1_202)
    again = await sending.queue_all(session_factory(engine), NOW)
    assert (again.issues, again.mails) == (0, 0)
    mails = await issue_mails(db)
    recipients = [m.recipient for m in mails]
    assert len(recipients) == len(set(recipients)) == 1_202
    assert "person7@kreis-borken.example" not in recipients
    assert not any(
        r.endswith(("late.example", "pending.example", "early.example")) for r in recipients
    )
    issue = await db.get_one(Issue, issue.id, populate_existing=True)
    assert (issue.status, issue.recipients) == ("sent", 1_202)
    progress = await sending.progress(db, issue)
    assert (progress.queued, progress.sent, progress.failed, progress.done) == (1_202, 0, 0, False)
    await db.execute(update(OutboxMessage).values(sent_at=NOW))
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == mails[0].id)
        .values(sent_at=None, failed_at=NOW)
    )
    await db.commit()
    progress = await sending.progress(db, issue)
    assert (progress.sent, progress.failed, progress.done) == (1_201, 1, True)


async def test_unsubscribing_mid_send_withdraws_the_mail_from_the_progress(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    organiser = await factories.member(db, role="organiser")
    await newsletter.subscribers(db, 3)
    issue = await newsletter.issue(db)
    await issues.start_sending(db, issue_id=issue.id, actor=organiser, now=NOW)
    await sending.queue_all(session_factory(engine), NOW)
    first, *others = await issue_mails(db)

    assert await services.unsubscribe_email(db, email=first.recipient, now=NOW)

    issue = await db.get_one(Issue, issue.id, populate_existing=True)
    progress = await sending.progress(db, issue)
    assert (progress.queued, progress.sent, progress.done) == (2, 0, False)
    await db.execute(update(OutboxMessage).values(sent_at=NOW))
    await db.commit()
    progress = await sending.progress(db, issue)
    assert (progress.queued, progress.sent, progress.done) == (2, 2, True)
    assert [m.recipient for m in await issue_mails(db)] == [m.recipient for m in others]


async def test_two_senders_at_once_write_each_mail_once(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    await newsletter.subscribers(db, 1_500)
    issue = await newsletter.issue(db)
    await issues.start_sending(db, issue_id=issue.id, actor=None, now=NOW)
    sessions = session_factory(engine)
    first, second = await asyncio.gather(
        sending.queue_all(sessions, NOW), sending.queue_all(sessions, NOW)
    )
    assert first.mails + second.mails == 1_500
    mails = await issue_mails(db)
    assert len({m.recipient for m in mails}) == len(mails) == 1_500
    assert await db.scalar(select(func.count(Delivery.id))) == 1_500


async def test_only_organisers_send(db: AsyncSession) -> None:
    member = await factories.member(db)
    await newsletter.subscribers(db, 1)
    issue = await newsletter.issue(db)
    with pytest.raises(Forbidden):
        await issues.start_sending(db, issue_id=issue.id, actor=member, now=NOW)
    with pytest.raises(Forbidden):
        await issues.send_test(db, issue_id=issue.id, actor=member)


async def test_no_subscribers_no_sending(db: AsyncSession) -> None:
    issue = await newsletter.issue(db)
    with pytest.raises(InvalidState, match="keine bestätigten"):
        await issues.start_sending(db, issue_id=issue.id, actor=None, now=NOW)


async def test_sign_in_links_and_booking_mails_go_before_thousands_of_issue_mails(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    await newsletter.subscribers(db, 3_000)
    issue = await newsletter.issue(db)
    await issues.start_sending(db, issue_id=issue.id, actor=None, now=NOW)
    await sending.queue_all(session_factory(engine), NOW)
    db.add(OutboxMessage(**outbox_row("eilig@kreis-borken.example", "sign_in_link", link="x")))
    db.add(OutboxMessage(**outbox_row("gebucht@kreis-borken.example", "booking_confirmed", x=1)))
    await db.commit()
    claimed = await claim_due(session_factory(engine), utcnow() + timedelta(minutes=1))
    first, second = [await db.get(OutboxMessage, i) for i in claimed[:2]]
    assert first is not None and first.template == "sign_in_link"
    # a booking's mail does not wait behind the issue either
    assert second is not None and second.template == "booking_confirmed"
    assert len(claimed) == 50


def unsubscribe_targets(message: EmailMessage) -> tuple[str, str]:
    """The https and the mailto address of ``List-Unsubscribe``."""
    value = str(message["List-Unsubscribe"])
    targets = re.findall(r"<([^>]+)>", value)
    [https] = [t for t in targets if t.startswith("https://")]
    [mailto] = [t for t in targets if t.startswith("mailto:")]
    return https, mailto


async def test_the_issue_arrives_with_one_click_unsubscribe_that_works(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    await factories.organisation(db, domain="kreis-borken.example")
    await newsletter.subscribers(db, 3)
    issue = await newsletter.issue(db, subject="Neues aus dem Netzwerk – Dezember")
    await issues.start_sending(db, issue_id=issue.id, actor=None, now=NOW)
    await sending.queue_all(session_factory(engine), NOW)
    settings = mail_settings(engine, smtp.port, tmp_path)
    assert await send(engine, settings) == 3
    received = smtp.inbox.wait_for(3)
    assert sorted(str(m["To"]) for m in received) == [
        f"person{n}@kreis-borken.example" for n in range(3)
    ]
    message = next(m for m in received if str(m["To"]) == "person1@kreis-borken.example")
    assert str(message["Subject"]) == "Neues aus dem Netzwerk – Dezember"
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    https, mailto = unsubscribe_targets(message)
    assert https.startswith(f"{settings.base_url}/newsletter/abmelden/")
    mail_to = urlsplit(mailto)
    assert mail_to.path == "netzwerk@sicherimdienst.example"
    assert https in unquote(parse_qs(mail_to.query)["subject"][0])
    assert https in text_body(message)
    html = message.get_body(("html",))
    assert html is not None and "<strong>neue</strong> Termine" in html.get_content()
    assert "**neue** Termine" not in text_body(message) and "neue Termine" in text_body(message)

    # a mail program's one-click POST (RFC 8058): no cookie, no CSRF token
    app = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            answer = await client.post(
                https.removeprefix(settings.base_url),
                content=b"List-Unsubscribe=One-Click",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
    finally:
        await app.state.app.engine.dispose()
    assert answer.status_code == 200, answer.text
    assert "abgemeldet" in answer.text
    await db.commit()
    statuses = dict((await db.execute(select(Subscription.email, Subscription.status))).all())
    assert statuses == {
        "person0@kreis-borken.example": "confirmed",
        "person1@kreis-borken.example": "unsubscribed",
        "person2@kreis-borken.example": "confirmed",
    }


async def test_a_test_send_goes_only_to_the_organiser_without_unsubscribe_headers(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    organiser = await factories.member(db, role="organiser")
    await newsletter.subscribers(db, 2)
    issue = await newsletter.issue(db)
    await issues.send_test(db, issue_id=issue.id, actor=organiser)
    assert await send(engine, mail_settings(engine, smtp.port, tmp_path)) == 1
    [message] = smtp.inbox.wait_for(1)
    assert str(message["To"]) == organiser.email
    assert str(message["Subject"]).startswith("[Test] ")
    assert message["List-Unsubscribe"] is None
    issue = await db.get_one(Issue, issue.id, populate_existing=True)
    assert issue.status == "draft"


async def test_erasing_a_member_removes_their_subscription(db: AsyncSession) -> None:
    member = await factories.member(db)
    await services.subscribe_member(db, member=member, now=NOW)
    await erase_member(db, member_id=member.id, actor=member, now=NOW)
    await db.commit()
    assert await db.scalar(select(func.count(Subscription.id))) == 0
