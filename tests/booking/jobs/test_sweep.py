"""The promotion sweep gives free seats to exactly the first eligible waiting members."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.bookings import services
from booking.bookings.models import Booking
from booking.bookings.queries import events_to_promote
from booking.core.db import session_factory
from booking.jobs.scheduler import JobContext
from booking.jobs.sweep import promotion_sweep, sweep
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from courses.models import Event, EventSession
from tests import factories
from tests.factories import NOW


async def book_all(db: AsyncSession, event: Event, people: list[Member]) -> None:
    for person in people:
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)


async def statuses(db: AsyncSession, event: Event) -> dict[int, str]:
    await db.commit()  # a fresh snapshot: the sweep wrote through sessions of its own
    rows = await db.execute(
        select(Booking.member_id, Booking.status)
        .where(Booking.event_id == event.id)
        .execution_options(populate_existing=True)
    )
    return {member_id: status for member_id, status in rows}


async def promoted_mail(db: AsyncSession) -> list[str]:
    rows = await db.scalars(
        select(OutboxMessage.recipient)
        .where(OutboxMessage.template == "booking_promoted")
        .order_by(OutboxMessage.id)
    )
    return list(rows)


async def set_event(db: AsyncSession, event: Event, **values: object) -> None:
    """Change an event behind the booking rules' back, as a seat freed by hand would."""
    await db.execute(update(Event).where(Event.id == event.id).values(**values))
    await db.commit()


async def test_free_seats_go_to_the_first_waiting_members_once(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    event = await factories.event(db, capacity=2)
    people = [await factories.member(db) for _ in range(5)]
    await book_all(db, event, people)
    await set_event(db, event, capacity=4)

    result = await sweep(session_factory(engine), NOW)

    assert result.events == 1 and len(result.promoted) == 2
    assert await statuses(db, event) == {
        people[0].id: "confirmed",
        people[1].id: "confirmed",
        people[2].id: "confirmed",
        people[3].id: "confirmed",
        people[4].id: "waiting",
    }
    assert await promoted_mail(db) == [people[2].email, people[3].email]

    again = await sweep(session_factory(engine), NOW)  # idempotent
    assert again.promoted == []
    assert await statuses(db, event) == {
        **{p.id: "confirmed" for p in people[:4]},
        people[4].id: "waiting",
    }
    assert await promoted_mail(db) == [people[2].email, people[3].email]


async def test_nobody_is_promoted_when_no_seat_is_free(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    event = await factories.event(db, capacity=2)
    people = [await factories.member(db) for _ in range(4)]
    await book_all(db, event, people)

    assert await events_to_promote(db, NOW) == []  # full: not even locked
    result = await sweep(session_factory(engine), NOW)

    assert result.events == 0 and result.promoted == []
    assert list((await statuses(db, event)).values()) == [
        "confirmed",
        "confirmed",
        "waiting",
        "waiting",
    ]
    assert await promoted_mail(db) == []


async def test_a_lifted_organisation_limit_gives_the_seat_to_the_first_of_that_organisation(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    city, school = await factories.organisation(db), await factories.organisation(db)
    event = await factories.event(db, capacity=3, seats_per_organisation=1)
    first = await factories.member(db, city)
    second, third = await factories.member(db, city), await factories.member(db, city)
    teacher = await factories.member(db, school)
    await book_all(db, event, [first, second, third, teacher])
    assert await statuses(db, event) == {
        first.id: "confirmed",
        second.id: "waiting",
        third.id: "waiting",
        teacher.id: "confirmed",
    }

    # A seat is free, but the city has used its share: the sweep leaves everyone waiting.
    assert (await sweep(session_factory(engine), NOW)).promoted == []

    await set_event(db, event, seats_per_organisation=None)
    result = await sweep(session_factory(engine), NOW)

    assert len(result.promoted) == 1
    assert (await statuses(db, event))[second.id] == "confirmed"
    assert (await statuses(db, event))[third.id] == "waiting"
    assert await promoted_mail(db) == [second.email]


async def test_a_waiting_member_not_active_is_passed_over(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    event = await factories.event(db, capacity=1)
    people = [await factories.member(db) for _ in range(3)]
    await book_all(db, event, people)
    await db.execute(update(Member).where(Member.id == people[1].id).values(status="rejected"))
    await set_event(db, event, capacity=2)

    await sweep(session_factory(engine), NOW)

    assert await statuses(db, event) == {
        people[0].id: "confirmed",
        people[1].id: "waiting",
        people[2].id: "confirmed",
    }


async def test_only_published_upcoming_events_with_someone_waiting_are_looked_at(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    waiting = await factories.event(db, capacity=1)
    nobody_waiting = await factories.event(db, capacity=1)
    past = await factories.event(db, capacity=1, days=2)
    draft = await factories.event(db, capacity=1)
    people = [await factories.member(db) for _ in range(2)]
    for event in (waiting, past, draft):
        await book_all(db, event, people)
    await book_all(db, nobody_waiting, people[:1])
    # The second day of ``past`` is over now too; the draft was taken back.
    for session in await db.scalars(select(EventSession).where(EventSession.event_id == past.id)):
        session.starts_at -= timedelta(days=60)
        session.ends_at -= timedelta(days=60)
    await set_event(db, draft, status="draft")
    for event in (waiting, past, draft):
        await set_event(db, event, capacity=2)

    assert await events_to_promote(db, NOW) == [waiting.id]
    result = await sweep(session_factory(engine), NOW)

    assert result.events == 1 and len(result.promoted) == 1
    assert (await statuses(db, waiting))[people[1].id] == "confirmed"
    assert (await statuses(db, past))[people[1].id] == "waiting"
    assert (await statuses(db, draft))[people[1].id] == "waiting"


async def test_the_job_reports_in_german_without_names(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    event = await factories.event(db, capacity=1)
    people = [await factories.member(db) for _ in range(2)]
    await book_all(db, event, people)
    await set_event(db, event, capacity=2)

    summary = await promotion_sweep(
        JobContext(sessions=session_factory(engine), now=NOW, due_at=NOW)
    )

    assert summary == "1 Veranstaltung(en) mit Warteliste geprüft, 1 Platz/Plätze vergeben."


async def test_the_sweep_gives_way_to_requests_between_events(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    events = [await factories.event(db, capacity=1) for _ in range(3)]
    people = [await factories.member(db) for _ in range(2)]
    for event in events:
        await book_all(db, event, people)
        await set_event(db, event, capacity=2)
    waits: list[float] = []

    async def give_way(at_most: float) -> None:
        waits.append(at_most)

    result = await sweep(session_factory(engine), NOW, give_way)

    assert len(result.promoted) == 3
    assert len(waits) == 3 and all(0 <= w <= 1.0 for w in waits)
