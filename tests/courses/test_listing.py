"""The programme's listing: pages cut by the database, the series collapsed, filters in SQL."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings.models import Booking
from booking.core.errors import ValidationFailed
from booking.core.paging import CURSOR_INVALID, encode_cursor
from courses import listing
from courses.listing import ProgrammeFilter
from courses.models import Event, Series
from tests import factories
from tests.factories import NOW


async def walk(
    db: AsyncSession, filters: ProgrammeFilter, limit: int
) -> tuple[list[list[Event]], set[int]]:
    """Every page from the first to the last, and the totals they reported."""
    pages: list[list[Event]] = []
    totals: set[int] = set()
    cursor = None
    while True:
        page = await listing.programme(db, filters, NOW, cursor=cursor, limit=limit)
        pages.append([item.event for item in page.items])
        totals.add(page.total or 0)
        if page.next_cursor is None:
            return pages, totals
        cursor = page.next_cursor


async def test_pages_follow_each_other_in_start_order_without_gaps(db: AsyncSession) -> None:
    # Created out of order, two on the same start (the id breaks the tie).
    offsets = [9, 3, 27, 3, 14, 1, 40, 22, 5, 31, 18, 2]
    events = [await factories.event(db, starts_in=timedelta(days=d)) for d in offsets]
    await factories.event(db, starts_in=timedelta(days=-2))  # over
    await factories.event(db, status="draft")

    pages, totals = await walk(db, ProgrammeFilter(), limit=5)

    assert [len(p) for p in pages] == [5, 5, 2]
    assert totals == {12}
    shown = [e.id for page in pages for e in page]
    expected = sorted(events, key=lambda e: (e.sessions[0].starts_at, e.id))
    assert shown == [e.id for e in expected]


async def test_an_event_under_way_is_listed_by_its_first_day(db: AsyncSession) -> None:
    running = await factories.event(db, starts_in=timedelta(days=-1), days=3)
    later = await factories.event(db, starts_in=timedelta(days=1))
    page = await listing.programme(db, ProgrammeFilter(), NOW)
    assert [item.event.id for item in page.items] == [running.id, later.id]


async def series_of(db: AsyncSession, dates: int, first_in_days: int = 5) -> Series:
    series = Series(
        title="Frag doch mal das Netzwerk",
        rrule="FREQ=MONTHLY",
        first_starts_at=NOW + timedelta(days=first_in_days),
        duration_minutes=60,
    )
    db.add(series)
    await db.commit()
    for n in range(dates):
        await factories.event(
            db,
            kind="online_qa",
            series_id=series.id,
            starts_in=timedelta(days=first_in_days + 30 * n),
        )
    return series


async def test_a_series_stands_once_with_its_next_date_and_its_count(db: AsyncSession) -> None:
    series = await series_of(db, dates=6)
    await factories.event(db, kind="online_qa", series_id=series.id, starts_in=timedelta(days=-40))
    others = [await factories.event(db, starts_in=timedelta(days=d)) for d in (2, 50)]

    page = await listing.programme(db, ProgrammeFilter(collapse_series=True), NOW)

    assert page.total == 3
    entries = [(item.event.series_id, item.series_dates) for item in page.items]
    assert entries == [(None, 1), (series.id, 6), (None, 1)]
    assert page.items[0].event.id == others[0].id

    every_date = await listing.programme(
        db, ProgrammeFilter(series_id=series.id, collapse_series=True), NOW
    )
    assert every_date.total == 6
    assert {item.event.series_id for item in every_date.items} == {series.id}
    assert {item.series_dates for item in every_date.items} == {1}


async def test_a_collapsed_series_takes_one_place_across_pages(db: AsyncSession) -> None:
    await series_of(db, dates=8, first_in_days=1)
    for d in range(2, 9):
        await factories.event(db, starts_in=timedelta(days=d))
    pages, totals = await walk(db, ProgrammeFilter(collapse_series=True), limit=3)
    assert totals == {8}
    assert sum(1 for page in pages for e in page if e.series_id is not None) == 1


async def test_only_free_seats_is_decided_by_the_database_before_the_cut(
    db: AsyncSession,
) -> None:
    org = await factories.organisation(db)
    members = [await factories.member(db, org) for _ in range(2)]
    full = []
    for d in range(1, 7):
        event = await factories.event(db, capacity=2, starts_in=timedelta(days=d))
        if d % 2:
            full.append(event.id)
            db.add_all(
                Booking(event_id=event.id, member_id=m.id, organisation_id=org.id,
                        status="confirmed")
                for m in members
            )  # fmt: skip
    await db.commit()
    pages, totals = await walk(db, ProgrammeFilter(free_only=True), limit=2)
    assert totals == {3}
    shown = [e.id for page in pages for e in page]
    assert len(shown) == 3 and not set(shown) & set(full)


async def test_a_window_from_and_to(db: AsyncSession) -> None:
    early, middle, late = [
        await factories.event(db, starts_in=timedelta(days=d)) for d in (2, 20, 60)
    ]
    window = ProgrammeFilter(
        starts_from=NOW + timedelta(days=10), starts_before=NOW + timedelta(days=30)
    )
    page = await listing.programme(db, window, NOW)
    assert [item.event.id for item in page.items] == [middle.id]
    assert page.total == 1
    assert {early.id, late.id}.isdisjoint(item.event.id for item in page.items)


def forged(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "kein-cursor",
        "%%%",
        forged(b"{}"),
        forged(b'["2027-01-01T09:00:00", 3]'),  # no time zone
        forged(b'["2027-01-01T09:00:00+00:00", "3"]'),
        forged(b'["2027-01-01T09:00:00+00:00", true]'),
        forged(b'["2027-01-01T09:00:00+00:00", 3, 4]'),
        forged(b'["morgen", 3]'),
        forged(b'["2027-01-01T09:00:00+00:00\\u0000", 3]'),
        forged(b"\xff\xfe"),
        "A" * 700,
        encode_cursor("x", 1) + "\u00e4",
    ],
)
async def test_a_forged_cursor_is_refused_in_german(db: AsyncSession, cursor: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await listing.programme(db, ProgrammeFilter(), NOW, cursor=cursor)
    assert refused.value.message == CURSOR_INVALID
