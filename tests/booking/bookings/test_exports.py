"""An event's bookings as a table for spreadsheets: the order, waiting positions, words for
statuses and sectors, Berlin times, workshop choices and attendance where they apply, who may
read it; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import exports, queries, services
from booking.bookings.models import Booking, BookingStatus
from booking.core.errors import Forbidden, NotFound
from booking.core.formatting import BERLIN, date_de, datetime_de
from booking.core.spreadsheets import Table
from courses.attendance import services as attendance
from courses.models import EventSession, event_trainers
from tests import factories
from tests.factories import NOW, participants, training

HEADER = (
    "Nachname", "Vorname", "E-Mail", "Organisation", "Bereich", "Regierungsbezirk", "Status",
    "Wartelistenplatz", "Gebucht am",
)  # fmt: skip


def column(table: Table, name: str) -> list[object]:
    index = table.header.index(name)
    return [row[index] for row in table.rows]


async def test_participants_first_then_the_waiting_list_by_position_then_the_rest(
    db: AsyncSession,
) -> None:
    organiser = await factories.member(db, role="organiser")
    police = await factories.organisation(db, sector="polizei", region="Detmold")
    event = await factories.event(db, capacity=2)
    people = [await factories.member(db, police) for _ in range(7)]
    booked = []
    for minutes, person in enumerate(people[:6]):
        result = await services.book(
            db, event_id=event.id, member_id=person.id, now=NOW + timedelta(minutes=minutes)
        )
        booked.append(result.booking)
    _, _, waiting_1, leaves, waiting_2, cancels = booked
    await services.cancel(db, booking_id=leaves.id, actor=people[3], now=NOW)
    await services.cancel(db, booking_id=cancels.id, actor=people[5], now=NOW)
    requested = Booking(
        event_id=event.id, member_id=people[6].id, organisation_id=police.id, status="requested"
    )
    db.add(requested)
    await db.commit()

    table = await exports.participants_table(db, event.id, organiser)

    assert table.header == HEADER
    assert table.title == event.title and table.sheet == "Teilnehmende"
    order = [people[i] for i in (0, 1, 2, 4, 6, 3, 5)]
    assert column(table, "E-Mail") == [p.email for p in order]
    assert column(table, "Nachname") == [p.last_name for p in order]
    assert column(table, "Vorname") == ["Vorname"] * 7
    assert column(table, "Status") == [
        "bestätigt", "bestätigt", "Warteliste", "Warteliste", "wartet auf Freigabe", "storniert",
        "storniert",
    ]  # fmt: skip
    assert column(table, "Wartelistenplatz") == [None, None, 1, 2, None, None, None]
    positions = await queries.waitlist_positions(db, [waiting_1, waiting_2])
    assert positions == {waiting_1.id: 1, waiting_2.id: 2}  # the pages' positions
    assert set(column(table, "Organisation")) == {police.name}
    assert set(column(table, "Bereich")) == {"Polizei"}
    assert set(column(table, "Regierungsbezirk")) == {"Detmold"}
    booked_at = column(table, "Gebucht am")
    assert booked_at[0] == NOW.astimezone(BERLIN).replace(tzinfo=None)
    assert booked_at[2] == (NOW + timedelta(minutes=2)).astimezone(BERLIN).replace(tzinfo=None)


async def test_chunks_read_the_same_table_as_one_read(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db, capacity=3)
    for _ in range(8):
        person = await factories.member(db)
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)

    whole = await exports.participants_table(db, event.id, organiser)
    for chunk in (1, 2, 3, 5):
        assert await exports.participants_table(db, event.id, organiser, chunk=chunk) == whole
    assert column(whole, "Wartelistenplatz") == [None] * 3 + [1, 2, 3, 4, 5]


async def test_a_booking_without_organisation_leaves_its_cells_empty(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db)
    person = await factories.member(db)
    db.add(Booking(event_id=event.id, member_id=person.id, status="confirmed"))
    await db.commit()

    [row] = (await exports.participants_table(db, event.id, organiser)).rows

    assert row[3:6] == (None, None, None)


async def test_a_conference_lists_each_members_workshops(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    conference = await factories.event(db, kind="conference", capacity=10)
    forum = await factories.event(
        db, kind="workshop", parent_id=conference.id, capacity=5, title="Forum: Recht"
    )
    full = await factories.event(
        db, kind="workshop", parent_id=conference.id, capacity=0, title="Austausch am Abend",
        starts_in=timedelta(days=31),
    )  # fmt: skip
    left = await factories.event(
        db, kind="workshop", parent_id=conference.id, capacity=5, title="Zwischenruf",
        starts_in=timedelta(days=32),
    )  # fmt: skip
    chooser, undecided = await factories.member(db), await factories.member(db)
    for person in (chooser, undecided):
        await services.book(db, event_id=conference.id, member_id=person.id, now=NOW)
    for workshop in (forum, full, left):
        await services.book(db, event_id=workshop.id, member_id=chooser.id, now=NOW)
    [gone] = await queries.event_bookings(db, left.id, organiser)
    await services.cancel(db, booking_id=gone.id, actor=chooser, now=NOW)

    table = await exports.participants_table(db, conference.id, organiser)

    assert table.header == (*HEADER, "Workshops")
    assert column(table, "Workshops") == ["Austausch am Abend (Warteliste); Forum: Recht", None]
    workshop_table = await exports.participants_table(db, forum.id, organiser)
    assert workshop_table.header == HEADER  # a workshop has no workshops of its own


async def test_marks_give_a_column_per_session_once_any_is_set(db: AsyncSession) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer)
    first, second = event.sessions
    present, late, absent = await participants(db, event, 3)
    waiting = await factories.member(db)
    db.add(Booking(event_id=event.id, member_id=waiting.id, status="waiting"))
    await db.commit()

    unmarked = await exports.participants_table(db, event.id, trainer)
    assert unmarked.header == HEADER

    marks = [(present.id, "present"), (late.id, "late"), (absent.id, "absent")]
    await attendance.mark(
        db, event_id=event.id, session_id=first.id, marks=marks, actor=trainer, now=NOW
    )
    table = await exports.participants_table(db, event.id, trainer)

    days = [f"Anwesenheit {date_de(s.starts_at)}" for s in (first, second)]
    assert table.header == (*HEADER, *days)
    assert column(table, days[0]) == ["anwesend", "verspätet", "abwesend", None]
    assert column(table, days[1]) == [None] * 4
    assert column(table, "Status")[-1] == "Warteliste"


async def test_two_sessions_on_one_day_are_told_apart_by_their_time(db: AsyncSession) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer, days=1)
    [morning] = event.sessions
    day = datetime.combine(morning.starts_at.astimezone(BERLIN).date(), time(9), BERLIN)
    morning.starts_at, morning.ends_at = day, day + timedelta(hours=3)
    afternoon = EventSession(
        event_id=event.id, starts_at=day + timedelta(hours=4), ends_at=day + timedelta(hours=7)
    )
    db.add(afternoon)
    await db.commit()
    [person] = await participants(db, event, 1)
    await attendance.mark(
        db, event_id=event.id, session_id=morning.id, marks=[(person.id, "excused")],
        actor=trainer, now=NOW,
    )  # fmt: skip

    table = await exports.participants_table(db, event.id, trainer)

    names = [f"Anwesenheit {datetime_de(s.starts_at)}" for s in (morning, afternoon)]
    assert table.header[-2:] == tuple(names)
    assert table.rows[0][-2:] == ("entschuldigt", None)


async def test_only_organisers_and_the_events_trainers_may_read_it(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    trainer = await factories.member(db, role="trainer")
    other_trainer = await factories.member(db, role="trainer")
    member = await factories.member(db)
    pending_organiser = await factories.member(db, role="organiser", status="pending")
    event = await factories.event(db)
    await db.execute(insert(event_trainers).values(event_id=event.id, member_id=trainer.id))
    await db.commit()
    await participants(db, event, 2)

    for allowed in (organiser, trainer):
        assert len((await exports.participants_table(db, event.id, allowed)).rows) == 2
    for refused in (other_trainer, member, pending_organiser):
        with pytest.raises(Forbidden) as caught:
            await exports.participants_table(db, event.id, refused)
        assert "Geschäftsstelle" in caught.value.message
    with pytest.raises(NotFound) as unknown:
        await exports.participants_table(db, event.id + 1000, organiser)
    assert unknown.value.message == "Diese Veranstaltung gibt es nicht."


def test_the_filename_names_the_event_and_the_day() -> None:
    assert exports.export_filename(12, NOW.date()) == f"teilnehmende-12-{NOW.date():%Y-%m-%d}"


def test_every_status_is_in_one_part_of_the_table() -> None:
    parts = [status for group in exports.GROUPS for status in group]
    assert sorted(parts) == sorted(BookingStatus) and len(parts) == len(set(parts))
