from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import queries, services
from booking.bookings.models import Booking
from booking.core.errors import Forbidden, NotEligible, NotFound
from tests import factories
from tests.factories import NOW


async def test_participant_lists_are_for_organisers_only(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=1)
    a, b = await factories.member(db), await factories.member(db)
    organiser = await factories.member(db, role="organiser")
    trainer = await factories.member(db, role="trainer")
    await services.book(db, event_id=event.id, member_id=a.id, now=NOW)
    await services.book(db, event_id=event.id, member_id=b.id, now=NOW)
    for outsider in (a, trainer):
        with pytest.raises(Forbidden):
            await queries.event_bookings(db, event.id, outsider)
    rows = await queries.event_bookings(db, event.id, organiser)
    assert [(r.member.email, r.status) for r in rows] == [
        (a.email, "confirmed"),
        (b.email, "waiting"),
    ]
    assert await queries.waitlist_positions(db, rows) == {rows[1].id: 1}
    with pytest.raises(NotFound):
        await queries.event_bookings(db, 999_999, organiser)


async def test_members_see_only_their_own_bookings(db: AsyncSession) -> None:
    first, second = await factories.event(db), await factories.event(db)
    a, b = await factories.member(db), await factories.member(db)
    await services.book(db, event_id=first.id, member_id=a.id, now=NOW)
    await services.book(db, event_id=second.id, member_id=b.id, now=NOW)
    mine = await queries.member_bookings(db, a.id, NOW)
    assert [(x.member_id, x.event.title) for x in mine] == [(a.id, first.title)]
    assert await queries.active_booking(db, second.id, a.id) is None
    own = await queries.active_booking(db, first.id, a.id)
    assert own is not None and own.status == "confirmed"


async def test_waiting_positions_count_per_event(db: AsyncSession) -> None:
    first, second = await factories.event(db, capacity=0), await factories.event(db, capacity=0)
    people = [await factories.member(db) for _ in range(3)]
    results = [
        await services.book(db, event_id=e.id, member_id=p.id, now=NOW)
        for e, p in [
            (first, people[0]),
            (second, people[1]),
            (first, people[2]),
            (second, people[0]),
        ]
    ]
    bookings = [r.booking for r in results]
    assert await queries.waitlist_positions(db, bookings) == {
        bookings[0].id: 1,
        bookings[1].id: 1,
        bookings[2].id: 2,
        bookings[3].id: 2,
    }
    await services.cancel(db, booking_id=bookings[0].id, actor=people[0], now=NOW)
    mine = await queries.member_bookings(db, people[2].id, NOW)
    assert await queries.waitlist_positions(db, mine) == {bookings[2].id: 1}


async def test_booking_box_says_why_a_member_cannot_book_as_the_booking_would(
    db: AsyncSession,
) -> None:
    schools = await factories.event(db, capacity=1, sectors=("schule",))
    teacher = await factories.member(db, await factories.organisation(db, sector="schule"))
    clerk = await factories.member(db)

    visitor_box = await queries.booking_box(db, schools, None, NOW)
    assert visitor_box.open and visitor_box.booking is None

    refused = await queries.booking_box(db, schools, clerk, NOW)
    assert not refused.open
    with pytest.raises(NotEligible) as raised:
        await services.book(db, event_id=schools.id, member_id=clerk.id, now=NOW)
    assert refused.problem == raised.value.message

    assert (await queries.booking_box(db, schools, teacher, NOW)).open
    await services.book(db, event_id=schools.id, member_id=teacher.id, now=NOW)
    booked = await queries.booking_box(db, schools, teacher, NOW)
    assert booked.booking is not None and booked.problem is None and not booked.open
    assert booked.can_cancel

    closed = await queries.booking_box(db, schools, clerk, schools.starts_at)
    assert closed.problem is not None and "Anmeldefrist" in closed.problem


async def test_meine_buchungen_reaches_back_two_years(db: AsyncSession) -> None:
    person = await factories.member(db)
    shown = []
    for days in (-700, -30, 20):
        event = await factories.event(db, starts_in=timedelta(days=days))
        db.add(Booking(event_id=event.id, member_id=person.id, status="confirmed"))
        shown.append(event.id)
    old = await factories.event(db, starts_in=timedelta(days=-760))
    db.add(Booking(event_id=old.id, member_id=person.id, status="confirmed"))
    await db.commit()
    mine = await queries.member_bookings(db, person.id, NOW)
    assert sorted(b.event_id for b in mine) == sorted(shown)


async def test_seats_from_a_pages_status_counts_are_the_seats_counted(db: AsyncSession) -> None:
    """The participant page takes the event's seats from its counts per status: the same
    figures as the one place that counts seats, with every status present."""
    event = await factories.event(db, capacity=3, offer_working_days=2)
    people = [await factories.member(db) for _ in range(6)]
    bookings = [
        (await services.book(db, event_id=event.id, member_id=p.id, now=NOW)).booking
        for p in people
    ]
    await services.cancel(db, booking_id=bookings[1].id, actor=people[1], now=NOW)
    await db.execute(  # an outcome holds no seat
        update(Booking).where(Booking.id == bookings[0].id).values(status="attended")
    )
    counts = await queries.status_counts(db, event.id)
    assert counts["offered"] == 1 and counts["cancelled"] == 1 and counts["waiting"] == 2
    seen = queries.availability_of(event, counts)
    counted = (await queries.availability(db, [event]))[event.id]
    assert seen.taken == counts["confirmed"] + counts["offered"] and counts["attended"] == 1
    assert (seen.capacity, seen.taken, seen.waiting) == (
        counted.capacity,
        counted.taken,
        counted.waiting,
    )
