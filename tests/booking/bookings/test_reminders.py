"""Reminders before an event: each confirmed participant exactly once, the event's days
before its first session, with the invitation; however many run it at once, and after a run
that broke off midway."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.bookings import reminders
from booking.bookings.models import Booking
from booking.core.db import create_engine, session_factory
from booking.jobs.schedule import JOBS
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from tests import factories
from tests.factories import NOW


async def confirmed(db: AsyncSession, event_id: int, count: int) -> list[int]:
    """``count`` confirmed bookings of new members, written at once."""
    org = await factories.organisation(db)
    start = await db.scalar(select(Member.id).order_by(Member.id.desc()).limit(1)) or 0
    await db.execute(
        insert(Member),
        [{"email": f"r{start + n}@{org.domains[0].domain}", "first_name": "Rita",
          "last_name": f"Reminder{n}", "organisation_id": org.id, "status": "active"}
         for n in range(count)],
    )  # fmt: skip
    members = list(await db.scalars(select(Member.id).where(Member.organisation_id == org.id)))
    await db.execute(
        insert(Booking),
        [{"event_id": event_id, "member_id": m, "organisation_id": org.id,
          "status": "confirmed", "created_at": NOW} for m in members],
    )  # fmt: skip
    await db.commit()
    return list(await db.scalars(select(Booking.id).where(Booking.event_id == event_id)))


async def reminder_mails(db: AsyncSession) -> Counter[int]:
    await db.commit()  # a fresh look, after what other sessions wrote
    rows = await db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "booking_reminder")
    )
    return Counter(int(m.context["booking_id"]) for m in rows)


async def test_the_due_participants_are_reminded_once(db: AsyncSession) -> None:
    due = await factories.event(db, starts_in=timedelta(days=1, hours=12))
    later = await factories.event(db, starts_in=timedelta(days=5))
    silent = await factories.event(db, starts_in=timedelta(hours=20), reminder_days=0)
    begun = await factories.event(db, starts_in=timedelta(hours=-1))
    draft = await factories.event(db, starts_in=timedelta(days=1), status="draft")
    reminded = await confirmed(db, due.id, 3)
    for other in (later, silent, begun, draft):
        await confirmed(db, other.id, 1)
    waiting = await factories.member(db)
    db.add(Booking(event_id=due.id, member_id=waiting.id, status="waiting"))
    await db.commit()
    sessions = session_factory(db.bind)  # type: ignore[arg-type]

    done = await reminders.remind(sessions, NOW)
    assert (done.events, done.bookings) == (1, 3)
    mails = await reminder_mails(db)
    assert mails == Counter({b: 1 for b in reminded})
    message = await db.scalar(
        select(OutboxMessage).where(OutboxMessage.template == "booking_reminder")
    )
    assert message is not None and message.context["method"] == "REQUEST"
    assert (await reminders.remind(sessions, NOW + timedelta(hours=1))).bookings == 0
    assert "booking-reminders" in [job.name for job in JOBS]


async def test_racing_runs_remind_each_participant_once(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    event = await factories.event(db, starts_in=timedelta(days=1))
    booked = await confirmed(db, event.id, 2 * reminders.BATCH + 50)
    other = create_engine(engine.url.render_as_string(hide_password=False))
    try:
        results = await asyncio.gather(
            reminders.remind(session_factory(engine), NOW),
            reminders.remind(session_factory(other), NOW),
        )
    finally:
        await other.dispose()
    assert sum(r.bookings for r in results) == len(booked)
    assert await reminder_mails(db) == Counter({b: 1 for b in booked})


async def test_a_run_broken_off_midway_is_finished_by_the_next(
    db: AsyncSession, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await factories.event(db, starts_in=timedelta(days=1))
    booked = await confirmed(db, event.id, reminders.BATCH + 30)
    calls = 0
    real_notify = reminders.notify

    async def breaks_on_the_second_batch(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the process dies here")
        await real_notify(*args, **kwargs)

    monkeypatch.setattr(reminders, "notify", breaks_on_the_second_batch)
    with pytest.raises(RuntimeError):
        await reminders.remind(session_factory(engine), NOW)
    first = await reminder_mails(db)
    assert len(first) == reminders.BATCH and set(first.values()) == {1}
    monkeypatch.setattr(reminders, "notify", real_notify)
    assert (await reminders.remind(session_factory(engine), NOW)).bookings == 30
    assert await reminder_mails(db) == Counter({b: 1 for b in booked})
