"""Reminders from real processes on a database of their own: two racing, and one killed
midway and started again; every confirmed participant is reminded exactly once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from booking.bookings.models import Booking
from booking.core.db import create_engine, session_factory, utcnow
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.organisations.models import Organisation, OrganisationDomain
from courses.models import Event, EventSession
from tests.concurrency.workers import finished, killed_once, racing, start

pytestmark = pytest.mark.race

JOB = "tests.concurrency.remind"

PEOPLE = 1_000


async def seed(url: str) -> None:
    """One event starting tomorrow with PEOPLE confirmed participants."""
    engine = create_engine(url)
    now = utcnow()
    try:
        async with session_factory(engine)() as session:
            org = Organisation(
                name="Kreis Borken",
                sector="verwaltung",
                region="Münster",
                domains=[OrganisationDomain(domain="kreis-borken.example")],
            )
            start = now + timedelta(days=1)
            event = Event(
                kind="training",
                status="published",
                title="BIUS I",
                capacity=PEOPLE,
                sessions=[EventSession(starts_at=start, ends_at=start + timedelta(hours=7))],
            )
            session.add_all([org, event])  # fmt: skip
            await session.flush()
            await session.execute(
                insert(Member),
                [{"email": f"p{n}@kreis-borken.example", "first_name": "Paula",
                  "last_name": f"P{n}", "organisation_id": org.id, "status": "active"}
                 for n in range(PEOPLE)],
            )  # fmt: skip
            members = await session.scalars(select(Member.id).order_by(Member.id))
            await session.execute(
                insert(Booking),
                [{"event_id": event.id, "member_id": m, "organisation_id": org.id,
                  "status": "confirmed", "created_at": now} for m in members],
            )  # fmt: skip
            await session.commit()
    finally:
        await engine.dispose()


async def counts(url: str) -> tuple[int, int, int]:
    """(bookings reminded, reminder mails, bookings with more than one)."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            reminded = await session.scalar(
                select(func.count()).where(Booking.reminded_at.is_not(None))
            )
            mails = list(
                await session.scalars(
                    select(OutboxMessage).where(OutboxMessage.template == "booking_reminder")
                )
            )
    finally:
        await engine.dispose()
    per_booking: dict[int, int] = {}
    for mail in mails:
        booking_id = int(mail.context["booking_id"])
        per_booking[booking_id] = per_booking.get(booking_id, 0) + 1
    return reminded or 0, len(mails), sum(1 for n in per_booking.values() if n > 1)


async def begun(url: str) -> bool:
    """Some reminders are written."""
    return (await counts(url))[0] > 0


async def test_two_processes_racing_remind_everyone_once(database: str, tmp_path: Path) -> None:
    await seed(database)
    assert sum(await racing(JOB, database, tmp_path)) == PEOPLE
    assert await counts(database) == (PEOPLE, PEOPLE, 0)


async def test_a_process_killed_midway_leaves_the_rest_to_the_next(
    database: str, tmp_path: Path
) -> None:
    await seed(database)
    slow = start(JOB, database, tmp_path, pause=0.2)
    await killed_once(slow, lambda: begun(database))
    reminded, mails, twice = await counts(database)
    assert 0 < reminded < PEOPLE and (mails, twice) == (reminded, 0)  # whole batches only

    assert await finished(start(JOB, database, tmp_path)) == PEOPLE - reminded
    assert await counts(database) == (PEOPLE, PEOPLE, 0)
