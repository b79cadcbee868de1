"""Offers lapsing in real processes on a database of their own: two racing, and one killed
midway and started again. Every lapsed offer is lapsed and mailed exactly once, and every
seat freed goes to exactly one next member (never two offers for one seat)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from booking.bookings.models import Booking
from booking.core.db import create_engine, session_factory, utcnow
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.organisations.models import Organisation, OrganisationDomain
from booking.settings import ROOT
from courses.models import Event, EventSession
from tests.concurrency.server import fresh_database, server_env
from tests.databases import postgres_url

pytestmark = pytest.mark.race

EVENTS = 150


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    pg = postgres_url()
    if request.param == "postgresql" and pg is None:
        pytest.skip("TEST_DATABASE_URL not set")
    async with fresh_database(request.param, tmp_path, pg) as url:
        yield url


async def seed(url: str) -> None:
    """EVENTS events of one seat each, with offers: the seat is offered to a member whose
    deadline passed an hour ago, and one more member waits."""
    engine = create_engine(url)
    now = utcnow()
    try:
        async with session_factory(engine)() as session:
            org = Organisation(
                name="Stadt Bielefeld", sector="verwaltung", region="Detmold",
                domains=[OrganisationDomain(domain="bielefeld.example")],
            )  # fmt: skip
            start = now + timedelta(days=20)
            events = [
                Event(
                    kind="training", status="published", title=f"BIUS I, Gruppe {n}",
                    capacity=1, offer_working_days=2,
                    sessions=[EventSession(starts_at=start, ends_at=start + timedelta(hours=7))],
                )
                for n in range(EVENTS)
            ]  # fmt: skip
            session.add_all([org, *events])
            await session.flush()
            await session.execute(
                insert(Member),
                [{"email": f"p{n}@bielefeld.example", "first_name": "Pat", "last_name": f"P{n}",
                  "organisation_id": org.id, "status": "active"} for n in range(2 * EVENTS)],
            )  # fmt: skip
            members = list(await session.scalars(select(Member.id).order_by(Member.id)))
            rows = []
            for n, event in enumerate(events):
                offered, waiting = members[2 * n], members[2 * n + 1]
                rows += [
                    {"event_id": event.id, "member_id": offered, "organisation_id": org.id,
                     "status": "offered", "created_at": now - timedelta(days=5),
                     "offered_at": now - timedelta(days=4),
                     "offer_expires_at": now - timedelta(hours=1)},
                    {"event_id": event.id, "member_id": waiting, "organisation_id": org.id,
                     "status": "waiting", "created_at": now - timedelta(days=5),
                     "waitlisted_at": now - timedelta(days=5)},
                ]  # fmt: skip
            await session.execute(insert(Booking), rows)
            await session.commit()
    finally:
        await engine.dispose()


async def tally(url: str) -> tuple[int, int, int, int, int]:
    """(offers lapsed, lapse mails, new offers, offer mails to the next, events with more
    than one seat held)."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            statuses = list(
                await session.execute(
                    select(Booking.event_id, Booking.status, Booking.offer_expires_at)
                )
            )
            lapsed = await session.scalars(
                select(Booking.id).where(Booking.cancelled_by == "offer_expired")
            )
            mails = Counter(
                template for template in await session.scalars(select(OutboxMessage.template))
            )
    finally:
        await engine.dispose()
    now = utcnow()
    held = Counter(event for event, status, _ in statuses if status in ("offered", "confirmed"))
    new_offers = sum(
        1
        for _, status, until in statuses
        if status == "offered" and until is not None and until > now
    )
    return (
        len(list(lapsed)),
        mails["offer_expired"],
        new_offers,
        mails["booking_offered"],
        sum(1 for n in held.values() if n > 1),
    )


def start(url: str, tmp_path: Path, pause: float = 0.0) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.concurrency.expire_offers", str(pause)],
        env=server_env(url, tmp_path), cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip


async def test_two_processes_racing_lapse_each_offer_once(database: str, tmp_path: Path) -> None:
    await seed(database)
    first, second = start(database, tmp_path), start(database, tmp_path)
    outputs = [await asyncio.to_thread(p.communicate, timeout=180) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert sum(int(out.strip().splitlines()[-1]) for out, _ in outputs) == EVENTS
    assert await tally(database) == (EVENTS, EVENTS, EVENTS, EVENTS, 0)


async def test_a_process_killed_midway_leaves_the_rest_to_the_next(
    database: str, tmp_path: Path
) -> None:
    await seed(database)
    slow = start(database, tmp_path, pause=0.05)
    while (await tally(database))[0] < 3:
        assert slow.poll() is None, slow.communicate()
        await asyncio.sleep(0.02)
    os.killpg(slow.pid, signal.SIGKILL)
    slow.communicate()
    lapsed, mails, offered, offer_mails, doubled = await tally(database)
    assert 0 < lapsed < EVENTS  # whole events only: each lapse came with its mail and offer
    assert (mails, offered, offer_mails, doubled) == (lapsed, lapsed, lapsed, 0)

    again = start(database, tmp_path)
    out, _ = await asyncio.to_thread(again.communicate, timeout=180)
    assert again.returncode == 0, out
    assert int(out.strip().splitlines()[-1]) == EVENTS - lapsed
    assert await tally(database) == (EVENTS, EVENTS, EVENTS, EVENTS, 0)
