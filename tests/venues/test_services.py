"""Venue, room and online-room services on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.core.db import begin_write, session_factory
from booking.core.errors import Forbidden, NotFound, ValidationFailed
from booking.members.models import Member
from tests import factories
from venues import messages, queries, services
from venues.checks import ROOMS_MAX
from venues.models import OnlineRoom, Room, Venue

GOOD: dict[str, Any] = {
    "name": "Bezirksregierung Münster",
    "street": "Domplatz 1–3",
    "postal_code": "48143",
    "city": "Münster",
    "region": "Münster",
    "step_free": True,
    "hearing_loop": False,
}


async def organiser(db: AsyncSession) -> Member:
    return await factories.member(db, role="organiser")


async def count(db: AsyncSession, model: type) -> int:
    await db.commit()
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def table(db: AsyncSession) -> list[tuple[Any, ...]]:
    """Every venue's columns and every room: compared before and after refused changes."""
    await db.commit()
    venues = await db.execute(select(Venue.__table__).order_by(Venue.id))
    rooms = await db.execute(select(Room.__table__).order_by(Room.id))
    return [tuple(row) for row in venues] + [tuple(row) for row in rooms]


async def test_create_cleans_the_fields_and_adds_the_first_rooms(db: AsyncSession) -> None:
    actor = await organiser(db)
    venue = await services.create_venue(
        db,
        actor=actor,
        **{**GOOD, "name": "  Bezirksregierung   Münster ", "postal_code": " 48143 "},
        accessible_toilet=True,
        accessibility_notes="  Stufenloser Zugang am Geisbergweg,\r\n barrierefreies WC.  ",
        rooms=[("Sitzungsraum 101", 24), ("Plenarsaal", 90)],
    )
    assert (venue.name, venue.postcode, venue.city, venue.region) == (
        "Bezirksregierung Münster",
        "48143",
        "Münster",
        "Münster",
    )
    assert venue.accessibility_notes == "Stufenloser Zugang am Geisbergweg,\nbarrierefreies WC."
    assert (venue.step_free, venue.hearing_loop, venue.accessible_toilet) == (True, False, True)
    assert [(r.name, r.capacity) for r in venue.rooms] == [
        ("Plenarsaal", 90),
        ("Sitzungsraum 101", 24),
    ]
    same = await queries.get_venue(db, venue.id, actor)
    assert same.id == venue.id and len(same.rooms) == 2


async def test_every_problem_is_named_at_once_and_nothing_is_written(db: AsyncSession) -> None:
    actor = await organiser(db)
    with pytest.raises(ValidationFailed) as refused:
        await services.create_venue(
            db,
            actor=actor,
            name="Haus\x00",
            street="",
            postal_code="4814",
            city="x" * 101,
            region="Berlin",
            step_free=False,
            hearing_loop=False,
            accessible_toilet=True,
            accessibility_notes="Ebenerdiger Zugang",
            rooms=[("Saal", 0), ("", 10), ("saal", 5)],
        )
    assert refused.value.fields == {
        "name": messages.CONTROL_CHARS,
        "street": messages.STREET_REQUIRED,
        "postal_code": messages.POSTAL_CODE_INVALID,
        "city": messages.CITY_TOO_LONG,
        "region": messages.REGION_UNKNOWN,
        "accessible_toilet": messages.TOILET_NEEDS_STEP_FREE,
        "accessibility_notes": messages.NOTES_CLAIM_STEP_FREE.format(word="Ebenerdiger"),
        "rooms.0.capacity": messages.CAPACITY_RANGE,
        "rooms.1.name": messages.ROOM_NAME_REQUIRED,
        "rooms.2.name": messages.ROOM_TAKEN.format(name="saal"),
    }
    with pytest.raises(ValidationFailed) as notes:
        await services.create_venue(
            db, actor=actor, **GOOD, accessibility_notes="Hinweis\x07", rooms=[("R", 1)] * 101
        )
    assert notes.value.fields == {
        "accessibility_notes": messages.CONTROL_CHARS,
        "rooms": messages.TOO_MANY_ROOMS,
        **{f"rooms.{n}.name": messages.ROOM_TAKEN.format(name="R") for n in range(1, 100)},
    }
    assert await count(db, Venue) == 0 and await count(db, Room) == 0


async def test_a_venue_name_is_unique_in_its_city(db: AsyncSession) -> None:
    actor = await organiser(db)
    await services.create_venue(db, actor=actor, **GOOD)
    with pytest.raises(ValidationFailed) as taken:
        await services.create_venue(
            db, actor=actor, **{**GOOD, "name": "BEZIRKSREGIERUNG Münster", "city": "münster"}
        )
    assert taken.value.fields == {
        "name": messages.VENUE_TAKEN.format(name="BEZIRKSREGIERUNG Münster", city="münster")
    }
    elsewhere = await services.create_venue(db, actor=actor, **{**GOOD, "city": "Greven"})
    with pytest.raises(ValidationFailed, match="gibt es bereits"):
        await services.update_venue(db, actor=actor, venue_id=elsewhere.id, city="Münster")
    assert await count(db, Venue) == 2


async def test_only_organisers_manage_venues(db: AsyncSession) -> None:
    member = await factories.member(db)
    trainer = await factories.member(db, role="trainer")
    venue = await services.create_venue(db, actor=await organiser(db), **GOOD, rooms=[("A", 5)])
    room_id = venue.rooms[0].id
    for actor in (member, trainer):
        calls = [
            services.create_venue(db, actor=actor, **{**GOOD, "city": "Greven"}),
            services.update_venue(db, actor=actor, venue_id=venue.id, name="Neu"),
            services.add_room(db, actor=actor, venue_id=venue.id, name="B", capacity=3),
            services.update_room(db, actor=actor, venue_id=venue.id, room_id=room_id, capacity=9),
            services.create_online_room(
                db, actor=actor, name="Raum", meeting_url="https://x.example/a"
            ),
            services.update_online_room(db, actor=actor, online_room_id=1, name="Neu"),
            queries.list_venues(db, actor, queries.VenueFilter()),
            queries.get_venue(db, venue.id, actor),
            queries.list_online_rooms(db, actor),
            queries.get_online_room(db, 1, actor),
        ]
        for call in calls:
            with pytest.raises(Forbidden):
                await call
    assert await count(db, Venue) == 1 and await count(db, OnlineRoom) == 0


async def test_a_change_must_keep_the_facts_in_agreement(db: AsyncSession) -> None:
    actor = await organiser(db)
    venue = await services.create_venue(
        db,
        actor=actor,
        **{**GOOD, "hearing_loop": True},
        accessible_toilet=True,
        accessibility_notes="Stufenloser Zugang, Induktionsschleife im Saal.",
    )
    before = await table(db)
    contradictions = {"accessible_toilet", "accessibility_notes"}
    for changes, fields in (
        ({"step_free": False}, contradictions),
        ({"step_free": False, "accessible_toilet": False}, {"accessibility_notes"}),
        ({"hearing_loop": False}, {"accessibility_notes"}),
        (
            {"accessibility_notes": "Rollstuhlgerecht", "step_free": False},
            {"accessible_toilet", "accessibility_notes"},
        ),
        ({"postal_code": "1234", "step_free": False}, {"postal_code", *contradictions}),
    ):
        with pytest.raises(ValidationFailed) as refused:
            await services.update_venue(db, actor=actor, venue_id=venue.id, **changes)
        assert set(refused.value.fields) == fields, (changes, refused.value.fields)
    assert await table(db) == before

    changed = await services.update_venue(
        db,
        actor=actor,
        venue_id=venue.id,
        step_free=False,
        hearing_loop=False,
        accessible_toilet=False,
        accessibility_notes="Nicht stufenlos: zwei Stufen am Eingang. Keine Induktionsschleife.",
        street="Domplatz 36",
    )
    assert (changed.step_free, changed.hearing_loop, changed.accessible_toilet) == (
        False,
        False,
        False,
    )
    assert (changed.street, changed.name) == ("Domplatz 36", GOOD["name"])
    with pytest.raises(NotFound):
        await services.update_venue(db, actor=actor, venue_id=venue.id + 99, name="X")


async def test_the_database_refuses_a_toilet_without_step_free_access(db: AsyncSession) -> None:
    db.add(
        Venue(
            name="Haus", street="Weg 1", postcode="48143", city="Münster", region="Münster",
            step_free=False, accessible_toilet=True,
        )
    )  # fmt: skip
    with pytest.raises(IntegrityError, match="toilet_needs_step_free"):
        await db.commit()


async def test_what_the_database_refuses_is_answered_like_the_check(
    db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the service's check ever miss it, the CHECK constraint refuses the write and
    the organiser reads the same German message, with nothing written."""
    actor = await organiser(db)
    venue = await services.create_venue(db, actor=actor, **GOOD, accessible_toilet=True)
    venue_id = venue.id
    monkeypatch.setattr(services, "_check_facts", lambda venue, errors: None)
    with pytest.raises(ValidationFailed) as refused:
        await services.update_venue(db, actor=actor, venue_id=venue_id, step_free=False)
    assert refused.value.fields == {"accessible_toilet": messages.TOILET_NEEDS_STEP_FREE}
    await db.commit()
    stored = await queries.get_venue(db, venue_id, actor)
    assert (stored.step_free, stored.accessible_toilet) == (True, True)


async def test_facts_changed_at_the_same_time_are_decided_one_after_the_other(
    engine: AsyncEngine, db: AsyncSession
) -> None:
    """One organiser takes away step-free access while another ticks the toilet: the second
    waits for the first (the row is locked), reads its change and is refused in German."""
    actor = await organiser(db)
    venue = await services.create_venue(db, actor=actor, **GOOD)
    sessions = session_factory(engine)
    async with sessions() as holder, sessions() as racer:
        await begin_write(holder)
        await holder.execute(update(Venue).where(Venue.id == venue.id).values(step_free=False))
        race = asyncio.create_task(
            services.update_venue(racer, actor=actor, venue_id=venue.id, accessible_toilet=True)
        )
        if engine.dialect.name == "postgresql":
            await _until_waiting_for_a_lock(db)
        else:
            await asyncio.sleep(0.2)
        assert not race.done()
        await holder.commit()
        with pytest.raises(ValidationFailed) as refused:
            await race
    assert refused.value.fields == {"accessible_toilet": messages.TOILET_NEEDS_STEP_FREE}
    await db.commit()  # a fresh snapshot
    stored = await queries.get_venue(db, venue.id, actor)
    assert (stored.step_free, stored.accessible_toilet) == (False, False)


async def test_a_venue_raced_for_twice_is_created_once(
    engine: AsyncEngine, db: AsyncSession
) -> None:
    actor = await organiser(db)
    sessions = session_factory(engine)
    async with sessions() as holder, sessions() as racer:
        await begin_write(holder)
        holder.add(Venue(name=GOOD["name"], street="Weg 1", postcode="48143", city="Münster",
                         region="Münster"))  # fmt: skip
        await holder.flush()
        race = asyncio.create_task(services.create_venue(racer, actor=actor, **GOOD))
        if engine.dialect.name == "postgresql":
            await _until_waiting_for_a_lock(db)
        else:
            await asyncio.sleep(0.2)
        await holder.commit()
        with pytest.raises(ValidationFailed) as refused:
            await race
    assert refused.value.fields == {
        "name": messages.VENUE_TAKEN.format(name=GOOD["name"], city="Münster")
    }
    assert await count(db, Venue) == 1


async def _until_waiting_for_a_lock(db: AsyncSession) -> None:
    for _ in range(200):
        waiting = await db.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        )
        await db.commit()
        if waiting:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the second request never waited for the first")


async def test_rooms_are_added_and_changed_with_unique_names(db: AsyncSession) -> None:
    actor = await organiser(db)
    venue = await services.create_venue(db, actor=actor, **GOOD, rooms=[("Plenarsaal", 90)])
    other = await services.create_venue(db, actor=actor, **{**GOOD, "city": "Greven"})
    room = await services.add_room(
        db, actor=actor, venue_id=venue.id, name=" Sitzungsraum  101 ", capacity=24
    )
    assert (room.name, room.capacity, room.venue_id) == ("Sitzungsraum 101", 24, venue.id)
    # the same name at another venue is another room
    await services.add_room(db, actor=actor, venue_id=other.id, name="Plenarsaal", capacity=5)
    before = await table(db)
    for name, capacity, fields in (
        ("PLENARSAAL", 10, {"name"}),
        ("", 10, {"name"}),
        ("Raum\x00", 10, {"name"}),
        ("Raum", 0, {"capacity"}),
        ("Raum", 10_001, {"capacity"}),
        ("Raum", True, {"capacity"}),
    ):
        with pytest.raises(ValidationFailed) as refused:
            await services.add_room(
                db, actor=actor, venue_id=venue.id, name=name, capacity=capacity
            )
        assert set(refused.value.fields) == fields
    with pytest.raises(ValidationFailed, match="gibt es an diesem Ort bereits"):
        await services.update_room(
            db, actor=actor, venue_id=venue.id, room_id=room.id, name="plenarsaal"
        )
    with pytest.raises(NotFound):
        await services.add_room(db, actor=actor, venue_id=venue.id + 99, name="X", capacity=1)
    with pytest.raises(NotFound):  # a room is changed through its own venue only
        await services.update_room(db, actor=actor, venue_id=other.id, room_id=room.id, capacity=1)
    with pytest.raises(NotFound):
        await queries.get_room(db, other.id, room.id, actor)
    assert await table(db) == before

    changed = await services.update_room(
        db, actor=actor, venue_id=venue.id, room_id=room.id, name="Sitzungsraum 102", capacity=30
    )
    assert (changed.name, changed.capacity) == ("Sitzungsraum 102", 30)
    renamed_case = await services.update_room(
        db, actor=actor, venue_id=venue.id, room_id=room.id, name="SITZUNGSRAUM 102"
    )
    assert renamed_case.name == "SITZUNGSRAUM 102"


async def test_a_venue_holds_at_most_so_many_rooms(db: AsyncSession) -> None:
    actor = await organiser(db)
    venue = await services.create_venue(
        db, actor=actor, **GOOD, rooms=[(f"Raum {n}", 10) for n in range(ROOMS_MAX)]
    )
    with pytest.raises(ValidationFailed) as refused:
        await services.add_room(db, actor=actor, venue_id=venue.id, name="Noch einer", capacity=1)
    assert refused.value.message == messages.TOO_MANY_ROOMS
    assert await count(db, Room) == ROOMS_MAX


async def test_online_rooms(db: AsyncSession) -> None:
    actor = await organiser(db)
    room = await services.create_online_room(
        db,
        actor=actor,
        name=" Netzwerkraum ",
        meeting_url=" https://meet.example/netzwerk ",
        dial_in="+49 251 123456, PIN 4711",
    )
    assert (room.name, room.meeting_url, room.dial_in) == (
        "Netzwerkraum",
        "https://meet.example/netzwerk",
        "+49 251 123456, PIN 4711",
    )
    with pytest.raises(ValidationFailed) as refused:
        await services.create_online_room(
            db, actor=actor, name="NETZWERKRAUM", meeting_url="https://meet.example/x"
        )
    assert refused.value.fields == {"name": messages.ONLINE_NAME_TAKEN.format(name="NETZWERKRAUM")}
    with pytest.raises(ValidationFailed) as bad:
        await services.create_online_room(
            db, actor=actor, name="", meeting_url="http://meet.example", dial_in="\x00"
        )
    assert bad.value.fields == {
        "name": messages.ONLINE_NAME_REQUIRED,
        "meeting_url": messages.MEETING_URL_INVALID,
        "dial_in": messages.CONTROL_CHARS,
    }
    changed = await services.update_online_room(
        db, actor=actor, online_room_id=room.id, meeting_url="https://meet.example/neu"
    )
    assert (changed.name, changed.meeting_url) == ("Netzwerkraum", "https://meet.example/neu")
    with pytest.raises(ValidationFailed):
        await services.update_online_room(
            db, actor=actor, online_room_id=room.id, meeting_url="ftp://x"
        )
    with pytest.raises(NotFound):
        await services.update_online_room(db, actor=actor, online_room_id=room.id + 9, name="X")
    assert await count(db, OnlineRoom) == 1
