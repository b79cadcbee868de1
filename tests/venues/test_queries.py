"""Reading venues and online rooms: lists by name a page at a time, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.errors import ValidationFailed
from booking.core.paging import PAGE_SIZE_MAX
from tests import factories
from venues import queries
from venues.models import OnlineRoom, Room, Venue


async def test_venues_are_listed_by_name_with_filters_and_pages(db: AsyncSession) -> None:
    actor = await factories.member(db, role="organiser")
    places = [
        ("Rathaus", "Bonn", "Köln"),
        ("akademie Mont-Cenis", "Herne", "Arnsberg"),
        ("Kreishaus_Borken 100%", "Borken", "Münster"),
        ("Bezirksregierung", "Köln", "Köln"),
        ("Bezirksregierung", "Münster", "Münster"),
    ]
    for name, city, region in places:
        db.add(
            Venue(
                name=name, street="Weg 1", postcode="48143", city=city, region=region,
                rooms=[Room(name="Saal", capacity=50), Room(name="Büro", capacity=4)],
            )
        )  # fmt: skip
    await db.commit()

    everything = await queries.list_venues(db, actor, queries.VenueFilter())
    assert [(v.name, v.city) for v in everything.items] == [
        ("akademie Mont-Cenis", "Herne"),
        ("Bezirksregierung", "Köln"),
        ("Bezirksregierung", "Münster"),
        ("Kreishaus_Borken 100%", "Borken"),
        ("Rathaus", "Bonn"),
    ]
    assert everything.next_cursor is None
    assert [r.name for r in everything.items[0].rooms] == ["Büro", "Saal"]

    async def names(**filters: Any) -> list[str]:
        page = await queries.list_venues(db, actor, queries.VenueFilter(**filters))
        return [f"{v.name}, {v.city}" for v in page.items]

    assert await names(search="  BEZIRKS ") == [
        "Bezirksregierung, Köln",
        "Bezirksregierung, Münster",
    ]
    assert await names(search="bonn") == ["Rathaus, Bonn"]  # the city too
    assert await names(search="_b") == ["Kreishaus_Borken 100%, Borken"]  # literally
    assert await names(search="0%") == ["Kreishaus_Borken 100%, Borken"]
    assert await names(region="Köln") == ["Bezirksregierung, Köln", "Rathaus, Bonn"]

    seen: list[int] = []
    after = None
    for _ in range(10):
        page = await queries.list_venues(db, actor, queries.VenueFilter(), after=after, limit=2)
        assert len(page.items) <= 2
        seen += [v.id for v in page.items]
        after = page.next_cursor
        if after is None:
            break
    assert seen == [v.id for v in everything.items]

    for bad in ({"after": "kaputt!"}, {"limit": 0}, {"limit": PAGE_SIZE_MAX + 1}):
        with pytest.raises(ValidationFailed):
            await queries.list_venues(db, actor, queries.VenueFilter(), **bad)
    for filters in (
        queries.VenueFilter(search="a\x00"),
        queries.VenueFilter(search="x" * 201),
        queries.VenueFilter(region="Berlin"),
    ):
        with pytest.raises(ValidationFailed):
            await queries.list_venues(db, actor, filters)


async def test_online_rooms_are_listed_by_name_in_pages(db: AsyncSession) -> None:
    actor = await factories.member(db, role="organiser")
    for n in (3, 1, 2):
        db.add(OnlineRoom(name=f"Raum {n}", meeting_url=f"https://meet.example/{n}"))
    db.add(OnlineRoom(name="webinar", meeting_url="https://meet.example/w"))
    await db.commit()
    first = await queries.list_online_rooms(db, actor, limit=3)
    assert [r.name for r in first.items] == ["Raum 1", "Raum 2", "Raum 3"]
    rest = await queries.list_online_rooms(db, actor, after=first.next_cursor, limit=3)
    assert [r.name for r in rest.items] == ["webinar"] and rest.next_cursor is None
    found = await queries.list_online_rooms(db, actor, search="WEB")
    assert [r.name for r in found.items] == ["webinar"]
    with pytest.raises(ValidationFailed):
        await queries.list_online_rooms(db, actor, search="\x00")
