"""Organisers change an event that people booked: one transaction, mails included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import changes, services
from booking.bookings.models import Booking
from booking.core.errors import InvalidState, ValidationFailed
from booking.core.formatting import range_de
from booking.mail.models import OutboxMessage
from courses import messages
from courses.models import Event, EventSession
from tests import factories
from tests.factories import NOW


async def test_calling_an_event_off_cancels_every_active_booking_and_its_workshops(
    db: AsyncSession,
) -> None:
    conference = await factories.event(db, kind="conference", capacity=1)
    workshop = await factories.event(db, kind="workshop", parent_id=conference.id)
    seated, waiting, asked = [await factories.member(db) for _ in range(3)]
    organiser = await factories.member(db, role="organiser")
    await services.book(db, event_id=conference.id, member_id=seated.id, now=NOW)
    await services.book(db, event_id=conference.id, member_id=waiting.id, now=NOW)
    await services.book(db, event_id=workshop.id, member_id=seated.id, now=NOW)
    db.add(
        Booking(
            event_id=conference.id,
            member_id=asked.id,
            organisation_id=asked.organisation_id,
            status="requested",
            created_at=NOW,
        )
    )
    await db.commit()

    await changes.cancel_event(db, event_id=conference.id, actor=organiser, now=NOW)

    await db.commit()
    rows = await db.execute(select(Booking.status, Booking.cancelled_by))
    assert sorted(rows.all()) == [("cancelled", "organiser")] * 4


async def test_a_refused_change_leaves_sessions_limits_and_mails_untouched(
    db: AsyncSession,
) -> None:
    event = await factories.event(db, capacity=1)
    seated, waiting = await factories.member(db), await factories.member(db)
    organiser = await factories.member(db, role="organiser")
    await services.book(db, event_id=event.id, member_id=seated.id, now=NOW)
    await services.book(db, event_id=event.id, member_id=waiting.id, now=NOW)
    sitting = event.sessions[0]
    before = (event.sequence, sitting.starts_at, sitting.sequence)
    mails_before = await db.scalar(select(func.count()).select_from(OutboxMessage))
    moved = changes.SessionChange(
        sitting.id, sitting.starts_at + timedelta(days=1), sitting.ends_at + timedelta(days=1)
    )

    with pytest.raises(ValidationFailed):
        await changes.change_event(
            db, event_id=event.id, actor=organiser, now=NOW, sessions=[moved], capacity=-1
        )

    db.expunge_all()
    again = await db.get(Event, event.id)
    assert again is not None
    [kept] = (await db.scalars(select(EventSession).where(EventSession.event_id == event.id))).all()
    assert (again.capacity, again.sequence, kept.starts_at, kept.sequence) == (1, *before)
    assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == mails_before


async def test_moving_sessions_and_adding_seats_is_one_change(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=1)
    seated, waiting = await factories.member(db), await factories.member(db)
    organiser = await factories.member(db, role="organiser")
    await services.book(db, event_id=event.id, member_id=seated.id, now=NOW)
    second = await services.book(db, event_id=event.id, member_id=waiting.id, now=NOW)
    sitting = event.sessions[0]
    moved = changes.SessionChange(
        sitting.id, sitting.starts_at + timedelta(days=1), sitting.ends_at + timedelta(days=1)
    )

    changed = await changes.change_event(
        db, event_id=event.id, actor=organiser, now=NOW, sessions=[moved], capacity=2
    )

    assert [b.id for b in changed.promoted] == [second.booking.id]
    assert changed.event.sessions[0].starts_at == moved.starts_at
    mails = (
        await db.execute(
            select(OutboxMessage.recipient, OutboxMessage.template).order_by(OutboxMessage.id)
        )
    ).all()
    assert mails[-3:] == [
        (seated.email, "event_changed"),
        (waiting.email, "event_changed"),
        (waiting.email, "booking_promoted"),
    ]


# -- sessions added to and removed from a booked event --------------------------------------------


async def booked_event(db: AsyncSession, days: int = 2) -> tuple[Event, Booking, Booking]:
    """An event of ``days`` sessions with one confirmed participant and one waiting."""
    event = await factories.event(db, capacity=1, days=days)
    seated, waiting = await factories.member(db), await factories.member(db)
    first = await services.book(db, event_id=event.id, member_id=seated.id, now=NOW)
    second = await services.book(db, event_id=event.id, member_id=waiting.id, now=NOW)
    return event, first.booking, second.booking


async def changed_mails(db: AsyncSession) -> list[OutboxMessage]:
    await db.commit()
    found = await db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.template == "event_changed")
        .order_by(OutboxMessage.id)
    )
    return list(found)


async def test_an_added_session_raises_sequence_and_mails_each_person_once(
    db: AsyncSession,
) -> None:
    event, seated, waiting = await booked_event(db, days=1)
    organiser = await factories.member(db, role="organiser")
    starts = event.sessions[0].starts_at + timedelta(days=7)
    extra = changes.NewSession(starts, starts + timedelta(hours=3), teaching_units=4)

    changed = await changes.add_session(db, event_id=event.id, new=extra, actor=organiser, now=NOW)

    assert [(s.starts_at, s.teaching_units) for s in changed.sessions] == [
        (event.sessions[0].starts_at, None),
        (starts, 4),
    ]
    assert changed.sequence == 1
    mails = await changed_mails(db)
    assert [m.context["booking_id"] for m in mails] == [seated.id, waiting.id]
    assert mails[0].context["sequence"] == 1 and "sequence" not in mails[1].context
    assert mails[0].context["changes"] == [
        {"what": "zusätzlicher Termin", "new": range_de(extra.starts_at, extra.ends_at), "old": ""}
    ]


async def test_a_session_in_the_past_or_ending_before_it_starts_is_not_added(
    db: AsyncSession,
) -> None:
    event, _, _ = await booked_event(db, days=1)
    organiser = await factories.member(db, role="organiser")
    for starts, ends in (
        (NOW - timedelta(hours=1), NOW + timedelta(hours=1)),
        (NOW + timedelta(days=3), NOW + timedelta(days=2)),
    ):
        with pytest.raises(ValidationFailed):
            await changes.add_session(
                db,
                event_id=event.id,
                new=changes.NewSession(starts, ends),
                actor=organiser,
                now=NOW,
            )
    assert await changed_mails(db) == []
    assert await db.scalar(select(func.count()).select_from(EventSession)) == 1


async def test_a_removed_session_is_mailed_as_dropped_and_leaves_the_rest(
    db: AsyncSession,
) -> None:
    event, seated, waiting = await booked_event(db, days=3)
    organiser = await factories.member(db, role="organiser")
    first, second, third = event.sessions

    changed = await changes.remove_session(
        db, event_id=event.id, session_id=second.id, actor=organiser, now=NOW
    )

    assert [s.id for s in changed.sessions] == [first.id, third.id]
    assert changed.sequence == 1
    [to_seated, to_waiting] = await changed_mails(db)
    assert (to_seated.context["booking_id"], to_waiting.context["booking_id"]) == (
        seated.id,
        waiting.id,
    )
    assert to_seated.context["changes"] == [
        {"what": "Termin", "new": "entfällt", "old": range_de(second.starts_at, second.ends_at)}
    ]
    assert to_seated.context["withdrawn"] == [
        {"id": second.id, "starts_at": second.starts_at.isoformat(),
         "ends_at": second.ends_at.isoformat()}
    ]  # fmt: skip


async def test_sessions_that_began_are_marked_or_the_last_one_are_not_removed(
    db: AsyncSession,
) -> None:
    from courses.attendance.models import AttendanceMark

    event, seated, _ = await booked_event(db, days=2)
    organiser = await factories.member(db, role="organiser")
    first, second = event.sessions
    db.add(AttendanceMark(booking_id=seated.id, session_id=second.id, status="present"))
    await db.commit()
    for session_id, now, message in (
        (first.id, first.starts_at + timedelta(minutes=1), messages.SESSION_BEGUN),
        (second.id, NOW, messages.SESSION_MARKED),
    ):
        with pytest.raises(InvalidState) as refused:
            await changes.remove_session(
                db, event_id=event.id, session_id=session_id, actor=organiser, now=now
            )
        assert refused.value.message == message
    with pytest.raises(ValidationFailed):
        await changes.remove_session(
            db, event_id=event.id, session_id=999_999, actor=organiser, now=NOW
        )
    await changes.remove_session(
        db, event_id=event.id, session_id=first.id, actor=organiser, now=NOW
    )
    lonely = await factories.event(db)
    with pytest.raises(InvalidState) as refused:
        await changes.remove_session(
            db, event_id=lonely.id, session_id=lonely.sessions[0].id, actor=organiser, now=NOW
        )
    assert refused.value.message == messages.SESSION_LAST
    assert len(await changed_mails(db)) == 2  # the one removal that went through
