"""Offers with a deadline (booking.bookings.offers), on every database: a freed seat is held
for the first waiting member until they accept, decline or the deadline passes; the seat
count never goes above the capacity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.bookings import changes, offers, promotion, queries, services, waitlist
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.workdays import offer_deadline
from booking.core.db import session_factory
from booking.core.errors import Forbidden, InvalidState
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.privacy.models import AuditEntry
from courses.models import Event
from tests import factories
from tests.factories import NOW

DAYS = 3


async def statuses(db: AsyncSession, event: Event) -> list[str]:
    await db.commit()
    rows = await db.scalars(
        select(Booking.status)
        .where(Booking.event_id == event.id)
        .order_by(Booking.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def mails(db: AsyncSession, *templates: str) -> list[tuple[str, str]]:
    """(template, recipient) of the outbox, in order, for the templates named."""
    await db.commit()
    rows = await db.execute(
        select(OutboxMessage.template, OutboxMessage.recipient)
        .where(OutboxMessage.template.in_(templates))
        .order_by(OutboxMessage.id)
    )
    return [(template, recipient) for template, recipient in rows]


async def booking_of(db: AsyncSession, booking_id: int) -> Booking:
    await db.commit()
    booking = await db.scalar(
        select(Booking).where(Booking.id == booking_id).execution_options(populate_existing=True)
    )
    assert booking is not None
    return booking


async def full_event(
    db: AsyncSession, waiting: int = 2, capacity: int = 1, **fields: object
) -> tuple[Event, list[Member], list[int]]:
    """An event with offers, its seats taken, ``waiting`` people on the waiting list."""
    event = await factories.event(db, capacity=capacity, offer_working_days=DAYS, **fields)
    people = [await factories.member(db) for _ in range(capacity + waiting)]
    ids = [
        (await services.book(db, event_id=event.id, member_id=p.id, now=NOW)).booking.id
        for p in people
    ]
    return event, people, ids


async def test_a_freed_seat_is_offered_to_the_first_waiting_member_and_held(
    db: AsyncSession,
) -> None:
    event, people, ids = await full_event(db)

    offered = await services.cancel(db, booking_id=ids[0], actor=people[0], now=NOW)

    assert [b.id for b in offered] == [ids[1]]
    assert await statuses(db, event) == ["cancelled", "offered", "waiting"]
    booking = await booking_of(db, ids[1])
    assert booking.offered_at == NOW
    assert booking.offer_expires_at == offer_deadline(NOW, DAYS)
    assert await mails(db, "booking_offered", "booking_promoted") == [
        ("booking_offered", people[1].email)
    ]
    # The seat is held: the event counts as full, a new booking waits.
    seats = (await queries.availability(db, [event]))[event.id]
    assert (seats.taken, seats.seats_left, seats.waiting) == (1, 0, 1)
    late = await factories.member(db)
    result = await services.book(db, event_id=event.id, member_id=late.id, now=NOW)
    assert result.booking.status == BookingStatus.WAITING
    # Promotion again (the sweep) changes nothing: one offer per free seat.
    async with db.begin():
        locked = await services.lock_event(db, event.id)
        assert await promotion.promote(db, locked, NOW) == []


async def test_accepting_confirms_with_the_invitation(db: AsyncSession) -> None:
    event, people, ids = await full_event(db)
    await services.cancel(db, booking_id=ids[0], actor=people[0], now=NOW)

    later = NOW + timedelta(hours=5)
    done = await offers.accept(db, booking_id=ids[1], now=later, actor=people[1])

    assert done.booking.status == BookingStatus.CONFIRMED
    booking = await booking_of(db, ids[1])
    assert booking.confirmed_at == later
    assert await statuses(db, event) == ["cancelled", "confirmed", "waiting"]
    await db.commit()
    accepted = await db.scalar(
        select(OutboxMessage).where(OutboxMessage.template == "offer_accepted")
    )
    assert accepted is not None and accepted.recipient == people[1].email
    assert accepted.context["method"] == "REQUEST"  # the invitation goes along
    # Answered once: a second accept or a decline is refused and changes nothing.
    with pytest.raises(InvalidState):
        await offers.accept(db, booking_id=ids[1], now=later, actor=people[1])
    with pytest.raises(InvalidState):
        await offers.decline(db, booking_id=ids[1], now=later, actor=people[1])
    assert await statuses(db, event) == ["cancelled", "confirmed", "waiting"]


async def test_cancelling_an_offered_seat_is_declining_it(db: AsyncSession) -> None:
    event, people, ids = await full_event(db, waiting=2)
    await services.cancel(db, booking_id=ids[0], actor=people[0], now=NOW)

    await services.cancel(db, booking_id=ids[1], actor=people[1], now=NOW)

    assert await statuses(db, event) == ["cancelled", "cancelled", "offered"]
    assert (await booking_of(db, ids[1])).cancelled_by == "offer_declined"


async def test_moving_the_event_earlier_brings_open_deadlines_forward(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    event, people, ids = await full_event(db, waiting=1, starts_in=timedelta(days=30))
    await services.cancel(db, booking_id=ids[0], actor=people[0], now=NOW)
    assert (await booking_of(db, ids[1])).offer_expires_at == offer_deadline(NOW, DAYS)

    sitting = event.sessions[0]
    earlier = NOW + timedelta(days=1, hours=2)
    await changes.change_sessions(
        db, event_id=event.id, actor=organiser, now=NOW,
        changes=[changes.SessionChange(sitting.id, earlier, earlier + timedelta(hours=7))],
    )  # fmt: skip

    assert (await booking_of(db, ids[1])).offer_expires_at == earlier


async def test_declining_passes_the_offer_to_the_next(db: AsyncSession) -> None:
    event, people, ids = await full_event(db, waiting=3)
    await services.cancel(db, booking_id=ids[0], actor=people[0], now=NOW)

    later = NOW + timedelta(days=1)
    done = await offers.decline(db, booking_id=ids[1], now=later, actor=people[1])

    assert [b.id for b in done.offered_next] == [ids[2]]
    assert await statuses(db, event) == ["cancelled", "cancelled", "offered", "waiting"]
    declined = await booking_of(db, ids[1])
    assert (declined.cancelled_by, declined.cancelled_at) == ("offer_declined", later)
    nxt = await booking_of(db, ids[2])
    assert nxt.offered_at == later and nxt.offer_expires_at == offer_deadline(later, DAYS)
    assert await mails(db, "booking_offered", "offer_declined") == [
        ("booking_offered", people[1].email),
        ("offer_declined", people[1].email),
        ("booking_offered", people[2].email),
    ]
    # The one who declined may book again, at the end of the list (rule 3 holds).
    again = await services.book(db, event_id=event.id, member_id=people[1].id, now=later)
    assert again.booking.status == BookingStatus.WAITING and again.waitlist_position == 2


async def test_only_the_member_answers_and_only_before_the_deadline(db: AsyncSession) -> None:
    event, people, ids = await full_event(db)
    await services.cancel(db, booking_id=ids[0], actor=people[0], now=NOW)
    deadline = offer_deadline(NOW, DAYS)

    with pytest.raises(Forbidden):
        await offers.accept(db, booking_id=ids[1], now=NOW, actor=people[2])
    with pytest.raises(offers.OfferExpired) as expired:
        await offers.accept(
            db, booking_id=ids[1], now=deadline + timedelta(seconds=1), actor=people[1]
        )
    assert "abgelaufen" in expired.value.message
    with pytest.raises(InvalidState):  # a waiting booking has no offer to answer
        await offers.accept(db, booking_id=ids[2], now=NOW, actor=people[2])
    assert await statuses(db, event) == ["cancelled", "offered", "waiting"]

    # At the deadline itself the offer still holds.
    done = await offers.accept(db, booking_id=ids[1], now=deadline, actor=people[1])
    assert done.booking.status == BookingStatus.CONFIRMED


async def test_expiry_passes_the_seat_on_once(db: AsyncSession, engine: AsyncEngine) -> None:
    event, people, ids = await full_event(db, waiting=3)
    await services.cancel(db, booking_id=ids[0], actor=people[0], now=NOW)
    deadline = offer_deadline(NOW, DAYS)
    sessions = session_factory(engine)

    assert (await offers.expire_due(sessions, deadline)).expired == []  # not yet
    after = deadline + timedelta(minutes=1)
    done = await offers.expire_due(sessions, after)

    assert (done.events, done.expired, done.offered_next) == (1, [ids[1]], [ids[2]])
    assert await statuses(db, event) == ["cancelled", "cancelled", "offered", "waiting"]
    lapsed = await booking_of(db, ids[1])
    assert (lapsed.cancelled_by, lapsed.cancelled_at) == ("offer_expired", after)
    assert (await booking_of(db, ids[2])).offer_expires_at == offer_deadline(after, DAYS)

    again = await offers.expire_due(sessions, after)  # idempotent
    assert (again.events, again.expired, again.offered_next) == (0, [], [])
    assert await mails(db, "booking_offered", "offer_expired") == [
        ("booking_offered", people[1].email),
        ("offer_expired", people[1].email),
        ("booking_offered", people[2].email),
    ]


async def test_lowering_the_capacity_withdraws_open_offers_never_seats(
    db: AsyncSession,
) -> None:
    organiser = await factories.member(db, role="organiser")
    event, people, ids = await full_event(db, waiting=3, capacity=2)
    await services.cancel(db, booking_id=ids[0], actor=people[0], now=NOW)
    await services.cancel(db, booking_id=ids[1], actor=people[1], now=NOW)
    assert await statuses(db, event) == ["cancelled", "cancelled", "offered", "offered", "waiting"]
    serializer = offers.offer_serializer("test-secret")
    old_link = offers.offer_token(serializer, await booking_of(db, ids[3]), offers.ACCEPT)

    await changes.change_limits(db, event_id=event.id, actor=organiser, now=NOW, capacity=1)

    # The newest offer goes back; its member keeps their place at the head of the list.
    assert await statuses(db, event) == ["cancelled", "cancelled", "offered", "waiting", "waiting"]
    withdrawn = await booking_of(db, ids[3])
    assert withdrawn.offered_at is None and withdrawn.offer_expires_at is None
    positions = await queries.waitlist_positions(db, [withdrawn])
    assert positions == {ids[3]: 1}
    assert await mails(db, "offer_withdrawn") == [("offer_withdrawn", people[3].email)]

    # Raised again within the same second: the same member gets a new offer; the old
    # link no longer answers it.
    again = NOW + timedelta(milliseconds=1)
    await changes.change_limits(db, event_id=event.id, actor=organiser, now=again, capacity=2)
    assert await statuses(db, event) == ["cancelled", "cancelled", "offered", "offered", "waiting"]
    with pytest.raises(InvalidState):
        await offers.answer_by_link(
            db, link=offers.read_offer_token(serializer, old_link, offers.ACCEPT), now=again
        )
    assert await statuses(db, event) == ["cancelled", "cancelled", "offered", "offered", "waiting"]
    await offers.accept(db, booking_id=ids[2], now=NOW, actor=people[2])
    await offers.accept(db, booking_id=ids[3], now=NOW, actor=people[3])
    confirmed = await db.scalar(
        select(queries.seats_taken(event.id)).execution_options(populate_existing=True)
    )
    assert confirmed == 2


async def test_the_organisations_share_counts_open_offers(db: AsyncSession) -> None:
    city, school = await factories.organisation(db), await factories.organisation(db)
    event = await factories.event(db, capacity=2, seats_per_organisation=1, offer_working_days=DAYS)
    first, colleague = await factories.member(db, city), await factories.member(db, city)
    teacher, other_teacher = await factories.member(db, school), await factories.member(db, school)
    for person in (first, teacher, colleague, other_teacher):
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    teacher_booking = await queries.active_booking(db, event.id, teacher.id)
    assert teacher_booking is not None

    await services.cancel(db, booking_id=teacher_booking.id, actor=teacher, now=NOW)

    # The city's colleague waits first, but the city has used its share: the school's
    # next member gets the offer.
    await db.commit()
    rows = await db.execute(
        select(Booking.member_id, Booking.status)
        .where(Booking.event_id == event.id)
        .execution_options(populate_existing=True)
    )
    assert dict(rows.all()) == {
        first.id: "confirmed",
        teacher.id: "cancelled",
        colleague.id: "waiting",
        other_teacher.id: "offered",
    }


async def test_an_open_offer_uses_its_organisations_share(db: AsyncSession) -> None:
    school, court, city, clinic = [await factories.organisation(db) for _ in range(4)]
    event = await factories.event(db, capacity=2, seats_per_organisation=1, offer_working_days=DAYS)
    teacher, judge = await factories.member(db, school), await factories.member(db, court)
    first, colleague = await factories.member(db, city), await factories.member(db, city)
    nurse = await factories.member(db, clinic)
    booked = {}
    for person in (teacher, judge, first, colleague, nurse):
        done = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
        booked[person.id] = done.booking.id

    await services.cancel(db, booking_id=booked[teacher.id], actor=teacher, now=NOW)
    await services.cancel(db, booking_id=booked[judge.id], actor=judge, now=NOW)

    # The city holds its one seat as an open offer: its colleague waits, the clinic's
    # member behind them gets the second seat's offer.
    await db.commit()
    rows = await db.execute(
        select(Booking.member_id, Booking.status)
        .where(Booking.event_id == event.id)
        .execution_options(populate_existing=True)
    )
    assert dict(rows.all()) == {
        teacher.id: "cancelled",
        judge.id: "cancelled",
        first.id: "offered",
        colleague.id: "waiting",
        nurse.id: "offered",
    }


async def test_an_organiser_moving_someone_up_gives_them_the_offer(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    event, people, ids = await full_event(db, waiting=2)
    await db.execute(update(Event).where(Event.id == event.id).values(capacity=2))
    await db.commit()

    moved = await waitlist.move(db, booking_id=ids[2], position=1, actor=organiser, now=NOW)

    assert [b.id for b in moved.promoted] == [ids[2]]
    assert await statuses(db, event) == ["confirmed", "waiting", "offered"]
    actions = await db.scalars(select(AuditEntry.action).where(AuditEntry.event_id == event.id))
    assert list(actions) == ["waitlist_moved"]


async def test_an_organiser_removing_a_booking_offers_the_seat_and_is_audited(
    db: AsyncSession,
) -> None:
    organiser = await factories.member(db, role="organiser")
    event, people, ids = await full_event(db)

    await services.cancel(db, booking_id=ids[0], actor=organiser, now=NOW, reason="Doppelt")

    assert await statuses(db, event) == ["cancelled", "offered", "waiting"]
    actions = await db.scalars(select(AuditEntry.action).where(AuditEntry.event_id == event.id))
    assert list(actions) == ["booking_removed"]
    # An organiser may also take an open offer away: the seat goes to the next.
    await services.cancel(db, booking_id=ids[1], actor=organiser, now=NOW)
    assert await statuses(db, event) == ["cancelled", "cancelled", "offered"]


async def test_without_offer_days_the_first_waiting_member_moves_up_at_once(
    db: AsyncSession,
) -> None:
    event = await factories.event(db, capacity=1)
    people = [await factories.member(db) for _ in range(2)]
    ids = [
        (await services.book(db, event_id=event.id, member_id=p.id, now=NOW)).booking.id
        for p in people
    ]
    await services.cancel(db, booking_id=ids[0], actor=people[0], now=NOW)
    assert await statuses(db, event) == ["cancelled", "confirmed"]
    assert await mails(db, "booking_promoted", "booking_offered") == [
        ("booking_promoted", people[1].email)
    ]


async def test_no_offer_once_the_event_has_begun_and_deadlines_end_at_its_start(
    db: AsyncSession,
) -> None:
    event, people, ids = await full_event(db, starts_in=timedelta(hours=6))
    await services.cancel(db, booking_id=ids[0], actor=people[0], now=NOW)
    assert (await booking_of(db, ids[1])).offer_expires_at == NOW + timedelta(hours=6)

    begun = NOW + timedelta(hours=7)
    await offers.decline(db, booking_id=ids[1], now=NOW + timedelta(hours=1), actor=people[1])
    assert await statuses(db, event) == ["cancelled", "cancelled", "offered"]
    await db.execute(update(Booking).where(Booking.id == ids[2]).values(status="waiting"))
    await db.commit()
    async with db.begin():
        locked = await services.lock_event(db, event.id)
        assert await promotion.promote(db, locked, begun) == []
