"""The newsletter to every subscriber, measured: an issue to 2,700 confirmed subscribers
goes through the outbox of a server started as a user would (``sid serve``) to a real SMTP
server on loopback (aiosmtpd), alone and while a booking rush hits the same server.

Prints how long the issue takes to reach the SMTP server (target: under 30 s), how long a
sign-in link queued in the middle of it waits, and how much the newsletter slows a booking
rush: pairs of a rush alone and a rush while another issue is being delivered, one pair
after the other so that the machine's noise falls on both alike; the median of the pairs'
ratios (target: at most 20 %). Not a test: it prints figures.

    python bench/newsletter.py                          # SQLite, one worker
    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/test \\
        python bench/newsletter.py                      # PostgreSQL

The mails are written to the outbox by the same function as the job ``newsletter-sending``
(run here in the benchmark's process, so that the measurement does not wait for the job's
next minute); the server's own mail sender delivers them, giving way to requests.
"""

from __future__ import annotations

import argparse
import asyncio
import email.policy
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from aiosmtpd.controller import Controller  # noqa: E402
from booking_rush import cheapest  # noqa: E402
from booking_rush import rush as booking_rush  # noqa: E402
from booking_rush import seed as seed_rush  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from booking.core.db import create_engine, session_factory, utcnow  # noqa: E402
from booking.mail.models import OutboxMessage  # noqa: E402
from booking.mail.services import outbox_row  # noqa: E402
from booking.newsletter import issues, sending  # noqa: E402
from courses.models import Event, EventSession  # noqa: E402
from tests.booking.newsletter import factories as newsletter  # noqa: E402
from tests.concurrency.server import (  # noqa: E402
    free_port,
    fresh_database,
    running_server,
    server_env,
)


async def seed_issue(url: str, subscribers: int, subject: str) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            if subscribers:
                await newsletter.subscribers(session, subscribers)
            issue = await newsletter.issue(session, subject=subject)
            return issue.id
    finally:
        await engine.dispose()


async def second_event(url: str, seats: int) -> int:
    """Another event like the rush's first: the same members book it during the issue."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            start = utcnow() + timedelta(days=40)
            event = Event(kind="training", status="published", title="BIUS II", capacity=seats)
            event.sessions = [EventSession(starts_at=start, ends_at=start + timedelta(hours=7))]
            session.add(event)
            await session.commit()
            return event.id
    finally:
        await engine.dispose()


async def start_issue(url: str, issue_id: int) -> tuple[float, int]:
    """Start sending and write every mail to the outbox (as the job does); seconds, mails."""
    engine = create_engine(url)
    began = time.perf_counter()
    try:
        sessions = session_factory(engine)
        async with sessions() as session:
            await issues.start_sending(session, issue_id=issue_id, actor=None, now=utcnow())
        done = await sending.queue_all(sessions, utcnow(), issue_id=issue_id)
    finally:
        await engine.dispose()
    return time.perf_counter() - began, done.mails


async def outbox_drained(url: str, timeout: float = 300) -> None:
    """Wait until every mail in the outbox is sent."""
    engine = create_engine(url)
    began = time.perf_counter()
    try:
        while time.perf_counter() - began < timeout:
            async with session_factory(engine)() as session:
                waiting = await session.scalar(
                    select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))
                )
            if not waiting:
                return
            await asyncio.sleep(0.5)
    finally:
        await engine.dispose()


async def queue_sign_in_link(url: str, email: str) -> None:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            session.add(OutboxMessage(**outbox_row(email, "sign_in_link", link="https://x/")))
            await session.commit()
    finally:
        await engine.dispose()


class Receiver:
    """An SMTP server's handler that counts what arrives by subject and recipient, reading
    only the headers (a full parse of every message would cost the receiving side more CPU
    than the sender spends, on the same two cores)."""

    def __init__(self) -> None:
        self.subjects: Counter[str] = Counter()
        self.recipients: set[str] = set()
        self._parser = BytesHeaderParser(policy=email.policy.compat32)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        head = self._parser.parsebytes(envelope.content)
        subject = str(make_header(decode_header(head["Subject"] or "")))
        self.subjects[subject] += 1
        self.recipients.update(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class Smtp:
    def __init__(self) -> None:
        self.port = free_port()
        self.receiver = Receiver()
        self.controller = Controller(self.receiver, hostname="127.0.0.1", port=self.port)

    def start(self) -> Smtp:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def issue_mails(smtp: Smtp, subject: str) -> int:
    return smtp.receiver.subjects[subject]


def received_by(smtp: Smtp, email: str) -> bool:
    return email in smtp.receiver.recipients


async def wait_for(smtp: Smtp, subject: str, count: int, timeout: float) -> float:
    began = time.perf_counter()
    while issue_mails(smtp, subject) < count:
        if time.perf_counter() - began > timeout:
            break
        await asyncio.sleep(0.05)
    return time.perf_counter() - began


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


async def main(args: argparse.Namespace) -> int:
    named = os.environ.get("DATABASE_URL", "")
    kind = "postgresql" if named.startswith("postgres") else "sqlite"
    smtp = Smtp().start()
    pairs: list[tuple[dict[str, object], dict[str, object], float]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            (tmp_path / "mail").mkdir()
            async with fresh_database(kind, tmp_path, named or None) as url:
                first = await seed_issue(url, args.subscribers, "Ausgabe 1")
                later = [await seed_issue(url, 0, f"Ausgabe {n + 2}") for n in range(args.rounds)]
                event_a, tokens = await seed_rush(url, args.members, args.seats)
                events = [event_a] + [
                    await second_event(url, args.seats) for _ in range(2 * args.rounds - 1)
                ]
                env = server_env(
                    url, tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port), JOBS="off"
                )
                with running_server(env, workers=args.workers) as base:
                    host, port = base.removeprefix("http://").split(":")
                    await cheapest(host, int(port), 200, 20)  # warm up every worker

                    # 1. the issue alone, with a sign-in link queued in its middle
                    queue_seconds, mails = await start_issue(url, first)
                    began = time.perf_counter() - queue_seconds
                    while issue_mails(smtp, "Ausgabe 1") < mails // 2:
                        await asyncio.sleep(0.05)
                    await queue_sign_in_link(url, "eilig@kreis-borken.example")
                    link_queued = time.perf_counter()
                    link_wait = None
                    while issue_mails(smtp, "Ausgabe 1") < mails:
                        if link_wait is None and received_by(smtp, "eilig@kreis-borken.example"):
                            link_wait = time.perf_counter() - link_queued
                        if time.perf_counter() - began > args.timeout:
                            break
                        await asyncio.sleep(0.02)
                    issue_seconds = time.perf_counter() - began
                    delivered = issue_mails(smtp, "Ausgabe 1")
                    await outbox_drained(url)

                    # 2. pairs: a rush alone, then a rush while an issue is being delivered
                    for n, issue_id in enumerate(later):
                        alone = await booking_rush(host, int(port), events[2 * n], tokens)
                        await outbox_drained(url)  # its 1,000 mails go out first
                        subject = f"Ausgabe {n + 2}"
                        queued, count = await start_issue(url, issue_id)
                        began_n = time.perf_counter() - queued
                        while issue_mails(smtp, subject) < count // 4:
                            await asyncio.sleep(0.05)
                        during = await booking_rush(host, int(port), events[2 * n + 1], tokens)
                        # the rush's own 1,000 mails now queue before the rest of the issue
                        await wait_for(smtp, subject, count, args.timeout)
                        pairs.append((alone, during, time.perf_counter() - began_n))
                        await outbox_drained(url)
    finally:
        smtp.stop()
    print(f"database            {kind}, {args.workers} worker(s), {os.cpu_count()} CPU(s)")
    print(f"subscribers         {args.subscribers}")
    print(f"outbox written      {mails} mails in {queue_seconds:.2f} s")
    print(
        f"issue delivered     {delivered} of {mails} in {issue_seconds:.1f} s "
        f"({delivered / issue_seconds:.0f} mails/s; target under 30 s: "
        f"{'yes' if delivered == mails and issue_seconds < 30 else 'NO'})"
    )
    if link_wait is not None:
        print(
            f"sign-in link        arrived {link_wait * 1000:.0f} ms after it was queued mid-issue"
        )
    ratios = []
    for n, (alone, during, seconds) in enumerate(pairs, 1):
        ratio = during["wall"] / alone["wall"]  # type: ignore[operator]
        ratios.append(ratio)
        print(
            f"pair {n}: rush alone {alone['wall']:.2f} s (p95 {alone['p95'] * 1000:.0f} ms), "  # type: ignore[str-format, operator]
            f"during an issue {during['wall']:.2f} s (p95 {during['p95'] * 1000:.0f} ms), "  # type: ignore[str-format, operator]
            f"{ratio - 1:+.0%}; errors {alone['errors']}/{during['errors']}; "
            f"that issue delivered in {seconds:.1f} s with the rush"
        )
    slower = median(ratios) - 1
    print(
        f"rush slowed by      {slower * 100:+.0f} % (median of {len(ratios)} pairs; "
        f"target at most +20 %: {'yes' if slower <= 0.20 else 'NO'})"
    )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--subscribers", type=int, default=2700)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument(
        "--rounds", type=int, default=3, help="pairs of rushes: alone, and during an issue"
    )
    raise SystemExit(asyncio.run(main(parser.parse_args())))
