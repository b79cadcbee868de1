"""Parallel workshops of a conference: a member holds at most one of those that overlap in
time, decided under the conference's lock, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.bookings import queries, services
from booking.bookings.models import ACTIVE_STATUSES, Booking
from booking.core.db import session_factory
from booking.core.errors import DomainError, NotFound, ScheduleClash
from courses.models import Event, EventSession
from tests import factories
from tests.api import token_of
from tests.factories import NOW


async def workshop(
    db: AsyncSession, conference: Event, title: str, hours: tuple[int, int]
) -> Event:
    day = conference.sessions[0].starts_at.replace(hour=0, minute=0)
    event = Event(
        kind="workshop", status="published", title=title, capacity=20, parent_id=conference.id
    )
    event.sessions = [
        EventSession(
            starts_at=day + timedelta(hours=hours[0]), ends_at=day + timedelta(hours=hours[1])
        )
    ]
    db.add(event)
    await db.commit()
    return event


async def forum_day(db: AsyncSession) -> tuple[Event, Event, Event, Event]:
    """A conference with forums A and B in parallel (13–15 h) and C after them (15–17 h)."""
    conference = await factories.event(db, kind="conference", capacity=100)
    a = await workshop(db, conference, "Forum A: Meldewesen", (13, 15))
    b = await workshop(db, conference, "Forum B: Nachsorge", (14, 16))
    c = await workshop(db, conference, "Forum C: Recht", (16, 17))
    return conference, a, b, c


async def test_second_overlapping_workshop_is_refused_naming_the_first(
    db: AsyncSession,
) -> None:
    conference, a, b, c = await forum_day(db)
    person = await factories.member(db)
    await services.book(db, event_id=conference.id, member_id=person.id, now=NOW)
    await services.book(db, event_id=a.id, member_id=person.id, now=NOW)

    with pytest.raises(ScheduleClash) as refused:
        await services.book(db, event_id=b.id, member_id=person.id, now=NOW)
    assert "„Forum A: Meldewesen“" in refused.value.message
    assert refused.value.status == 409
    box = await queries.booking_box(db, b, person, NOW)
    assert box.problem == refused.value.message

    await services.book(db, event_id=c.id, member_id=person.id, now=NOW)  # after A: fine
    [booking_a] = await db.scalars(
        select(Booking).where(Booking.event_id == a.id, Booking.member_id == person.id)
    )
    await services.cancel(db, booking_id=booking_a.id, actor=person, now=NOW)
    await services.book(db, event_id=b.id, member_id=person.id, now=NOW)  # A is gone


async def test_one_batch_gives_only_the_first_of_two_parallel_workshops(
    db: AsyncSession,
) -> None:
    conference, a, b, _ = await forum_day(db)
    person = await factories.member(db)
    await services.book(db, event_id=conference.id, member_id=person.id, now=NOW)
    outcomes = await services.book_many(
        db,
        [
            services.BookingRequest(b.id, person.id, NOW),
            services.BookingRequest(a.id, person.id, NOW),
        ],
    )
    assert isinstance(outcomes[0], services.BookingResult)
    assert isinstance(outcomes[1], ScheduleClash) and "Forum B" in outcomes[1].message


async def test_racing_for_two_parallel_workshops_gives_one(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as db:
        conference, a, b, _ = await forum_day(db)
        people = [await factories.member(db) for _ in range(8)]
        for person in people:
            await services.book(db, event_id=conference.id, member_id=person.id, now=NOW)

    async def book(event_id: int, member_id: int) -> object:
        async with sessions() as db:
            try:
                return await services.book(db, event_id=event_id, member_id=member_id, now=NOW)
            except DomainError as exc:
                return exc

    outcomes = await asyncio.gather(*(book(w.id, p.id) for p in people for w in (a, b)))
    assert sum(isinstance(o, ScheduleClash) for o in outcomes) == len(people)
    async with sessions() as db:
        held = await db.execute(
            select(Booking.member_id, Booking.event_id).where(
                Booking.event_id.in_((a.id, b.id)), Booking.status.in_(ACTIVE_STATUSES)
            )
        )
        assert sorted(m for m, _ in held) == sorted(p.id for p in people)


async def test_api_answers_409_with_the_reason(client: httpx.AsyncClient, db: AsyncSession) -> None:
    conference, a, b, _ = await forum_day(db)
    person = await factories.member(db)
    auth = await token_of(db, person)
    for event in (conference, a):
        response = await client.post(f"/api/v1/events/{event.id}/bookings", headers=auth)
        assert response.status_code == 201, response.text
    response = await client.post(f"/api/v1/events/{b.id}/bookings", headers=auth)
    assert response.status_code == 409
    assert response.json()["error"] == "schedule_clash"
    assert "Forum A" in response.json()["message"]


async def test_a_workshop_of_a_draft_conference_cannot_be_booked_nor_named(
    db: AsyncSession,
) -> None:
    draft = await factories.event(db, kind="conference", status="draft", title="Geheimtagung")
    workshop = await factories.event(db, kind="workshop", parent_id=draft.id)
    person = await factories.member(db)
    with pytest.raises(NotFound) as refused:
        await services.book(db, event_id=workshop.id, member_id=person.id, now=NOW)
    assert "Geheimtagung" not in refused.value.message
