"""The inactive-member rule and the booking anonymisation, with frozen time, and each exactly
once when two processes run it at the same moment."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.bookings.models import Booking
from booking.core.db import session_factory
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.privacy.anonymise import anonymise_due_bookings
from booking.privacy.inactive import tidy_inactive_members
from booking.privacy.placeholder import PLACEHOLDER_EMAIL
from booking.settings import Retention
from courses.attendance.models import AttendanceMark
from tests import factories
from tests.databases import postgres_url
from tests.factories import NOW

RULES = Retention()
MONTHS_36 = timedelta(days=3 * 366 + 1)  # more than 36 months back from NOW


async def asked_mails(db: AsyncSession) -> list[str]:
    return list(
        await db.scalars(
            select(OutboxMessage.recipient).where(OutboxMessage.template == "member_stay_asked")
        )
    )


async def test_inactive_members_are_asked_once_then_erased(
    engine: AsyncEngine, db: AsyncSession
) -> None:
    sessions = session_factory(engine)
    sleeper = await factories.member(db)
    fresh = await factories.member(db)
    sleeper.last_signed_in_at = NOW - MONTHS_36
    fresh.last_signed_in_at = NOW - MONTHS_36 + timedelta(days=5)
    await db.commit()

    assert await tidy_inactive_members(sessions, NOW, RULES) == (1, 0)
    assert await tidy_inactive_members(sessions, NOW, RULES) == (0, 0)  # asked once
    assert await asked_mails(db) == [sleeper.email]

    just_before = NOW + timedelta(days=RULES.inactive_grace_days) - timedelta(seconds=1)
    assert await tidy_inactive_members(sessions, just_before, RULES) == (1, 0)  # fresh now due
    after = NOW + timedelta(days=RULES.inactive_grace_days)
    assert await tidy_inactive_members(sessions, after, RULES) == (0, 1)
    db.expunge_all()
    await db.rollback()
    assert await db.get(Member, sleeper.id) is None
    assert await db.get(Member, fresh.id) is not None


async def test_signing_in_in_between_keeps_the_member(
    engine: AsyncEngine, db: AsyncSession
) -> None:
    sessions = session_factory(engine)
    sleeper = await factories.member(db)
    sleeper.last_signed_in_at = NOW - MONTHS_36
    await db.commit()
    assert await tidy_inactive_members(sessions, NOW, RULES) == (1, 0)

    # Signing in (booking.members.services.complete_sign_in) does this:
    sleeper.last_signed_in_at = NOW + timedelta(days=3)
    sleeper.stay_asked_at = None
    await db.commit()
    later = NOW + timedelta(days=RULES.inactive_grace_days + 1)
    assert await tidy_inactive_members(sessions, later, RULES) == (0, 0)
    db.expunge_all()
    await db.rollback()
    assert await db.get(Member, sleeper.id) is not None


async def test_bookings_are_anonymised_after_the_retention(
    engine: AsyncEngine, db: AsyncSession
) -> None:
    sessions = session_factory(engine)
    trainer = await factories.member(db, role="trainer")
    held = await factories.training(db, trainer, days=1)
    booked = await factories.participants(db, held, 3)
    for booking in booked:
        db.add(AttendanceMark(booking_id=booking.id, session_id=held.sessions[0].id,
                              status="present"))  # fmt: skip
    await db.commit()
    ended = max(s.ends_at for s in held.sessions)
    due = ended + timedelta(days=731 + 1)  # 24 months and a bit

    assert await anonymise_due_bookings(sessions, ended + timedelta(days=700), RULES) == 0
    assert await anonymise_due_bookings(sessions, due, RULES) == 3
    assert await anonymise_due_bookings(sessions, due, RULES) == 0
    db.expunge_all()
    await db.rollback()
    nobody = await db.scalar(select(Member.id).where(Member.email == PLACEHOLDER_EMAIL))
    rows = (await db.execute(select(Booking.member_id, Booking.status, Booking.organisation_id)
                             .where(Booking.event_id == held.id))).all()  # fmt: skip
    assert [(m, s) for m, s, _ in rows] == [(nobody, "confirmed")] * 3
    assert {o for _, _, o in rows} == {booked[0].organisation_id}
    marks = await db.scalar(select(func.count()).select_from(AttendanceMark))
    assert marks == 3  # they stay with the booking, which names nobody now


@pytest.mark.skipif(postgres_url() is None, reason="TEST_DATABASE_URL not set")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_processes_at_once_do_each_thing_once(
    engine: AsyncEngine, db: AsyncSession
) -> None:
    first, second = session_factory(engine), session_factory(engine)
    sleepers = [await factories.member(db) for _ in range(30)]
    for sleeper in sleepers:
        sleeper.last_signed_in_at = NOW - MONTHS_36
    trainer = await factories.member(db, role="trainer")
    held = await factories.training(db, trainer, days=1)
    await factories.participants(db, held, 250)
    await db.commit()
    due = NOW + timedelta(days=800)

    asked = await asyncio.gather(
        tidy_inactive_members(first, NOW, RULES), tidy_inactive_members(second, NOW, RULES)
    )
    assert sum(a for a, _ in asked) == 30
    assert sorted(await asked_mails(db)) == sorted(s.email for s in sleepers)

    later = NOW + timedelta(days=RULES.inactive_grace_days)
    erased = await asyncio.gather(
        tidy_inactive_members(first, later, RULES), tidy_inactive_members(second, later, RULES)
    )
    assert sum(e for _, e in erased) == 30

    done = await asyncio.gather(
        anonymise_due_bookings(first, due, RULES), anonymise_due_bookings(second, due, RULES)
    )
    assert sum(done) == 250
    nobody = await db.scalar(select(Member.id).where(Member.email == PLACEHOLDER_EMAIL))
    people = await db.scalar(select(func.count()).where(Member.email == PLACEHOLDER_EMAIL))
    assert people == 1 and nobody is not None
