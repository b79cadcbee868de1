"""Marking attendance: who may, corrections kept, outcomes from teaching units, walk-ins,
and the prerequisite an attended training meets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import services as bookings
from booking.bookings.models import Booking
from booking.core.errors import Forbidden, NotEligible, NotFound, ValidationFailed
from booking.members.models import Member
from courses.attendance import services
from courses.attendance.models import AttendanceChange, AttendanceMark, Mark
from courses.models import EventSession, event_trainers
from tests import factories
from tests.factories import NOW, participants, training


async def status_of(db: AsyncSession, booking: Booking) -> str:
    await db.refresh(booking)
    return booking.status


async def test_outcomes_follow_the_units_attended_once_the_last_session_is_marked(
    db: AsyncSession,
) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer)
    first, last = event.sessions
    full, late, half, excused, unmarked = await participants(db, event, 5)

    await services.mark(
        db,
        event_id=event.id,
        session_id=first.id,
        marks=[(full.id, "present"), (late.id, "present"), (half.id, "present"),
               (excused.id, "excused")],
        actor=trainer,
        now=NOW,
    )  # fmt: skip
    assert {await status_of(db, b) for b in (full, late, half, excused)} == {"confirmed"}

    await services.mark(
        db,
        event_id=event.id,
        session_id=last.id,
        marks=[(full.id, "present"), (late.id, "late"), (half.id, "absent"),
               (excused.id, "excused")],
        actor=trainer,
        now=NOW,
    )  # fmt: skip
    assert [await status_of(db, b) for b in (full, late, half, excused, unmarked)] == [
        "attended",
        "attended",
        "partial",
        "no_show",
        "no_show",
    ]


async def test_a_completion_share_below_all_units(db: AsyncSession) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer, completion_share=50)
    first, last = event.sessions
    (booking,) = await participants(db, event, 1)
    for sitting, mark in ((first, "present"), (last, "absent")):
        await services.mark(
            db, event_id=event.id, session_id=sitting.id, marks=[(booking.id, mark)],
            actor=trainer, now=NOW,
        )  # fmt: skip
    assert await status_of(db, booking) == "attended"
    assert services.outcome(event, {first.id: "present"}).units_attended == 8


def test_units_default_to_whole_45_minutes_of_the_session() -> None:
    starts = NOW.replace(hour=9, minute=0)
    sitting = EventSession(starts_at=starts, ends_at=starts + timedelta(hours=7, minutes=30))
    assert sitting.units == 10
    sitting.teaching_units = 8
    assert sitting.units == 8


async def test_corrections_are_kept_and_change_the_outcome(db: AsyncSession) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer, days=1)
    (sitting,) = event.sessions
    (booking,) = await participants(db, event, 1)
    for mark in ("absent", "absent", "late"):
        await services.mark(
            db, event_id=event.id, session_id=sitting.id, marks=[(booking.id, mark)],
            actor=trainer, now=NOW,
        )  # fmt: skip
    changes = list(
        await db.execute(
            select(
                AttendanceChange.old_status,
                AttendanceChange.new_status,
                AttendanceChange.changed_by,
            ).order_by(AttendanceChange.id)
        )
    )  # fmt: skip
    assert [tuple(c) for c in changes] == [
        (None, "absent", trainer.id),
        ("absent", "late", trainer.id),
    ]
    assert await status_of(db, booking) == "attended"


async def test_only_the_events_trainers_and_organisers_mark(db: AsyncSession) -> None:
    trainer = await factories.member(db, role="trainer")
    other_trainer = await factories.member(db, role="trainer")
    organiser = await factories.member(db, role="organiser")
    event = await training(db, trainer, days=1)
    (sitting,) = event.sessions
    (booking,) = await participants(db, event, 1)
    member = await db.get(Member, booking.member_id)
    assert member is not None
    for outsider in (other_trainer, member):
        with pytest.raises(Forbidden):
            await services.roster(db, event.id, sitting.id, outsider)
        with pytest.raises(Forbidden):
            await services.mark(
                db, event_id=event.id, session_id=sitting.id, marks=[(booking.id, "present")],
                actor=outsider, now=NOW,
            )  # fmt: skip
    assert await db.scalar(select(AttendanceMark.id)) is None
    await services.mark(
        db, event_id=event.id, session_id=sitting.id, marks=[(booking.id, "present")],
        actor=organiser, now=NOW,
    )  # fmt: skip
    long_ago = await factories.event(db, starts_in=timedelta(days=-200))
    await db.execute(insert(event_trainers).values(event_id=long_ago.id, member_id=trainer.id))
    await db.commit()
    assert [e.id for e in await services.trainer_events(db, trainer, NOW)] == [event.id]
    assert await services.trainer_events(db, other_trainer, NOW) == []


async def test_bad_marks_write_nothing(db: AsyncSession) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer, days=1)
    other = await training(db, trainer, days=1)
    (sitting,) = event.sessions
    mine, waiting = await participants(db, event, 2)
    waiting.status = "waiting"
    (elsewhere,) = await participants(db, other, 1)
    await db.commit()
    attempts: list[tuple[list[tuple[int, str]], type[Exception]]] = [
        ([(mine.id, "present"), (999_999, "present")], NotFound),
        ([(mine.id, "present"), (elsewhere.id, "present")], ValidationFailed),
        ([(mine.id, "present"), (waiting.id, "present")], ValidationFailed),
        ([(mine.id, "anwesend")], ValidationFailed),
    ]
    for marks, error in attempts:
        with pytest.raises(error):
            await services.mark(
                db, event_id=event.id, session_id=sitting.id, marks=marks, actor=trainer,
                now=NOW,
            )  # fmt: skip
    with pytest.raises(NotFound):
        await services.mark(
            db, event_id=event.id, session_id=other.sessions[0].id, marks=[(mine.id, "present")],
            actor=trainer, now=NOW,
        )  # fmt: skip
    assert await db.scalar(select(AttendanceMark.id)) is None
    assert await db.scalar(select(AttendanceChange.id)) is None


async def test_all_present_leaves_the_marks_already_set(db: AsyncSession) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer, days=1)
    (sitting,) = event.sessions
    absent, *others = await participants(db, event, 4)
    await services.mark(
        db, event_id=event.id, session_id=sitting.id, marks=[(absent.id, "absent")],
        actor=trainer, now=NOW,
    )  # fmt: skip
    marked = await services.mark_all_present(
        db, event_id=event.id, session_id=sitting.id, actor=trainer, now=NOW
    )
    assert marked == 3
    _, _, lines = await services.roster(db, event.id, sitting.id, trainer)
    assert {line.booking.id: line.mark for line in lines} == {
        absent.id: Mark.ABSENT,
        **{b.id: Mark.PRESENT for b in others},
    }


async def test_a_walk_in_joins_a_full_event_as_added_on_site(db: AsyncSession) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer, days=1, capacity=1)
    await participants(db, event, 1)
    guest = await factories.member(db)
    booking = await services.add_walk_in(
        db, event_id=event.id, email=guest.email, actor=trainer, now=NOW
    )
    assert (booking.status, booking.added_on_site) == ("confirmed", True)
    with pytest.raises(ValidationFailed):
        await services.add_walk_in(db, event_id=event.id, email=guest.email, actor=trainer, now=NOW)
    for unknown in ("niemand@nirgends.example", "a\x00@b.example", ""):
        with pytest.raises(ValidationFailed):
            await services.add_walk_in(db, event_id=event.id, email=unknown, actor=trainer, now=NOW)


async def test_an_attended_training_opens_the_next_course(db: AsyncSession) -> None:
    trainer = await factories.member(db, role="trainer")
    first = await training(db, trainer, days=1, course_code="BIUS-I")
    second = await factories.event(db, course_code="BIUS-II", prerequisite_code="BIUS-I")
    (booking,) = await participants(db, first, 1)
    with pytest.raises(NotEligible):
        await bookings.book(db, event_id=second.id, member_id=booking.member_id, now=NOW)
    await services.mark(
        db, event_id=first.id, session_id=first.sessions[0].id, marks=[(booking.id, "present")],
        actor=trainer, now=NOW,
    )  # fmt: skip
    result = await bookings.book(db, event_id=second.id, member_id=booking.member_id, now=NOW)
    assert result.booking.status == "confirmed"
