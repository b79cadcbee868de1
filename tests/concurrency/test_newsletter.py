"""Sending a newsletter from real processes on a database of their own: two job processes
racing, one killed midway and started again, and a mail sender killed midway: every
subscriber's mail is written once, and arrives (a second copy only ever with the same
Message-ID, which receivers drop)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from booking.core.db import create_engine, session_factory, utcnow
from booking.mail.models import OutboxMessage
from booking.newsletter import issues
from booking.newsletter.models import Delivery
from booking.settings import ROOT
from tests.booking.newsletter import factories as newsletter
from tests.concurrency.server import server_env
from tests.concurrency.workers import finished, killed_once, racing, start
from tests.smtp import SmtpServer

pytestmark = pytest.mark.race

JOB = "tests.concurrency.send_newsletter"

PEOPLE = 2_000


async def seed(url: str, people: int = PEOPLE) -> None:
    """``people`` confirmed subscribers and an issue whose sending has started."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            await newsletter.subscribers(session, people)
            issue = await newsletter.issue(session)
            await issues.start_sending(session, issue_id=issue.id, actor=None, now=utcnow())
    finally:
        await engine.dispose()


async def counts(url: str) -> tuple[int, int, int]:
    """(deliveries, issue mails, addresses with more than one mail)."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            deliveries = await session.scalar(select(func.count(Delivery.id))) or 0
            recipients = list(
                await session.scalars(
                    select(OutboxMessage.recipient).where(
                        OutboxMessage.template == "newsletter_issue"
                    )
                )
            )
    finally:
        await engine.dispose()
    twice = sum(1 for n in Counter(recipients).values() if n > 1)
    return deliveries, len(recipients), twice


async def expire_claims(url: str) -> None:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None))
                .values(locked_until=None)
            )
            await session.commit()
    finally:
        await engine.dispose()


async def begun(url: str) -> bool:
    """Some mails are written."""
    return (await counts(url))[0] > 0


async def test_two_processes_racing_write_each_mail_once(database: str, tmp_path: Path) -> None:
    await seed(database)
    assert sum(await racing(JOB, database, tmp_path)) == PEOPLE
    assert await counts(database) == (PEOPLE, PEOPLE, 0)


async def test_a_process_killed_midway_leaves_the_rest_to_the_next(
    database: str, tmp_path: Path
) -> None:
    await seed(database)
    slow = start(JOB, database, tmp_path, pause=0.3)
    await killed_once(slow, lambda: begun(database))
    written, mails, twice = await counts(database)
    assert 0 < written < PEOPLE and (mails, twice) == (written, 0)  # whole batches only
    assert written % 200 == 0

    assert await finished(start(JOB, database, tmp_path)) == PEOPLE - written
    assert await counts(database) == (PEOPLE, PEOPLE, 0)


async def test_a_mail_sender_killed_midway_loses_no_one(database: str, tmp_path: Path) -> None:
    people = 300
    await seed(database, people)
    assert await finished(start(JOB, database, tmp_path)) == people
    smtp = SmtpServer().start()
    try:
        env = server_env(database, tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port))

        def worker() -> subprocess.Popen[str]:
            return subprocess.Popen(
                [sys.executable, "-m", "booking.cli", "mail", "worker"], env=env, cwd=ROOT,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                start_new_session=True,
            )  # fmt: skip

        async def a_third_arrived() -> bool:
            return len(smtp.inbox.messages) >= people // 3

        await killed_once(worker(), a_third_arrived)
        assert len(smtp.inbox.messages) < people
        await expire_claims(database)  # two minutes later: the killed sender's claims lapse
        restarted = worker()
        try:
            received = await asyncio.to_thread(smtp.inbox.wait_for, people, 120)
            await asyncio.sleep(0.5)
        finally:
            os.killpg(restarted.pid, signal.SIGTERM)
            restarted.communicate(timeout=30)
        received = list(smtp.inbox.messages)
    finally:
        smtp.stop()
    by_recipient: dict[str, set[str]] = {}
    for message in received:
        by_recipient.setdefault(str(message["To"]), set()).add(str(message["Message-ID"]))
    assert len(by_recipient) == people
    assert all(len(ids) == 1 for ids in by_recipient.values())  # a copy: same Message-ID
    assert all(message["List-Unsubscribe"] for message in received)
