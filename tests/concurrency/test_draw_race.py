"""Draws from real processes on a database of their own: two racing draw every event once,
and a process killed midway leaves whole draws behind (the rest at the next run); every
requester is mailed their result exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from booking.bookings import draw_record
from booking.bookings.models import Booking, Draw, DrawEntry
from booking.core.db import create_engine, session_factory, utcnow
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.organisations.models import Organisation
from courses.models import Event, EventSession
from tests.concurrency.workers import finished, killed_once, racing, start

pytestmark = pytest.mark.race

JOB = "tests.concurrency.draw"

EVENTS = 6
ORGS = 8
REQUESTS = 40
SEATS = 14


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
                assert (await draw_record.verify(session, event_id)).matches
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


async def begun(url: str) -> bool:
    """Some events are drawn."""
    return (await counts(url))[0] > 0


async def test_two_processes_racing_draw_every_event_once(database: str, tmp_path: Path) -> None:
    await seed(database)
    assert sum(await racing(JOB, database, tmp_path)) == EVENTS
    everyone = EVENTS * REQUESTS
    assert await counts(database) == (EVENTS, everyone, everyone, 0)
    await check_every_draw(database)


async def test_a_process_killed_midway_leaves_whole_draws(database: str, tmp_path: Path) -> None:
    await seed(database)
    slow = start(JOB, database, tmp_path, pause=0.02)
    await killed_once(slow, lambda: begun(database))
    draws, entries, mails, twice = await counts(database)
    assert 0 < draws < EVENTS and (entries, mails, twice) == (draws * REQUESTS,) * 2 + (0,)

    assert await finished(start(JOB, database, tmp_path)) == EVENTS - draws
    everyone = EVENTS * REQUESTS
    assert await counts(database) == (EVENTS, everyone, everyone, 0)
    await check_every_draw(database)
