"""The organisation's release (Freigabe): requests, release into a seat or the waiting list
(in the order of release), decline with a reason, lapsing at the deadline, handing a seat on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.bookings import queries, release, services
from booking.bookings.models import Booking
from booking.core.errors import (
    AlreadyBooked,
    BookingClosed,
    Forbidden,
    InvalidState,
    NotEligible,
    ValidationFailed,
)
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.organisations.models import Organisation
from booking.privacy.models import AuditEntry
from courses.models import Event
from tests import factories
from tests.factories import NOW


async def mails(db: AsyncSession) -> list[tuple[str, str]]:
    rows = await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [(m.recipient, m.template) for m in rows]


async def status(db: AsyncSession, booking_id: int) -> str:
    booking = await db.get(Booking, booking_id, populate_existing=True)
    assert booking is not None
    return booking.status


async def with_coordinator(db: AsyncSession) -> tuple[Organisation, Member]:
    org = await factories.organisation(db)
    return org, await factories.member(db, org, role="coordinator")


async def test_a_request_holds_no_seat_until_released(db: AsyncSession) -> None:
    org, coordinator = await with_coordinator(db)
    event = await factories.event(db, capacity=1, requires_release=True)
    person = await factories.member(db, org)
    asked = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    assert (asked.booking.status, asked.waitlist_position) == ("requested", None)
    assert (await queries.availability(db, [event]))[event.id].taken == 0
    assert await mails(db) == [
        (person.email, "booking_requested"),
        (coordinator.email, "release_requested"),
    ]
    with pytest.raises(AlreadyBooked):
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)

    done = await release.release(db, booking_id=asked.booking.id, actor=coordinator, now=NOW)
    assert (done.booking.status, done.waitlist_position) == ("confirmed", None)
    assert (await mails(db))[-1] == (person.email, "booking_confirmed")
    entry = await db.scalar(select(AuditEntry))
    assert entry is not None and (entry.action, entry.actor_id) == (
        "booking_released",
        coordinator.id,
    )


async def test_released_late_means_behind_everyone_waiting(db: AsyncSession) -> None:
    org, coordinator = await with_coordinator(db)
    event = await factories.event(db, capacity=1, requires_release=True)
    early, later, third = [await factories.member(db, org) for _ in range(3)]
    first = await services.book(db, event_id=event.id, member_id=early.id, now=NOW)
    second = await services.book(db, event_id=event.id, member_id=later.id, now=NOW)
    last = await services.book(db, event_id=event.id, member_id=third.id, now=NOW)
    # Released in the order third, second, first: the seat goes to the first released.
    for asked in (last, second, first):
        await release.release(db, booking_id=asked.booking.id, actor=coordinator, now=NOW)
    assert [await status(db, b.booking.id) for b in (first, second, last)] == [
        "waiting",
        "waiting",
        "confirmed",
    ]
    rows = list(await db.scalars(select(Booking).where(Booking.status == "waiting")))
    positions = await queries.waitlist_positions(db, rows)
    assert positions == {second.booking.id: 1, first.booking.id: 2}
    # Someone booking later (on an event without release) would stand behind them: here, a
    # request released now goes to place 3.
    fourth = await factories.member(db, org)
    asked = await services.book(db, event_id=event.id, member_id=fourth.id, now=NOW)
    done = await release.release(db, booking_id=asked.booking.id, actor=coordinator, now=NOW)
    assert done.waitlist_position == 3


async def test_release_keeps_to_the_share_of_the_organisation(db: AsyncSession) -> None:
    org, coordinator = await with_coordinator(db)
    event = await factories.event(db, capacity=5, seats_per_organisation=1, requires_release=True)
    a, b = await factories.member(db, org), await factories.member(db, org)
    ask_a = await services.book(db, event_id=event.id, member_id=a.id, now=NOW)
    ask_b = await services.book(db, event_id=event.id, member_id=b.id, now=NOW)
    await release.release(db, booking_id=ask_a.booking.id, actor=coordinator, now=NOW)
    done = await release.release(db, booking_id=ask_b.booking.id, actor=coordinator, now=NOW)
    assert (done.booking.status, done.waitlist_position) == ("waiting", 1)


async def test_only_the_organisations_coordinator_or_an_organiser_decides(
    db: AsyncSession,
) -> None:
    org, coordinator = await with_coordinator(db)
    _, stranger = await with_coordinator(db)
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db, requires_release=True)
    person, colleague = await factories.member(db, org), await factories.member(db, org)
    asked = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    for actor in (stranger, colleague):
        with pytest.raises(Forbidden):
            await release.release(db, booking_id=asked.booking.id, actor=actor, now=NOW)
        with pytest.raises(Forbidden):
            await release.decline(
                db, booking_id=asked.booking.id, actor=actor, now=NOW, reason="Nein"
            )
    assert await status(db, asked.booking.id) == "requested"
    done = await release.release(db, booking_id=asked.booking.id, actor=organiser, now=NOW)
    assert done.booking.status == "confirmed"
    with pytest.raises(InvalidState):
        await release.release(db, booking_id=asked.booking.id, actor=coordinator, now=NOW)


async def test_decline_needs_a_reason_and_tells_it(db: AsyncSession) -> None:
    org, coordinator = await with_coordinator(db)
    event = await factories.event(db, requires_release=True)
    person = await factories.member(db, org)
    asked = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    with pytest.raises(ValidationFailed) as missing:
        await release.decline(
            db, booking_id=asked.booking.id, actor=coordinator, now=NOW, reason=" "
        )
    assert "reason" in missing.value.fields
    assert await status(db, asked.booking.id) == "requested"
    await release.decline(
        db,
        booking_id=asked.booking.id,
        actor=coordinator,
        now=NOW,
        reason="Dienstplan lässt es nicht zu",
    )
    booking = await db.get(Booking, asked.booking.id, populate_existing=True)
    assert booking is not None
    assert (booking.status, booking.cancelled_by) == ("cancelled", "coordinator")
    mail = await db.scalar(
        select(OutboxMessage).where(OutboxMessage.template == "booking_declined")
    )
    assert mail is not None and mail.context["reason"] == "Dienstplan lässt es nicht zu"


async def test_release_after_the_deadline_is_refused(db: AsyncSession) -> None:
    org, coordinator = await with_coordinator(db)
    event = await factories.event(
        db, requires_release=True, release_deadline=NOW + timedelta(days=1)
    )
    person = await factories.member(db, org)
    asked = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    with pytest.raises(BookingClosed):
        await release.release(
            db, booking_id=asked.booking.id, actor=coordinator, now=NOW + timedelta(days=2)
        )


async def test_requests_lapse_at_the_deadline_once(db: AsyncSession, engine: object) -> None:
    org, _ = await with_coordinator(db)
    explicit = await factories.event(
        db, requires_release=True, release_deadline=NOW + timedelta(days=1)
    )
    by_start = await factories.event(db, requires_release=True, starts_in=timedelta(days=3))
    later = await factories.event(db, requires_release=True, starts_in=timedelta(days=30))
    people = [await factories.member(db, org) for _ in range(3)]
    asked = [
        await services.book(db, event_id=e.id, member_id=p.id, now=NOW)
        for e, p in zip((explicit, by_start, later), people, strict=True)
    ]
    sessions = async_sessionmaker(engine, expire_on_commit=False)  # type: ignore[call-overload]
    assert await release.lapse_due(sessions, NOW) == 0
    assert await release.lapse_due(sessions, NOW + timedelta(days=4)) == 2
    assert await release.lapse_due(sessions, NOW + timedelta(days=4)) == 0
    assert [await status(db, a.booking.id) for a in asked] == [
        "cancelled",
        "cancelled",
        "requested",
    ]
    lapsed = [m for m in await mails(db) if m[1] == "booking_request_lapsed"]
    assert lapsed == [
        (people[0].email, "booking_request_lapsed"),
        (people[1].email, "booking_request_lapsed"),
    ]


async def test_a_seat_is_handed_to_a_colleague(db: AsyncSession) -> None:
    org, coordinator = await with_coordinator(db)
    event = await factories.event(db, capacity=1)
    holder, colleague, waiting = (
        await factories.member(db, org),
        await factories.member(db, org),
        await factories.member(db),
    )
    seat = await services.book(db, event_id=event.id, member_id=holder.id, now=NOW)
    queued = await services.book(db, event_id=event.id, member_id=waiting.id, now=NOW)
    before = len(await mails(db))
    done = await release.substitute(
        db, booking_id=seat.booking.id, email=colleague.email, actor=coordinator, now=NOW
    )
    assert await status(db, seat.booking.id) == "cancelled"
    assert (done.booking.member_id, done.booking.status) == (colleague.id, "confirmed")
    assert await status(db, queued.booking.id) == "waiting"  # the seat did not pass through
    assert (await mails(db))[before:] == [
        (holder.email, "booking_cancelled"),
        (colleague.email, "booking_confirmed"),
    ]
    cancel = await db.scalar(
        select(OutboxMessage).where(OutboxMessage.template == "booking_cancelled")
    )
    assert cancel is not None and cancel.context["method"] == "CANCEL"


async def test_handing_on_keeps_the_events_rules(db: AsyncSession) -> None:
    org, coordinator = await with_coordinator(db)
    police = await factories.organisation(db, sector="polizei")
    police_coordinator = await factories.member(db, police, role="coordinator")
    event = await factories.event(db, capacity=3, sectors=("polizei",))
    holder = await factories.member(db, police)
    seat = await services.book(db, event_id=event.id, member_id=holder.id, now=NOW)
    outsider = await factories.member(db, org)
    with pytest.raises(Forbidden):
        await release.substitute(
            db, booking_id=seat.booking.id, email=outsider.email, actor=coordinator, now=NOW
        )
    with pytest.raises(ValidationFailed):
        await release.substitute(
            db,
            booking_id=seat.booking.id,
            email=outsider.email,
            actor=police_coordinator,
            now=NOW,
        )
    booked = await factories.member(db, police)
    await services.book(db, event_id=event.id, member_id=booked.id, now=NOW)
    with pytest.raises(AlreadyBooked):
        await release.substitute(
            db, booking_id=seat.booking.id, email=booked.email, actor=police_coordinator, now=NOW
        )
    basics = await factories.event(db, course_code="BIUS-I", starts_in=timedelta(days=-40))
    db.add(
        Booking(
            event_id=basics.id, member_id=holder.id, organisation_id=police.id, status="attended"
        )
    )
    await db.commit()
    training = await factories.event(db, capacity=2, prerequisite_code="BIUS-I")
    holder_seat = await services.book_on_behalf(
        db,
        event_id=training.id,
        email=holder.email,
        actor=await factories.member(db, role="organiser"),
        now=NOW,
    )
    newcomer = await factories.member(db, police)
    with pytest.raises(NotEligible):
        await release.substitute(
            db,
            booking_id=holder_seat.booking.id,
            email=newcomer.email,
            actor=police_coordinator,
            now=NOW,
        )
    assert await status(db, seat.booking.id) == "confirmed"
    assert await db.scalar(select(Event.id).where(Event.id == event.id)) == event.id
