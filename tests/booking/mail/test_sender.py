from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import logging
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
import time_machine
import trustme
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.app import mail_renderer
from booking.bookings import services
from booking.core.db import create_engine, session_factory, utcnow
from booking.core.middleware import InFlight
from booking.mail.models import OutboxMessage
from booking.mail.sender import MAX_ATTEMPTS, backoff, claim_due, run_sender, send_due
from booking.mail.services import enqueue
from booking.settings import ROOT, Settings
from tests import factories
from tests.concurrency.server import free_port
from tests.factories import NOW
from tests.mail import mail_settings, send
from tests.smtp import SmtpServer, calendar_part


async def test_outage_keeps_mail_until_the_server_is_back(
    db: AsyncSession, engine: AsyncEngine, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens here yet
    settings = mail_settings(engine, port, tmp_path)
    event = await factories.event(db, capacity=2)
    people = [await factories.member(db) for _ in range(3)]
    for p in people:
        await services.book(db, event_id=event.id, member_id=p.id, now=NOW)
    assert await send(engine, settings) == 0
    await db.commit()
    rows = list(await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [r.sent_at for r in rows] == [None, None, None]
    assert all(r.attempts == 1 and r.last_error for r in rows)
    assert await send(engine, settings) == 0  # backing off: not due yet
    server = SmtpServer(port).start()
    try:
        with time_machine.travel(timedelta(minutes=1)):
            assert await send(engine, settings) == 3
            assert await send(engine, settings) == 0
        received = server.inbox.wait_for(3)
        assert Counter(m["To"] for m in received) == Counter(p.email for p in people)
    finally:
        server.stop()


async def test_two_senders_never_send_a_message_twice(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    event = await factories.event(db, capacity=100)
    for _ in range(40):
        person = await factories.member(db)
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    settings = mail_settings(engine, smtp.port, tmp_path)
    other = create_engine(settings.database_url)
    try:
        sent = await asyncio.gather(send(engine, settings), send(other, settings))
    finally:
        await other.dispose()
    assert sum(sent) == 40
    received = smtp.inbox.wait_for(40)
    ids = Counter(m["Message-ID"] for m in received)
    assert len(ids) == 40 and set(ids.values()) == {1}
    await asyncio.sleep(0.5)  # a second copy would arrive after the first 40
    recipients = Counter(m["To"] for m in smtp.inbox.messages)
    assert len(recipients) == 40 and set(recipients.values()) == {1}


def start_worker(settings: Settings, smtp: SmtpServer) -> subprocess.Popen[bytes]:
    """``sid mail worker`` in a process of its own, to be killed mid-delivery."""
    env = dict(
        os.environ,
        DATABASE_URL=settings.database_url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        SECRET_KEY="x" * 40,
        MAIL_FROM=settings.mail_from,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "booking.cli", "mail", "worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill(worker: subprocess.Popen[bytes]) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()


async def test_sender_killed_mid_delivery_loses_nothing(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    event = await factories.event(db, capacity=10)
    people = [await factories.member(db) for _ in range(3)]
    for p in people:
        await services.book(db, event_id=event.id, member_id=p.id, now=NOW)
    settings = mail_settings(engine, smtp.port, tmp_path)
    smtp.inbox.stall_rcpt_seconds = 30  # the first delivery hangs inside the SMTP dialogue
    worker = start_worker(settings, smtp)
    try:
        assert await asyncio.to_thread(smtp.inbox.rcpt_seen.wait, 30)
    finally:
        kill(worker)
    smtp.inbox.stall_rcpt_seconds = 0
    assert smtp.inbox.messages == []
    with time_machine.travel(timedelta(minutes=5)):  # the dead worker's claim has expired
        assert await send(engine, settings) == 3
    received = smtp.inbox.wait_for(3)
    assert sorted(m["To"] for m in received) == sorted(p.email for p in people)


async def test_a_retry_after_a_crash_carries_the_same_message_id(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    person = await factories.member(db)
    await services.book(db, event_id=(await factories.event(db)).id, member_id=person.id, now=NOW)
    row = await db.scalar(select(OutboxMessage))
    assert row is not None
    settings = mail_settings(engine, smtp.port, tmp_path)
    # The server takes the message; the sender is killed before it hears the reply.
    smtp.inbox.stall_data_seconds = 30
    worker = start_worker(settings, smtp)
    try:
        assert await asyncio.to_thread(smtp.inbox.data_seen.wait, 30)
    finally:
        kill(worker)
    smtp.inbox.stall_data_seconds = 0
    with time_machine.travel(timedelta(minutes=5)):  # the dead worker's claim has expired
        assert await send(engine, settings) == 1
    first, again = smtp.inbox.wait_for(2)
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"] == f"<outbox-{row.id}.{row.message_key}@sicherimdienst.example>"
    await db.commit()
    await db.refresh(row)
    assert row.sent_at is not None and row.attempts == 2


async def test_a_round_of_messages_goes_over_one_connection(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    event = await factories.event(db, capacity=10)
    for _ in range(5):
        person = await factories.member(db)
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    assert await send(engine, mail_settings(engine, smtp.port, tmp_path)) == 5
    smtp.inbox.wait_for(5)
    assert len(smtp.inbox.peers) == 5 and len(set(smtp.inbox.peers)) == 1


async def test_a_server_that_hangs_up_between_messages_still_gets_them_all(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    event = await factories.event(db, capacity=10)
    people = [await factories.member(db) for _ in range(3)]
    for person in people:
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    smtp.inbox.hang_up = True
    assert await send(engine, mail_settings(engine, smtp.port, tmp_path)) == 3
    received = smtp.inbox.wait_for(3)
    assert sorted(m["To"] for m in received) == sorted(p.email for p in people)
    assert len(set(smtp.inbox.peers)) == 3
    await db.commit()
    rows = list(await db.scalars(select(OutboxMessage)))
    assert all(r.sent_at is not None and r.attempts == 1 for r in rows)


async def test_every_message_has_its_own_message_id(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    event = await factories.event(db)
    for _ in range(3):
        person = await factories.member(db)
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    assert await send(engine, mail_settings(engine, smtp.port, tmp_path)) == 3
    ids = {m["Message-ID"] for m in smtp.inbox.wait_for(3)}
    assert len(ids) == 3
    keys = set(await db.scalars(select(OutboxMessage.message_key)))
    assert len(keys) == 3 and all(len(key) == 16 for key in keys)


async def test_undeliverable_mail_becomes_a_dead_letter(
    db: AsyncSession, engine: AsyncEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = mail_settings(engine, free_port(), tmp_path)  # nothing listens there
    person = await factories.member(db)
    await services.book(db, event_id=(await factories.event(db)).id, member_id=person.id, now=NOW)
    row = await db.scalar(select(OutboxMessage))
    assert row is not None
    caplog.set_level(logging.INFO, logger="booking.mail")
    later = timedelta()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with time_machine.travel(later):
            assert await send(engine, settings) == 0
        await db.commit()
        await db.refresh(row)
        assert row.attempts == attempt
        assert (row.failed_at is not None) == (attempt == MAX_ATTEMPTS)
        later += backoff(attempt) + timedelta(seconds=1)
    assert "ConnectionRefusedError" in row.last_error or "SMTPConnectError" in row.last_error
    with time_machine.travel(timedelta(days=2)):  # given up: never tried again on its own
        assert await claim_due(session_factory(engine), utcnow()) == []
    lines = [r.getMessage() for r in caplog.records if r.name == "booking.mail"]
    assert len(lines) == MAX_ATTEMPTS
    assert all(f"outbox {row.id} " in line for line in lines)
    assert not any(person.email in line or "@" in line for line in lines)
    assert caplog.records[-1].levelno == logging.ERROR and "given up" in lines[-1]


async def test_a_recipient_refused_for_good_is_a_dead_letter_at_once(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    person = await factories.member(db)
    await services.book(db, event_id=(await factories.event(db)).id, member_id=person.id, now=NOW)
    smtp.inbox.refuse[person.email] = "550 5.1.1 Mailbox unavailable"
    assert await send(engine, mail_settings(engine, smtp.port, tmp_path)) == 0
    row = await db.scalar(select(OutboxMessage))
    assert row is not None
    await db.refresh(row)
    assert row.attempts == 1 and row.failed_at is not None and row.sent_at is None
    assert "550" in row.last_error


async def test_a_refusal_for_now_is_tried_again(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    person = await factories.member(db)
    await services.book(db, event_id=(await factories.event(db)).id, member_id=person.id, now=NOW)
    smtp.inbox.refuse[person.email] = "450 4.2.1 Try again later"
    settings = mail_settings(engine, smtp.port, tmp_path)
    assert await send(engine, settings) == 0
    row = await db.scalar(select(OutboxMessage))
    assert row is not None and row.failed_at is None
    del smtp.inbox.refuse[person.email]
    with time_machine.travel(timedelta(minutes=1)):
        assert await send(engine, settings) == 1


async def test_login_when_configured(db: AsyncSession, engine: AsyncEngine, tmp_path: Path) -> None:
    server = SmtpServer(login=("versand", "geheim")).start()
    try:
        person = await factories.member(db)
        event = await factories.event(db)
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
        settings = mail_settings(
            engine, server.port, tmp_path, smtp_username="versand", smtp_password="geheim"
        )
        assert await send(engine, settings) == 1
        assert len(server.inbox.wait_for(1)) == 1
        assert server.inbox.logins == ["versand"]
    finally:
        server.stop()


async def test_without_smtp_host_mail_goes_to_files(
    db: AsyncSession, engine: AsyncEngine, tmp_path: Path
) -> None:
    settings = mail_settings(engine, 0, tmp_path).with_changes(smtp_host="")
    person = await factories.member(db)
    event = await factories.event(db)
    await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    assert await send(engine, settings) == 1
    [path] = list((tmp_path / "mail").glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Subject"].startswith("Anmeldung bestätigt")
    assert calendar_part(message)[0] == "REQUEST"


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_tls_as_configured_with_the_servers_certificate_verified(
    db: AsyncSession, engine: AsyncEngine, tmp_path: Path, security: str
) -> None:
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = SmtpServer(tls=security, certificate=ca.issue_cert("127.0.0.1")).start()
    try:
        person = await factories.member(db)
        event = await factories.event(db)
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
        untrusted = mail_settings(engine, server.port, tmp_path, smtp_security=security)
        assert await send(engine, untrusted) == 0  # unknown CA: refused, kept for later
        await db.commit()
        error = await db.scalar(select(OutboxMessage.last_error))
        assert error is not None and "CERTIFICATE_VERIFY_FAILED" in error
        trusted = untrusted.with_changes(smtp_ca_file=str(ca_file))
        with time_machine.travel(timedelta(minutes=1)):
            assert await send(engine, trusted) == 1
        [message] = server.inbox.wait_for(1)
        assert message["To"] == person.email
    finally:
        server.stop()


async def test_sender_gives_way_to_requests_in_flight(
    db: AsyncSession, engine: AsyncEngine, tmp_path: Path
) -> None:
    settings = mail_settings(engine, 0, tmp_path).with_changes(smtp_host="")
    person = await factories.member(db)
    await services.book(db, event_id=(await factories.event(db)).id, member_id=person.id, now=NOW)
    in_flight = InFlight()
    in_flight.enter()
    sending = asyncio.create_task(
        send_due(settings, session_factory(engine), mail_renderer(), in_flight.quiet)
    )
    await asyncio.sleep(0.3)
    assert not list((tmp_path / "mail").glob("*.eml"))  # waits while a request is answered
    in_flight.leave()
    assert await asyncio.wait_for(sending, 5) == 1


async def test_sender_does_not_wait_for_ever(
    db: AsyncSession, engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("booking.mail.sender.GIVE_WAY_SECONDS", 0.05)
    settings = mail_settings(engine, 0, tmp_path).with_changes(smtp_host="")
    for _ in range(2):
        person = await factories.member(db)
        event = await factories.event(db)
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    in_flight = InFlight()
    in_flight.enter()  # the server stays busy
    sent = await asyncio.wait_for(
        send_due(settings, session_factory(engine), mail_renderer(), in_flight.quiet), 5
    )
    assert sent == 2


async def test_sign_in_links_go_before_the_confirmations_of_a_rush(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    event = await factories.event(db, capacity=5)
    for _ in range(3):
        person = await factories.member(db)
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    link = enqueue(db, "wartet@stadt.example", "sign_in_link", url="https://x.example/a")
    await db.commit()
    claimed = await claim_due(session_factory(engine), utcnow(), limit=2)
    assert claimed[0] == link.id
    assert len(claimed) == 2


async def test_a_round_gives_way_for_one_second_at_most_in_all(
    db: AsyncSession, engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("booking.mail.sender.GIVE_WAY_SECONDS", 0.4)
    settings = mail_settings(engine, 0, tmp_path).with_changes(smtp_host="")
    event = await factories.event(db, capacity=5)
    for _ in range(4):
        person = await factories.member(db)
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    in_flight = InFlight()
    in_flight.enter()  # the server stays busy
    started = asyncio.get_running_loop().time()
    assert await send_due(settings, session_factory(engine), mail_renderer(), in_flight.quiet) == 4
    assert 0.35 < asyncio.get_running_loop().time() - started < 1.2  # not 0.4 s per message


async def test_sender_without_its_database_logs_one_line_a_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("booking.mail.sender.POLL_SECONDS", 0.05)
    url = f"sqlite+aiosqlite:///{tmp_path / 'not-there' / 'db.sqlite'}"
    settings = Settings(database_url=url, secret_key="x" * 40, mail_dir=tmp_path / "mail")
    engine = create_engine(url)
    caplog.set_level(logging.INFO, logger="booking.mail")
    sender = asyncio.create_task(run_sender(settings, session_factory(engine), mail_renderer()))
    await asyncio.sleep(0.3)
    sender.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sender
    await engine.dispose()
    assert len(caplog.records) >= 2
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in caplog.records)
    assert "database unavailable" in caplog.records[0].getMessage()
