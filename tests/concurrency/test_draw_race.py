"""Draws from real processes on a database of their own: two racing draw every event once,
and a process killed midway leaves whole draws behind (the rest at the next run); every
requester is mailed their result exactly once."""

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
from sqlalchemy import func, insert, select

from booking.bookings import draw
from booking.bookings.models import Booking, Draw, DrawEntry
from booking.core.db import create_engine, session_factory, utcnow
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.organisations.models import Organisation
from booking.settings import ROOT
from courses.models import Event, EventSession
from tests.concurrency.server import fresh_database, server_env
from tests.databases import postgres_url

pytestmark = pytest.mark.race

EVENTS = 6
ORGS = 8
REQUESTS = 40
SEATS = 14


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    pg = postgres_url()
    if request.param == "postgresql" and pg is None:
        pytest.skip("TEST_DATABASE_URL not set")
    async with fresh_database(request.param, tmp_path, pg) as url:
        yield url


async def seed(url: str) -> None:
    """EVENTS draw events whose deadline has just passed, REQUESTS requests each from
    members of ORGS organisations (one organisation asks for half of the seats)."""
    engine = create_engine(url)
    now = utcnow()
    try:
        async with session_factory(engine)() as session:
            orgs = [
                Organisation(name=f"Amt {n}", sector="verwaltung", region="Köln")
                for n in range(ORGS)
            ]
            start = now + timedelta(days=20)
            events = [
                Event(
                    kind="training", status="published", title=f"BIUS {n}", capacity=SEATS,
                    allocation="draw", draw_salt=f"{n:064x}",
                    registration_deadline=now - timedelta(minutes=1),
                    sessions=[EventSession(starts_at=start, ends_at=start + timedelta(hours=7))],
                )
                for n in range(EVENTS)
            ]  # fmt: skip
            session.add_all([*orgs, *events])
            await session.flush()
            people = [orgs[0].id] * (REQUESTS // 2) + [
                orgs[1 + n % (ORGS - 1)].id for n in range(REQUESTS - REQUESTS // 2)
            ]
            await session.execute(
                insert(Member),
                [{"email": f"p{n}@amt.example", "first_name": "Paula", "last_name": f"P{n}",
                  "organisation_id": org, "status": "active"} for n, org in enumerate(people)],
            )  # fmt: skip
            members = list(
                await session.execute(select(Member.id, Member.organisation_id).order_by(Member.id))
            )
            await session.execute(
                insert(Booking),
                [{"event_id": e.id, "member_id": m, "organisation_id": o, "status": "requested",
                  "created_at": now} for e in events for m, o in members],
            )  # fmt: skip
            await session.commit()
    finally:
        await engine.dispose()


async def counts(url: str) -> tuple[int, int, int, int]:
    """(draws, entries, result mails, bookings mailed more than once)."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            draws = await session.scalar(select(func.count()).select_from(Draw)) or 0
            entries = await session.scalar(select(func.count()).select_from(DrawEntry)) or 0
            mails = list(
                await session.scalars(
                    select(OutboxMessage).where(
                        OutboxMessage.template.in_(("draw_won", "draw_waitlisted"))
                    )
                )
            )
    finally:
        await engine.dispose()
    per_booking = Counter(int(m.context["booking_id"]) for m in mails)
    return draws, entries, len(mails), sum(1 for n in per_booking.values() if n > 1)


async def check_every_draw(url: str) -> None:
    """Every event drawn once, verifiable; seats spread: 8 organisations share 14 seats one
    a round, so the organisation with half of the requests gets 2, not 7."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            for event_id in await session.scalars(select(Event.id)):
                assert (await draw.verify(session, event_id)).matches
                rows = await session.execute(
                    select(Booking.organisation_id, func.count())
                    .where(Booking.event_id == event_id, Booking.status == "confirmed")
                    .group_by(Booking.organisation_id)
                )
                seats = dict(rows.all())
                assert sum(seats.values()) == SEATS
                assert len(seats) == ORGS and set(seats.values()) == {1, 2}
    finally:
        await engine.dispose()


def start(url: str, tmp_path: Path, pause: float = 0.0) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.concurrency.draw", str(pause)],
        env=server_env(url, tmp_path), cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip


async def test_two_processes_racing_draw_every_event_once(database: str, tmp_path: Path) -> None:
    await seed(database)
    first, second = start(database, tmp_path), start(database, tmp_path)
    outputs = [await asyncio.to_thread(p.communicate, timeout=180) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert sum(int(out.strip().splitlines()[-1]) for out, _ in outputs) == EVENTS
    everyone = EVENTS * REQUESTS
    assert await counts(database) == (EVENTS, everyone, everyone, 0)
    await check_every_draw(database)


async def test_a_process_killed_midway_leaves_whole_draws(database: str, tmp_path: Path) -> None:
    await seed(database)
    slow = start(database, tmp_path, pause=0.02)
    while (await counts(database))[0] == 0:
        assert slow.poll() is None, slow.communicate()
        await asyncio.sleep(0.02)
    os.killpg(slow.pid, signal.SIGKILL)
    slow.communicate()
    draws, entries, mails, twice = await counts(database)
    assert 0 < draws < EVENTS and (entries, mails, twice) == (draws * REQUESTS,) * 2 + (0,)

    again = start(database, tmp_path)
    out, _ = await asyncio.to_thread(again.communicate, timeout=180)
    assert again.returncode == 0, out
    assert int(out.strip().splitlines()[-1]) == EVENTS - draws
    everyone = EVENTS * REQUESTS
    assert await counts(database) == (EVENTS, everyone, everyone, 0)
    await check_every_draw(database)
