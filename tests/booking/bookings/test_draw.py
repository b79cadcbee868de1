"""Allocation by draw on every database: requests until the registration deadline, one draw
at the deadline (seats round-robin across organisations, the rest onto the waiting list in
draw order, everyone mailed), its record verified, withdrawn requests left out, the release
by the organisation before the draw, and the first come again after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from booking.bookings import changes, draw, draw_record, queries, release, services
from booking.bookings.models import Booking, Draw, DrawEntry
from booking.core.errors import (
    AlreadyBooked,
    BookingClosed,
    Forbidden,
    InvalidState,
    ValidationFailed,
)
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.organisations.models import Organisation
from courses.models import Event, EventSession
from tests import factories
from tests.booking.bookings.test_draw_algorithm import SEED
from tests.factories import NOW


def sessions_of(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


DEADLINE = NOW + timedelta(days=10)
AFTER = DEADLINE + timedelta(minutes=1)


async def draw_event(db: AsyncSession, **fields: object) -> Event:
    values: dict[str, object] = {
        "allocation": "draw",
        "draw_salt": "ab" * 32,
        "registration_deadline": DEADLINE,
        "capacity": 4,
    }
    values.update(fields)
    return await factories.event(db, **values)


async def mails(db: AsyncSession) -> list[tuple[str, str]]:
    rows = await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [(m.recipient, m.template) for m in rows]


async def statuses(db: AsyncSession, event: Event) -> dict[int, str]:
    rows = await db.execute(
        select(Booking.id, Booking.status)
        .where(Booking.event_id == event.id)
        .execution_options(populate_existing=True)
    )
    return {booking_id: status for booking_id, status in rows}


async def test_before_the_deadline_a_booking_is_a_request_and_counted(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    event = await draw_event(db)
    org, other = await factories.organisation(db), await factories.organisation(db)
    people = [await factories.member(db, org) for _ in range(3)] + [
        await factories.member(db, other)
    ]
    results = [await services.book(db, event_id=event.id, member_id=p.id, now=NOW) for p in people]
    assert {r.booking.status for r in results} == {"requested"}
    assert {r.waitlist_position for r in results} == {None}
    assert (await queries.availability(db, [event]))[event.id].taken == 0
    assert await mails(db) == [(p.email, "draw_requested") for p in people]
    with pytest.raises(AlreadyBooked):
        await services.book(db, event_id=event.id, member_id=people[0].id, now=NOW)
    counts = await draw_record.request_counts(db, event.id, org.id)
    assert (counts.total, counts.organisation) == (4, 3)
    assert (await draw_record.request_counts(db, event.id, None)).organisation is None
    # Nothing happens before the deadline.
    assert await draw.run_draw(db, event.id, DEADLINE - timedelta(seconds=1)) is None


async def test_the_draw_spreads_seats_mails_everyone_and_verifies(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    event = await draw_event(db, capacity=3)
    big, small, third = [await factories.organisation(db) for _ in range(3)]
    crowd = [await factories.member(db, big) for _ in range(6)]
    one, another = await factories.member(db, small), await factories.member(db, third)
    for person in [*crowd, one, another]:
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await db.execute(update(OutboxMessage).values(sent_at=NOW))
    await db.commit()

    done = await draw.draw_due(sessions_of(engine), AFTER)
    assert (done.events, done.requests) == (1, 8)

    found = await statuses(db, event)
    bookings = list(await db.scalars(select(Booking).where(Booking.event_id == event.id)))
    seated = [b for b in bookings if found[b.id] == "confirmed"]
    assert len(seated) == 3
    assert {b.organisation_id for b in seated} == {big.id, small.id, third.id}
    waiting = [b for b in bookings if found[b.id] == "waiting"]
    positions = await queries.waitlist_positions(db, waiting)
    stored = await draw_record.stored_draw(db, event.id)
    assert stored is not None and stored.seed == draw.seed_of(event.id, DEADLINE, "ab" * 32)
    entries = await draw_record.entries_of(db, stored.id)
    in_order = [e.booking_id for e in entries if e.decision == "waiting"]
    assert sorted(positions, key=positions.__getitem__) == in_order
    assert sorted(positions.values()) == list(range(1, 6))

    sent = [
        (m.template, m.context)
        for m in await db.scalars(
            select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id)
        )
    ]
    assert sorted(t for t, _ in sent) == ["draw_waitlisted"] * 5 + ["draw_won"] * 3
    assert all(c.get("method") == "REQUEST" for t, c in sent if t == "draw_won")
    assert sorted(c["position"] for t, c in sent if t == "draw_waitlisted") == [1, 2, 3, 4, 5]

    verdict = await draw_record.verify(db, event.id)
    assert verdict.matches and verdict.seed_matches and verdict.requests == 8
    # Drawn once: another run finds nothing to do.
    again = await draw.draw_due(sessions_of(engine), AFTER + timedelta(hours=1))
    assert (again.events, again.requests) == (0, 0)
    assert len(list(await db.scalars(select(Draw)))) == 1


async def test_same_inputs_and_seed_give_the_recorded_allocation(db: AsyncSession) -> None:
    """Fixed ids and a fixed salt: the same allocation on SQLite and PostgreSQL, as the
    algorithm's own test records it (tests/booking/bookings/test_draw_algorithm.py)."""
    orgs = {n: Organisation(id=900 + n, name=f"Org {n}", sector="verwaltung", region="Münster")
            for n in range(1, 6)}  # fmt: skip
    db.add_all(orgs.values())
    event = Event(
        id=7, kind="training", status="published", title="BIUS I", capacity=5,
        allocation="draw", draw_salt="ab" * 32,
        registration_deadline=datetime(2027, 3, 1, 22, 59, tzinfo=UTC),
    )  # fmt: skip
    start = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
    event.sessions = [EventSession(starts_at=start, ends_at=start + timedelta(hours=7))]
    db.add(event)
    await db.flush()
    members = [1, 1, 1, 1, 1, 1, 2, 2, 3, 4, None, 5]
    await db.execute(
        insert(Member),
        [{"id": 500 + n, "email": f"p{n}@org.example", "first_name": "A", "last_name": f"B{n}",
          "organisation_id": orgs[o].id if o else None, "status": "active"}
         for n, o in enumerate(members)],
    )  # fmt: skip
    await db.execute(
        insert(Booking),
        [{"id": 101 + n, "event_id": 7, "member_id": 500 + n,
          "organisation_id": orgs[o].id if o else None, "status": "requested", "created_at": NOW}
         for n, o in enumerate(members)],
    )  # fmt: skip
    await db.commit()
    assert event.registration_deadline is not None
    assert draw.seed_of(7, event.registration_deadline, "ab" * 32) == SEED

    run = await draw.run_draw(db, 7, datetime(2027, 3, 2, tzinfo=UTC))
    assert run is not None
    found = await statuses(db, event)
    assert sorted(b for b, s in found.items() if s == "confirmed") == [106, 107, 109, 110, 112]
    stored = await draw_record.stored_draw(db, 7)
    assert stored is not None
    entries = await draw_record.entries_of(db, stored.id)
    assert [(e.booking_id, e.decision, e.waitlist_position) for e in entries][:4] == [
        (106, "seat", None),
        (102, "waiting", 1),
        (110, "seat", None),
        (104, "waiting", 2),
    ]


async def test_a_withdrawn_request_takes_no_part(db: AsyncSession) -> None:
    event = await draw_event(db, capacity=1)
    stays, leaves = await factories.member(db), await factories.member(db)
    kept = await services.book(db, event_id=event.id, member_id=stays.id, now=NOW)
    gone = await services.book(db, event_id=event.id, member_id=leaves.id, now=NOW)
    await services.cancel(db, booking_id=gone.booking.id, actor=leaves, now=NOW)
    await draw.run_draw(db, event.id, AFTER)
    assert await statuses(db, event) == {kept.booking.id: "confirmed", gone.booking.id: "cancelled"}
    stored = await draw_record.stored_draw(db, event.id)
    assert stored is not None
    assert [e.booking_id for e in await draw_record.entries_of(db, stored.id)] == [kept.booking.id]


async def test_verify_notices_a_changed_decision_and_a_changed_seed(db: AsyncSession) -> None:
    event = await draw_event(db, capacity=1)
    for _ in range(3):
        person = await factories.member(db)
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await draw.run_draw(db, event.id, AFTER)
    assert (await draw_record.verify(db, event.id)).matches
    entry = await db.scalar(select(DrawEntry).where(DrawEntry.decision == "waiting").limit(1))
    assert entry is not None
    entry.decision, entry.waitlist_position = "seat", None
    await db.commit()
    verdict = await draw_record.verify(db, event.id)
    assert not verdict.matches and verdict.seed_matches
    assert verdict.differences == [
        f"Buchung {entry.booking_id}: gespeichertes Ergebnis weicht von der Neuberechnung ab."
    ]
    entry.decision, entry.waitlist_position = "waiting", 1
    await db.execute(update(Event).where(Event.id == event.id).values(draw_salt="cd" * 32))
    await db.commit()
    verdict = await draw_record.verify(db, event.id)
    assert not verdict.matches and not verdict.seed_matches


@pytest.mark.parametrize("column", ["booking_id", "rank"])
async def test_a_record_holds_each_request_and_each_place_once(
    db: AsyncSession, column: str
) -> None:
    event = await draw_event(db, capacity=1)
    for _ in range(2):
        person = await factories.member(db)
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await draw.run_draw(db, event.id, AFTER)
    stored = await draw_record.stored_draw(db, event.id)
    assert stored is not None
    first, _ = await draw_record.entries_of(db, stored.id)
    row = {"draw_id": stored.id, "booking_id": 0, "rank": None, "decision": "waiting"}
    row[column] = getattr(first, column)
    with pytest.raises(IntegrityError):
        await db.execute(insert(DrawEntry).values(**row))
    await db.rollback()


async def test_verify_without_a_draw_says_so(db: AsyncSession) -> None:
    event = await draw_event(db)
    with pytest.raises(InvalidState, match="noch nicht gelost"):
        await draw_record.verify(db, event.id)


async def test_with_the_release_only_released_requests_take_part(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    event = await draw_event(db, capacity=2, requires_release=True)
    org = await factories.organisation(db)
    coordinator = await factories.member(db, org, role="coordinator")
    asked, unasked = await factories.member(db, org), await factories.member(db, org)
    first = await services.book(db, event_id=event.id, member_id=asked.id, now=NOW)
    second = await services.book(db, event_id=event.id, member_id=unasked.id, now=NOW)
    assert await mails(db) == [
        (asked.email, "draw_requested"),
        (coordinator.email, "release_requested"),
        (unasked.email, "draw_requested"),
        (coordinator.email, "release_requested"),
    ]
    done = await release.release(db, booking_id=first.booking.id, actor=coordinator, now=NOW)
    assert (done.booking.status, done.waitlist_position) == ("requested", None)
    assert done.booking.released_at is not None
    assert (await mails(db))[-1] == (asked.email, "draw_requested")
    with pytest.raises(InvalidState, match="bereits freigegeben"):
        await release.release(db, booking_id=first.booking.id, actor=coordinator, now=NOW)
    # The coordinator's list of requests to release shows only the unreleased one.
    page = await queries.organisation_bookings_page(
        db, coordinator, statuses=("requested",), now=NOW, cursor=None, limit=50
    )
    assert [b.id for b in page.items] == [second.booking.id]
    # The lapse job leaves requests for a draw to the draw.
    sessions = sessions_of(engine)
    assert await release.lapse_due(sessions, AFTER) == 0

    await db.commit()
    done = await draw.draw_due(sessions, AFTER)
    assert (done.events, done.busy) == (1, 0)
    assert await statuses(db, event) == {
        first.booking.id: "confirmed",
        second.booking.id: "cancelled",
    }
    stored = await draw_record.stored_draw(db, event.id)
    assert stored is not None
    decisions = {e.booking_id: e.decision for e in await draw_record.entries_of(db, stored.id)}
    assert decisions == {first.booking.id: "seat", second.booking.id: "not_released"}
    assert (await mails(db))[-2:] == [
        (asked.email, "draw_won"),
        (unasked.email, "booking_request_lapsed"),
    ]
    assert (await draw_record.verify(db, event.id)).matches
    # Once drawn, a request that waits for its release lapses as on any other event.
    late = Booking(
        event_id=event.id, member_id=unasked.id, organisation_id=org.id, status="requested"
    )
    db.add(late)
    await db.commit()
    assert await release.lapse_due(sessions, AFTER) == 1
    assert (await statuses(db, event))[late.id] == "cancelled"


async def test_a_request_for_a_draw_without_release_is_not_the_coordinators(
    db: AsyncSession,
) -> None:
    event = await draw_event(db)
    org = await factories.organisation(db)
    coordinator = await factories.member(db, org, role="coordinator")
    person = await factories.member(db, org)
    asked = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    with pytest.raises(InvalidState):
        await release.release(db, booking_id=asked.booking.id, actor=coordinator, now=NOW)
    assert await mails(db) == [(person.email, "draw_requested")]  # no coordinator is asked


async def test_after_the_draw_the_office_books_first_come(db: AsyncSession) -> None:
    event = await draw_event(db, capacity=1)
    organiser = await factories.member(db, role="organiser")
    early, late, later = [await factories.member(db) for _ in range(3)]
    before = await services.book_on_behalf(
        db, event_id=event.id, email=early.email, actor=organiser, now=NOW
    )
    assert before.booking.status == "requested"
    with pytest.raises(ValidationFailed, match="Vor der Auslosung"):
        await services.book_on_behalf(
            db, event_id=event.id, email=late.email, actor=organiser, now=NOW,
            override_limit=True, reason="Dringend",
        )  # fmt: skip
    await draw.run_draw(db, event.id, AFTER)
    after = await services.book_on_behalf(
        db, event_id=event.id, email=late.email, actor=organiser, now=AFTER
    )
    assert (after.booking.status, after.waitlist_position) == ("waiting", 1)
    # Members cannot book after the deadline at all.
    with pytest.raises(BookingClosed, match="Anmeldefrist"):
        await services.book(db, event_id=event.id, member_id=later.id, now=AFTER)


async def test_a_freed_seat_goes_to_the_waiting_list_in_draw_order(db: AsyncSession) -> None:
    event = await draw_event(db, capacity=1)
    people = [await factories.member(db) for _ in range(3)]
    for person in people:
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await draw.run_draw(db, event.id, AFTER)
    stored = await draw_record.stored_draw(db, event.id)
    assert stored is not None
    entries = await draw_record.entries_of(db, stored.id)
    winner = next(e.booking_id for e in entries if e.decision == "seat")
    next_in_line = next(e.booking_id for e in entries if e.waitlist_position == 1)
    organiser = await factories.member(db, role="organiser")
    promoted = await services.cancel(db, booking_id=winner, actor=organiser, now=AFTER)
    assert [b.id for b in promoted] == [next_in_line]


async def test_allocation_changes_only_before_any_booking(db: AsyncSession) -> None:
    event = await draw_event(db)
    organiser = await factories.member(db, role="organiser")
    await changes.change_event(
        db, event_id=event.id, actor=organiser, now=NOW, details={"allocation": "first_come"}
    )
    await changes.change_event(
        db, event_id=event.id, actor=organiser, now=NOW, details={"allocation": "draw"}
    )
    person = await factories.member(db)
    await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    with pytest.raises(ValidationFailed) as refused:
        await changes.change_event(
            db, event_id=event.id, actor=organiser, now=NOW, details={"allocation": "first_come"}
        )
    assert refused.value.fields == {"allocation": refused.value.message}
    with pytest.raises(ValidationFailed, match="Anmeldeschluss"):
        plain = await factories.event(db)
        await changes.change_event(
            db, event_id=plain.id, actor=organiser, now=NOW, details={"allocation": "draw"}
        )


async def test_the_deadline_of_a_draw_is_fixed_once_requested(db: AsyncSession) -> None:
    """The deadline is part of the seed: once members have asked (and seen its check
    value), it stays."""
    event = await draw_event(db)
    organiser = await factories.member(db, role="organiser")
    shown = draw_record.event_commitment(event)
    later = DEADLINE + timedelta(days=1)
    await changes.change_event(
        db, event_id=event.id, actor=organiser, now=NOW, details={"registration_deadline": later}
    )
    await changes.change_event(
        db, event_id=event.id, actor=organiser, now=NOW, details={"registration_deadline": DEADLINE}
    )
    person = await factories.member(db)
    await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    with pytest.raises(ValidationFailed) as refused:
        await changes.change_event(
            db, event_id=event.id, actor=organiser, now=NOW,
            details={"registration_deadline": later},
        )  # fmt: skip
    assert refused.value.fields == {"registration_deadline": refused.value.message}
    kept = await db.scalar(
        select(Event).where(Event.id == event.id).execution_options(populate_existing=True)
    )
    assert kept is not None
    assert kept.registration_deadline == DEADLINE and draw_record.event_commitment(kept) == shown


async def test_the_protocol_is_for_organisers(db: AsyncSession) -> None:
    event = await draw_event(db)
    member, organiser = await factories.member(db), await factories.member(db, role="organiser")
    with pytest.raises(Forbidden):
        await draw_record.protocol(db, event.id, member)
    pending = await draw_record.protocol(db, event.id, organiser)
    assert isinstance(pending, draw_record.Pending)
    assert pending.commitment == draw.commitment(draw.seed_of(event.id, DEADLINE, "ab" * 32))
    plain = await factories.event(db)
    with pytest.raises(InvalidState):
        await draw_record.protocol(db, plain.id, organiser)
