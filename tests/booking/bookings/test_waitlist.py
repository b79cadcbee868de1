"""Moving people on a waiting list: the new order holds for promotion, positions, pages and
exports; later arrivals line up behind; every move is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import changes, exports, queries, services, waitlist
from booking.bookings.models import Booking, BookingStatus
from booking.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from booking.privacy.models import AuditEntry
from courses.models import Event
from tests import factories
from tests.factories import NOW


async def waiting_line(db: AsyncSession, event: Event, organiser: object) -> list[int]:
    page = await queries.event_bookings_page(
        db,
        event.id,
        organiser,
        cursor=None,
        limit=None,
        statuses=(BookingStatus.WAITING,),  # type: ignore[arg-type]
    )
    return [b.id for b in page.items]


async def full_event_with_queue(db: AsyncSession, waiting: int) -> tuple[Event, list[int]]:
    event = await factories.event(db, capacity=1)
    people = [await factories.member(db) for _ in range(waiting + 1)]
    ids = [
        (await services.book(db, event_id=event.id, member_id=p.id, now=NOW)).booking.id
        for p in people
    ]
    return event, ids[1:]


async def test_move_reorders_and_later_arrivals_line_up_behind(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    event, queue = await full_event_with_queue(db, 4)
    a, b, c, d = queue

    moved = await waitlist.move(db, booking_id=d, position=1, actor=organiser, now=NOW)
    assert (moved.before, moved.after, moved.promoted) == (4, 1, [])
    assert await waiting_line(db, event, organiser) == [d, a, b, c]

    late = await factories.member(db)
    result = await services.book(db, event_id=event.id, member_id=late.id, now=NOW)
    assert result.waitlist_position == 5
    assert await waiting_line(db, event, organiser) == [d, a, b, c, result.booking.id]

    await waitlist.move(db, booking_id=result.booking.id, position=2, actor=organiser, now=NOW)
    assert await waiting_line(db, event, organiser) == [d, result.booking.id, a, b, c]

    rows = await db.scalars(select(Booking).where(Booking.id.in_(queue)))
    positions = await queries.waitlist_positions(db, list(rows))
    assert positions == {d: 1, a: 3, b: 4, c: 5}
    booking_c = await db.get(Booking, c)
    assert booking_c is not None
    assert await queries.first_waitlist_position(db, booking_c) == 5


async def test_promotion_follows_the_moved_order(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    event, queue = await full_event_with_queue(db, 3)
    await waitlist.move(db, booking_id=queue[2], position=1, actor=organiser, now=NOW)
    promoted = await changes.change_limits(
        db, event_id=event.id, actor=organiser, now=NOW, capacity=2
    )
    assert [b.id for b in promoted] == [queue[2]]


async def test_the_top_of_the_list_still_keeps_to_the_organisations_share(
    db: AsyncSession,
) -> None:
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db, capacity=3, seats_per_organisation=1)
    org = await factories.organisation(db)
    first, second = await factories.member(db, org), await factories.member(db, org)
    await services.book(db, event_id=event.id, member_id=first.id, now=NOW)
    blocked = await services.book(db, event_id=event.id, member_id=second.id, now=NOW)
    assert blocked.booking.status == "waiting"  # seats are free, the share is used
    moved = await waitlist.move(
        db, booking_id=blocked.booking.id, position=1, actor=organiser, now=NOW
    )
    assert moved.promoted == []
    # The next seat their organisation may take goes to them first.
    await changes.change_limits(
        db, event_id=event.id, actor=organiser, now=NOW, seats_per_organisation=2
    )
    booking = await db.get(Booking, blocked.booking.id, populate_existing=True)
    assert booking is not None and booking.status == "confirmed"


async def test_move_is_audited_with_before_and_after(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    event, queue = await full_event_with_queue(db, 3)
    await waitlist.move(db, booking_id=queue[0], position=3, actor=organiser, now=NOW)
    entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == "waitlist_moved"))
    assert entry is not None
    booking = await db.get(Booking, queue[0])
    assert booking is not None
    assert (entry.actor_id, entry.event_id, entry.member_id, entry.booking_id) == (
        organiser.id,
        event.id,
        booking.member_id,
        queue[0],
    )
    assert (entry.before, entry.after) == ({"position": 1}, {"position": 3})


async def test_bad_moves_are_refused_and_change_nothing(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    member = await factories.member(db)
    event, queue = await full_event_with_queue(db, 2)
    with pytest.raises(ValidationFailed) as refused:
        await waitlist.move(db, booking_id=queue[0], position=3, actor=organiser, now=NOW)
    assert refused.value.fields == {"position": "Bitte geben Sie einen Platz von 1 bis 2 an."}
    with pytest.raises(ValidationFailed):
        await waitlist.move(db, booking_id=queue[0], position=0, actor=organiser, now=NOW)
    with pytest.raises(Forbidden):
        await waitlist.move(db, booking_id=queue[1], position=1, actor=member, now=NOW)
    with pytest.raises(NotFound):
        await waitlist.move(db, booking_id=999_999, position=1, actor=organiser, now=NOW)
    confirmed = await db.scalar(
        select(Booking.id).where(Booking.event_id == event.id, Booking.status == "confirmed")
    )
    assert confirmed is not None
    with pytest.raises(InvalidState):
        await waitlist.move(db, booking_id=confirmed, position=1, actor=organiser, now=NOW)
    assert await waiting_line(db, event, organiser) == queue
    assert await db.scalar(select(AuditEntry.id)) is None


async def test_export_lists_the_waiting_in_their_order(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    event, queue = await full_event_with_queue(db, 3)
    await waitlist.move(db, booking_id=queue[2], position=1, actor=organiser, now=NOW)
    emails = {}
    for booking_id in queue:
        booking = await db.get(Booking, booking_id)
        assert booking is not None
        await db.refresh(booking, ["member"])
        emails[booking_id] = booking.member.email
    table = await exports.participants_table(db, event.id, organiser, chunk=2)
    waiting = [(row[2], row[7]) for row in table.rows if row[6] == "Warteliste"]
    assert waiting == [(emails[queue[2]], 1), (emails[queue[0]], 2), (emails[queue[1]], 3)]


async def test_waiting_list_pages_follow_the_order(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    event, queue = await full_event_with_queue(db, 5)
    await waitlist.move(db, booking_id=queue[4], position=2, actor=organiser, now=NOW)
    seen: list[int] = []
    cursor = None
    while True:
        page = await queries.event_bookings_page(
            db, event.id, organiser, cursor=cursor, limit=2, statuses=(BookingStatus.WAITING,)
        )
        seen += [b.id for b in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [queue[0], queue[4], queue[1], queue[2], queue[3]]
