"""Planning events: publishing a draft, copying an event with its workshops to a new date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings import services as bookings
from booking.bookings.models import Booking
from booking.core.errors import Forbidden, InvalidState, ValidationFailed
from courses import services
from courses.models import Event, EventSector, EventSession
from tests import factories
from tests.factories import NOW


def test_a_shift_keeps_the_time_of_day_across_summer_time() -> None:
    winter = datetime(2027, 3, 23, 8, 0, tzinfo=UTC)  # 9:00 in Berlin (CET)
    assert services.shifted(winter, 7) == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)  # 9:00 CEST
    assert services.shifted(winter, -1) == datetime(2027, 3, 22, 8, 0, tzinfo=UTC)


async def test_a_copy_is_a_draft_at_the_new_date_with_its_workshops(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    trainer = await factories.member(db, role="trainer")
    conference = await factories.event(
        db, kind="conference", title="Fachtag", days=2, capacity=120, seats_per_organisation=4,
        registration_deadline=NOW + timedelta(days=20), certificate_content="Vortrag",
    )  # fmt: skip
    await db.refresh(conference, ["sectors", "trainers"])
    conference.sectors = [EventSector(sector="polizei")]
    conference.trainers = [trainer]
    await db.commit()
    workshop = await factories.event(
        db, kind="workshop", title="Workshop A", parent_id=conference.id
    )
    person = await factories.member(db, await factories.organisation(db, sector="polizei"))
    await bookings.book(db, event_id=conference.id, member_id=person.id, now=NOW)

    first = conference.sessions[0].starts_at
    new_day = date(2031, 6, 3)
    copy = await services.copy_event(db, event_id=conference.id, first_day=new_day, actor=organiser)
    stored = await db.scalar(
        select(Event).where(Event.id == copy.id).options(
            selectinload(Event.sessions), selectinload(Event.sectors),
            selectinload(Event.trainers), selectinload(Event.workshops),
        )
    )  # fmt: skip
    assert stored is not None and stored.id != conference.id
    assert (stored.status, stored.title, stored.capacity, stored.seats_per_organisation) == (
        "draft",
        "Fachtag",
        120,
        4,
    )
    days = (new_day - first.astimezone(services.BERLIN).date()).days
    assert [s.starts_at for s in stored.sessions] == [
        services.shifted(s.starts_at, days) for s in conference.sessions
    ]
    assert stored.registration_deadline == services.shifted(NOW + timedelta(days=20), days)
    assert (stored.target_sectors, [t.id for t in stored.trainers]) == (["polizei"], [trainer.id])
    assert stored.certificate_lines == ["Vortrag"]
    [copied_workshop] = stored.workshops
    assert (copied_workshop.title, copied_workshop.status) == ("Workshop A", "draft")
    assert copied_workshop.id != workshop.id
    booked = await db.scalars(select(Booking.id).where(Booking.event_id == copy.id))
    assert list(booked) == []

    with pytest.raises(Forbidden):
        await services.copy_event(db, event_id=conference.id, first_day=new_day, actor=trainer)


async def test_publishing_a_draft(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    draft = await factories.event(db, status="draft")
    published = await services.publish_event(db, event_id=draft.id, actor=organiser)
    assert published.status == "published"
    assert (await services.publish_event(db, event_id=draft.id, actor=organiser)).status == (
        "published"
    )
    called_off = await factories.event(db, status="cancelled")
    with pytest.raises(InvalidState):
        await services.publish_event(db, event_id=called_off.id, actor=organiser)
    with pytest.raises(Forbidden):
        await services.publish_event(db, event_id=draft.id, actor=await factories.member(db))


def test_workshops_at_the_same_time_form_one_parallel_slot() -> None:
    def workshop(title: str, hour: int | None) -> Event:
        event = Event(title=title, kind="workshop", capacity=10)
        if hour is not None:
            starts = datetime(2027, 3, 9, hour, tzinfo=UTC)
            event.sessions = [EventSession(starts_at=starts, ends_at=starts + timedelta(hours=2))]
        return event

    late_b, early, late_a, unplanned = (
        workshop("B", 13),
        workshop("Früh", 9),
        workshop("A", 13),
        workshop("Ohne Zeit", None),
    )
    slots = services.parallel_slots([late_b, early, unplanned, late_a])
    assert [[w.title for w in slot.workshops] for slot in slots] == [
        ["Früh"],
        ["A", "B"],
        ["Ohne Zeit"],
    ]
    assert [slot.parallel for slot in slots] == [False, True, False]
    assert slots[1].starts_at == datetime(2027, 3, 9, 13, tzinfo=UTC)


async def test_only_a_workshop_belongs_to_another_event(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    conference = await factories.event(db, kind="conference")
    start = NOW + timedelta(days=40)
    data = services.NewEvent(
        title="Training am Rand",
        kind="training",
        capacity=10,
        sessions=[(start, start + timedelta(hours=2))],
        parent_id=conference.id,
    )
    with pytest.raises(ValidationFailed) as refused:
        await services.create_event(db, data=data, actor=organiser)
    assert "parent_id" in refused.value.fields
