from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import changes, queries, services
from booking.bookings.models import Booking
from booking.core.errors import (
    AlreadyBooked,
    BookingClosed,
    CancellationClosed,
    Forbidden,
    InvalidState,
    NotEligible,
    NotFound,
    ValidationFailed,
)
from booking.mail.models import OutboxMessage
from booking.privacy.models import AuditEntry
from tests import factories
from tests.factories import NOW


async def outbox(db: AsyncSession) -> list[tuple[str, str]]:
    rows = await db.execute(select(OutboxMessage).order_by(OutboxMessage.id))
    return [(m.recipient, m.template) for m in rows.scalars()]


async def statuses(db: AsyncSession, event_id: int) -> list[tuple[int, str]]:
    rows = await db.execute(
        select(Booking.member_id, Booking.status)
        .where(Booking.event_id == event_id)
        .order_by(Booking.id)
    )
    return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def test_books_until_full_then_waits_in_order(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=2)
    people = [await factories.member(db) for _ in range(4)]
    results = [await services.book(db, event_id=event.id, member_id=p.id, now=NOW) for p in people]
    assert [r.booking.status for r in results] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert [r.waitlist_position for r in results] == [None, None, 1, 2]
    assert await outbox(db) == [
        (people[0].email, "booking_confirmed"),
        (people[1].email, "booking_confirmed"),
        (people[2].email, "booking_waitlisted"),
        (people[3].email, "booking_waitlisted"),
    ]


async def test_second_active_booking_is_refused(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=1)
    person = await factories.member(db)
    await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    with pytest.raises(AlreadyBooked):
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    assert await db.scalar(select(func.count()).select_from(Booking)) == 1


async def test_database_forbids_two_active_bookings(db: AsyncSession) -> None:
    event_id = (await factories.event(db)).id
    member_id = (await factories.member(db)).id
    db.add(Booking(event_id=event_id, member_id=member_id, status="confirmed", created_at=NOW))
    await db.commit()
    db.add(Booking(event_id=event_id, member_id=member_id, status="waiting", created_at=NOW))
    with pytest.raises(IntegrityError):
        await db.commit()
    await db.rollback()
    db.add(Booking(event_id=event_id, member_id=member_id, status="cancelled", created_at=NOW))
    await db.commit()


async def test_book_again_after_cancelling(db: AsyncSession) -> None:
    event = await factories.event(db)
    person = await factories.member(db)
    first = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await services.cancel(db, booking_id=first.booking.id, actor=person, now=NOW)
    again = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    assert again.booking.status == "confirmed"


async def test_cancellation_promotes_first_waiting_and_mails(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=1)
    a, b, c = [await factories.member(db) for _ in range(3)]
    first = await services.book(db, event_id=event.id, member_id=a.id, now=NOW)
    await services.book(db, event_id=event.id, member_id=b.id, now=NOW)
    await services.book(db, event_id=event.id, member_id=c.id, now=NOW)
    promoted = await services.cancel(db, booking_id=first.booking.id, actor=a, now=NOW)
    assert [p.member_id for p in promoted] == [b.id]
    assert await statuses(db, event.id) == [
        (a.id, "cancelled"),
        (b.id, "confirmed"),
        (c.id, "waiting"),
    ]
    mails = await outbox(db)
    assert mails[-2:] == [(a.email, "booking_cancelled"), (b.email, "booking_promoted")]
    remaining = await db.scalar(select(Booking).where(Booking.member_id == c.id))
    assert remaining is not None
    assert await queries.waitlist_positions(db, [remaining]) == {remaining.id: 1}


async def test_leaving_waiting_list_promotes_nobody(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=1)
    a, b, c = [await factories.member(db) for _ in range(3)]
    await services.book(db, event_id=event.id, member_id=a.id, now=NOW)
    waiting_b = await services.book(db, event_id=event.id, member_id=b.id, now=NOW)
    await services.book(db, event_id=event.id, member_id=c.id, now=NOW)
    promoted = await services.cancel(db, booking_id=waiting_b.booking.id, actor=b, now=NOW)
    assert promoted == []
    assert await statuses(db, event.id) == [
        (a.id, "confirmed"),
        (b.id, "cancelled"),
        (c.id, "waiting"),
    ]


async def test_raising_capacity_promotes_in_order(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=1)
    organiser = await factories.member(db, role="organiser")
    people = [await factories.member(db) for _ in range(4)]
    for p in people:
        await services.book(db, event_id=event.id, member_id=p.id, now=NOW)
    promoted = await changes.change_limits(
        db, event_id=event.id, actor=organiser, now=NOW, capacity=3
    )
    assert [p.member_id for p in promoted] == [people[1].id, people[2].id]
    assert [s for _, s in await statuses(db, event.id)] == [
        "confirmed",
        "confirmed",
        "confirmed",
        "waiting",
    ]


async def test_lowering_capacity_keeps_confirmed(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=3)
    organiser = await factories.member(db, role="organiser")
    people = [await factories.member(db) for _ in range(3)]
    for p in people:
        await services.book(db, event_id=event.id, member_id=p.id, now=NOW)
    await changes.change_limits(db, event_id=event.id, actor=organiser, now=NOW, capacity=1)
    assert [s for _, s in await statuses(db, event.id)] == ["confirmed"] * 3
    newcomer = await factories.member(db)
    result = await services.book(db, event_id=event.id, member_id=newcomer.id, now=NOW)
    assert result.booking.status == "waiting"
    # one cancellation still leaves the event over its new capacity: nobody moves up
    first = await db.scalar(select(Booking).where(Booking.member_id == people[0].id))
    assert first is not None
    assert await services.cancel(db, booking_id=first.id, actor=people[0], now=NOW) == []


async def test_only_organisers_change_capacity(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=3)
    trainer = await factories.member(db, role="trainer")
    with pytest.raises(Forbidden):
        await changes.change_limits(db, event_id=event.id, actor=trainer, now=NOW, capacity=9)
    await db.refresh(event)
    assert event.capacity == 3


async def test_per_organisation_limit(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=10, seats_per_organisation=2)
    org_a = await factories.organisation(db)
    org_b = await factories.organisation(db)
    a1, a2, a3 = [await factories.member(db, org_a) for _ in range(3)]
    b1 = await factories.member(db, org_b)
    results = [
        await services.book(db, event_id=event.id, member_id=m.id, now=NOW)
        for m in (a1, a2, a3, b1)
    ]
    assert [r.booking.status for r in results] == ["confirmed", "confirmed", "waiting", "confirmed"]
    # a seat of org B frees up: a3 (org A, at its limit) is passed over
    promoted = await services.cancel(db, booking_id=results[3].booking.id, actor=b1, now=NOW)
    assert promoted == []
    # a seat of org A frees up: now a3 may have it
    promoted = await services.cancel(db, booking_id=results[0].booking.id, actor=a1, now=NOW)
    assert [p.member_id for p in promoted] == [a3.id]


async def test_per_organisation_limit_skips_to_first_eligible(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=3, seats_per_organisation=2)
    org_a, org_b = await factories.organisation(db), await factories.organisation(db)
    a1, a2, a3 = [await factories.member(db, org_a) for _ in range(3)]
    b1, b2 = [await factories.member(db, org_b) for _ in range(2)]
    booked = {}
    for m in (a1, a2, b1, a3, b2):
        booked[m.id] = await services.book(db, event_id=event.id, member_id=m.id, now=NOW)
    assert [booked[m.id].booking.status for m in (a1, a2, b1, a3, b2)] == [
        "confirmed",
        "confirmed",
        "confirmed",
        "waiting",
        "waiting",
    ]
    # b1 leaves: a3 waits first but org A is at its limit, so b2 moves up
    promoted = await services.cancel(db, booking_id=booked[b1.id].booking.id, actor=b1, now=NOW)
    assert [p.member_id for p in promoted] == [b2.id]
    assert await statuses(db, event.id) == [
        (a1.id, "confirmed"),
        (a2.id, "confirmed"),
        (b1.id, "cancelled"),
        (a3.id, "waiting"),
        (b2.id, "confirmed"),
    ]


async def test_sector_restriction(db: AsyncSession) -> None:
    event = await factories.event(db, sectors=("gesundheit",))
    school = await factories.organisation(db, sector="schule")
    hospital = await factories.organisation(db, sector="gesundheit")
    teacher = await factories.member(db, school)
    nurse = await factories.member(db, hospital)
    with pytest.raises(NotEligible, match="Gesundheitswesen"):
        await services.book(db, event_id=event.id, member_id=teacher.id, now=NOW)
    ok = await services.book(db, event_id=event.id, member_id=nurse.id, now=NOW)
    assert ok.booking.status == "confirmed"


async def test_prerequisite(db: AsyncSession) -> None:
    bius1 = await factories.event(
        db, course_code="BIUS-I", title="BIUS I", starts_in=timedelta(days=-30)
    )
    bius2 = await factories.event(db, course_code="BIUS-II", prerequisite_code="BIUS-I")
    person = await factories.member(db)
    with pytest.raises(NotEligible, match="BIUS I"):
        await services.book(db, event_id=bius2.id, member_id=person.id, now=NOW)
    db.add(Booking(event_id=bius1.id, member_id=person.id, status="attended", created_at=NOW))
    await db.commit()
    ok = await services.book(db, event_id=bius2.id, member_id=person.id, now=NOW)
    assert ok.booking.status == "confirmed"


async def test_workshop_needs_confirmed_conference(db: AsyncSession) -> None:
    conference = await factories.event(db, kind="conference", capacity=1)
    workshop = await factories.event(db, kind="workshop", parent_id=conference.id, capacity=5)
    a, b = await factories.member(db), await factories.member(db)
    await services.book(db, event_id=conference.id, member_id=a.id, now=NOW)
    await services.book(db, event_id=conference.id, member_id=b.id, now=NOW)  # waiting
    with pytest.raises(NotEligible):
        await services.book(db, event_id=workshop.id, member_id=b.id, now=NOW)
    ws = await services.book(db, event_id=workshop.id, member_id=a.id, now=NOW)
    assert ws.booking.status == "confirmed"


async def test_leaving_conference_leaves_its_workshops(db: AsyncSession) -> None:
    conference = await factories.event(db, kind="conference", capacity=5)
    workshop = await factories.event(db, kind="workshop", parent_id=conference.id, capacity=1)
    a, b = await factories.member(db), await factories.member(db)
    conf_a = await services.book(db, event_id=conference.id, member_id=a.id, now=NOW)
    await services.book(db, event_id=conference.id, member_id=b.id, now=NOW)
    await services.book(db, event_id=workshop.id, member_id=a.id, now=NOW)
    await services.book(db, event_id=workshop.id, member_id=b.id, now=NOW)  # waiting
    promoted = await services.cancel(db, booking_id=conf_a.booking.id, actor=a, now=NOW)
    assert [p.member_id for p in promoted] == [b.id]
    assert await statuses(db, workshop.id) == [(a.id, "cancelled"), (b.id, "confirmed")]


async def test_booking_window(db: AsyncSession) -> None:
    person = await factories.member(db)
    not_yet = await factories.event(db, booking_opens_at=NOW + timedelta(days=1))
    with pytest.raises(BookingClosed, match="öffnet am"):
        await services.book(db, event_id=not_yet.id, member_id=person.id, now=NOW)
    closed = await factories.event(db, registration_deadline=NOW)
    with pytest.raises(BookingClosed, match="abgelaufen"):
        await services.book(db, event_id=closed.id, member_id=person.id, now=NOW)
    started = await factories.event(db, starts_in=timedelta(hours=-1))
    with pytest.raises(BookingClosed):
        await services.book(db, event_id=started.id, member_id=person.id, now=NOW)
    cancelled = await factories.event(db, status="cancelled")
    with pytest.raises(BookingClosed, match="abgesagt"):
        await services.book(db, event_id=cancelled.id, member_id=person.id, now=NOW)
    draft = await factories.event(db, status="draft")
    with pytest.raises(NotFound):
        await services.book(db, event_id=draft.id, member_id=person.id, now=NOW)
    assert await db.scalar(select(func.count()).select_from(Booking)) == 0


async def test_pending_member_may_not_book(db: AsyncSession) -> None:
    event = await factories.event(db)
    person = await factories.member(db, status="pending")
    with pytest.raises(NotEligible, match="geprüft"):
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)


async def test_cancellation_deadline_binds_members_not_organisers(db: AsyncSession) -> None:
    event = await factories.event(db, cancellation_deadline=NOW + timedelta(days=1))
    person = await factories.member(db)
    organiser = await factories.member(db, role="organiser")
    result = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    later = NOW + timedelta(days=2)
    with pytest.raises(CancellationClosed):
        await services.cancel(db, booking_id=result.booking.id, actor=person, now=later)
    await services.cancel(db, booking_id=result.booking.id, actor=organiser, now=later)
    with pytest.raises(InvalidState):
        await services.cancel(db, booking_id=result.booking.id, actor=organiser, now=later)


async def test_members_cancel_only_their_own(db: AsyncSession) -> None:
    event = await factories.event(db)
    owner, other = await factories.member(db), await factories.member(db)
    result = await services.book(db, event_id=event.id, member_id=owner.id, now=NOW)
    with pytest.raises(Forbidden):
        await services.cancel(db, booking_id=result.booking.id, actor=other, now=NOW)
    with pytest.raises(NotFound):
        await services.cancel(db, booking_id=999_999, actor=owner, now=NOW)
    assert (await statuses(db, event.id)) == [(owner.id, "confirmed")]


async def test_availability_counts_the_same_as_the_decision(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=2)
    for _ in range(3):
        m = await factories.member(db)
        await services.book(db, event_id=event.id, member_id=m.id, now=NOW)
    avail = (await queries.availability(db, [event]))[event.id]
    assert (avail.taken, avail.seats_left, avail.waiting) == (2, 0, 1)
    confirmed = await db.scalars(select(Booking).where(Booking.status == "confirmed"))
    assert avail.taken == len(confirmed.all())


async def test_book_many_decides_in_order_with_one_outcome_each(db: AsyncSession) -> None:
    event = await factories.event(db, capacity=2, seats_per_organisation=1)
    org_a, org_b = await factories.organisation(db), await factories.organisation(db)
    a1, a2 = await factories.member(db, org_a), await factories.member(db, org_a)
    b1 = await factories.member(db, org_b)
    restricted = await factories.event(db, sectors=("schule",))
    requests = [
        services.BookingRequest(event.id, a1.id, NOW),
        services.BookingRequest(event.id, a1.id, NOW),  # the same member again
        services.BookingRequest(event.id, a2.id, NOW),  # org A has its one seat
        services.BookingRequest(restricted.id, b1.id, NOW),  # wrong sector
        services.BookingRequest(event.id, b1.id, NOW),
        services.BookingRequest(999_999, b1.id, NOW),
    ]
    outcomes = await services.book_many(db, requests)
    kinds = [
        o.booking.status if isinstance(o, services.BookingResult) else type(o).__name__
        for o in outcomes
    ]
    assert kinds == [
        "confirmed",
        "AlreadyBooked",
        "waiting",
        "NotEligible",
        "confirmed",
        "NotFound",
    ]
    waiting = outcomes[2]
    assert isinstance(waiting, services.BookingResult) and waiting.waitlist_position == 1
    assert await statuses(db, event.id) == [
        (a1.id, "confirmed"),
        (a2.id, "waiting"),
        (b1.id, "confirmed"),
    ]
    assert [t for _, t in await outbox(db)] == [
        "booking_confirmed",
        "booking_waitlisted",
        "booking_confirmed",
    ]


async def test_a_batch_numbers_its_bookings_in_request_order(db: AsyncSession) -> None:
    """Booking ids are the waiting-list order: within a batch, and after earlier batches."""
    event, other = await factories.event(db, capacity=1), await factories.event(db)
    people = [await factories.member(db) for _ in range(5)]
    earlier = await services.book(db, event_id=other.id, member_id=people[4].id, now=NOW)
    outcomes = await services.book_many(
        db, [services.BookingRequest(event.id, p.id, NOW) for p in reversed(people)]
    )
    ids = [o.booking.id for o in outcomes if isinstance(o, services.BookingResult)]
    assert len(ids) == 5 and ids == sorted(ids) and ids[0] > earlier.booking.id
    rows = await db.execute(
        select(Booking.id, Booking.member_id).where(Booking.event_id == event.id)
    )
    assert sorted(rows.all()) == list(zip(ids, [p.id for p in reversed(people)], strict=True))
    mails = await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    assert [m.context["booking_id"] for m in mails][1:] == ids


# -- the back office books and removes -----------------------------------------------------------


async def audit_actions(db: AsyncSession) -> list[tuple[str, dict[str, object], str]]:
    rows = await db.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [(e.action, e.after, e.reason) for e in rows]


async def test_organiser_books_a_member_after_the_deadline(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db, capacity=1, registration_deadline=NOW - timedelta(days=1))
    person = await factories.member(db)
    with pytest.raises(BookingClosed):
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)

    made = await services.book_on_behalf(
        db, event_id=event.id, email=person.email.upper(), actor=organiser, now=NOW
    )
    assert (made.member.id, made.booking.status, made.waitlist_position) == (
        person.id,
        "confirmed",
        None,
    )
    booking = await db.get(Booking, made.booking.id)
    assert booking is not None and booking.booked_by == "organiser"
    assert await outbox(db) == [(person.email, "booking_confirmed")]
    assert await audit_actions(db) == [("booking_on_behalf", {"status": "confirmed"}, "")]

    # Seat rules apply: the next one waits.
    other = await factories.member(db)
    second = await services.book_on_behalf(
        db, event_id=event.id, email=other.email, actor=organiser, now=NOW
    )
    assert (second.booking.status, second.waitlist_position) == ("waiting", 1)


async def test_on_behalf_keeps_to_the_share_unless_overridden_with_a_reason(
    db: AsyncSession,
) -> None:
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db, capacity=5, seats_per_organisation=1)
    org = await factories.organisation(db)
    first, second, third = [await factories.member(db, org) for _ in range(3)]
    await services.book(db, event_id=event.id, member_id=first.id, now=NOW)

    waits = await services.book_on_behalf(
        db, event_id=event.id, email=second.email, actor=organiser, now=NOW
    )
    assert waits.booking.status == "waiting"
    with pytest.raises(ValidationFailed) as missing:
        await services.book_on_behalf(
            db, event_id=event.id, email=third.email, actor=organiser, now=NOW, override_limit=True
        )
    assert "reason" in missing.value.fields
    seated = await services.book_on_behalf(
        db,
        event_id=event.id,
        email=third.email,
        actor=organiser,
        now=NOW,
        override_limit=True,
        reason="Leitung der Schulung vor Ort",
    )
    assert seated.booking.status == "confirmed"
    assert (await audit_actions(db))[-1] == (
        "booking_on_behalf",
        {"status": "confirmed", "limit_overridden": True},
        "Leitung der Schulung vor Ort",
    )


@pytest.mark.parametrize(
    ("email", "field"),
    [("", "email"), ("kein-at-zeichen", "email"), ("niemand@org.example", "email")],
)
async def test_on_behalf_refuses_unknown_people(db: AsyncSession, email: str, field: str) -> None:
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db)
    with pytest.raises(ValidationFailed) as refused:
        await services.book_on_behalf(db, event_id=event.id, email=email, actor=organiser, now=NOW)
    assert field in refused.value.fields
    assert await db.scalar(select(func.count()).select_from(Booking)) == 0


async def test_on_behalf_rules_the_member_cannot_skip(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    member = await factories.member(db)
    person = await factories.member(db)
    restricted = await factories.event(db, sectors=("polizei",))
    with pytest.raises(NotEligible):
        await services.book_on_behalf(
            db, event_id=restricted.id, email=person.email, actor=organiser, now=NOW
        )
    over = await factories.event(db, starts_in=timedelta(days=-2))
    with pytest.raises(BookingClosed):
        await services.book_on_behalf(
            db, event_id=over.id, email=person.email, actor=organiser, now=NOW
        )
    draft = await factories.event(db, status="draft")
    with pytest.raises(NotFound):
        await services.book_on_behalf(
            db, event_id=draft.id, email=person.email, actor=organiser, now=NOW
        )
    event = await factories.event(db)
    with pytest.raises(Forbidden):
        await services.book_on_behalf(
            db, event_id=event.id, email=person.email, actor=member, now=NOW
        )
    await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    with pytest.raises(AlreadyBooked):
        await services.book_on_behalf(
            db, event_id=event.id, email=person.email, actor=organiser, now=NOW
        )
    with pytest.raises(ValidationFailed):
        await services.book_on_behalf(
            db,
            event_id=event.id,
            email=person.email,
            actor=organiser,
            now=NOW,
            override_limit=True,
            reason="mit\x00NUL",
        )
    assert await db.scalar(select(func.count()).select_from(AuditEntry)) == 0


async def test_organiser_removal_is_audited_and_told_with_the_reason(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db, capacity=1)
    person, waiting = await factories.member(db), await factories.member(db)
    seat = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    queued = await services.book(db, event_id=event.id, member_id=waiting.id, now=NOW)

    promoted = await services.cancel(
        db, booking_id=seat.booking.id, actor=organiser, now=NOW, reason="Doppelt angemeldet"
    )
    assert [b.id for b in promoted] == [queued.booking.id]
    entry = await db.scalar(select(AuditEntry))
    assert entry is not None
    assert (entry.action, entry.member_id, entry.before, entry.after, entry.reason) == (
        "booking_removed",
        person.id,
        {"status": "confirmed"},
        {"status": "cancelled"},
        "Doppelt angemeldet",
    )
    mail = await db.scalar(
        select(OutboxMessage).where(OutboxMessage.template == "booking_cancelled")
    )
    assert mail is not None and mail.context["reason"] == "Doppelt angemeldet"


async def test_own_cancellation_is_not_audited(db: AsyncSession) -> None:
    event = await factories.event(db)
    person = await factories.member(db)
    seat = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await services.cancel(db, booking_id=seat.booking.id, actor=person, now=NOW)
    assert await db.scalar(select(func.count()).select_from(AuditEntry)) == 0


async def test_capacity_changes_are_audited(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db, capacity=10)
    await changes.change_limits(
        db, event_id=event.id, actor=organiser, now=NOW, capacity=12, seats_per_organisation=2
    )
    await changes.change_limits(db, event_id=event.id, actor=organiser, now=NOW, capacity=12)
    rows = list(await db.scalars(select(AuditEntry)))
    assert [(e.action, e.before, e.after) for e in rows] == [
        (
            "limits_changed",
            {"capacity": 10, "seats_per_organisation": None},
            {"capacity": 12, "seats_per_organisation": 2},
        )
    ]
