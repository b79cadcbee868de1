"""The demo programme: always ahead of ``now``, only reserved domains, bookable as promised."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings import queries, services
from booking.bookings.models import Booking
from booking.core.formatting import BERLIN
from booking.demo import ORGANISER_EMAIL, TRAINER_EMAIL, load_demo
from booking.demo.joining import JOINED_EMAIL
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.newsletter import sending
from booking.newsletter.models import Issue, Subscription
from booking.organisations.messages import SECTORS
from booking.organisations.models import (
    JoiningApplication,
    JoiningCertificate,
    Organisation,
    OrganisationDomain,
)
from courses.models import Event
from courses.services import series_dates
from materials.models import MaterialItem, MaterialOrder
from venues.checks import check_accessibility
from venues.models import REGIONS, OnlineRoom, Venue

JANA = "jana.schulte@stadt-muenster.example"
NOWS = [
    datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    datetime(2026, 11, 28, 22, 30, tzinfo=UTC),  # the Q&A series crosses New Year
]


@pytest.fixture(params=NOWS, ids=["march", "november"])
async def now(request: pytest.FixtureRequest, db: AsyncSession) -> datetime:
    value: datetime = request.param
    assert await load_demo(db, value)
    return value


async def events(db: AsyncSession) -> list[Event]:
    result = await db.scalars(
        select(Event)
        .options(selectinload(Event.sessions), selectinload(Event.sectors))
        .order_by(Event.id)
    )
    return list(result)


async def by_email(db: AsyncSession, email: str) -> Member:
    member = await db.scalar(select(Member).where(Member.email == email))
    assert member is not None
    return member


async def test_loads_once_with_reserved_domains_and_every_sector(
    db: AsyncSession, now: datetime
) -> None:
    count = await db.scalar(select(func.count()).select_from(Event))
    assert not await load_demo(db, now)
    assert await db.scalar(select(func.count()).select_from(Event)) == count

    domains = list(await db.scalars(select(OrganisationDomain.domain)))
    emails = list(await db.scalars(select(Member.email)))
    urls = list(await db.scalars(select(OnlineRoom.meeting_url)))
    assert len(domains) >= 15 and len(emails) >= 30
    assert all(d.endswith(".example") for d in domains)
    assert all(e.rpartition("@")[2] in domains for e in emails)
    assert all(u.startswith("https://") and ".example/" in u for u in urls)
    roles = {m.email: m.role for m in await db.scalars(select(Member))}
    assert roles[ORGANISER_EMAIL] == "organiser" and roles[TRAINER_EMAIL] == "trainer"

    organisations = list(await db.scalars(select(Organisation)))
    assert {o.sector for o in organisations} == set(SECTORS)
    assert {o.region for o in organisations} == set(REGIONS)
    venues = list(await db.scalars(select(Venue).options(selectinload(Venue.rooms))))
    assert all(v.street and v.postcode and v.rooms for v in venues)
    assert any(v.step_free for v in venues) and any(not v.step_free for v in venues)
    assert any(v.accessible_toilet for v in venues)
    for v in venues:  # as the venues' form would take them
        contradictions = check_accessibility(
            step_free=v.step_free,
            hearing_loop=v.hearing_loop,
            accessible_toilet=v.accessible_toilet,
            notes=v.accessibility_notes,
        )
        assert contradictions == {}, v.name
        assert re.fullmatch(r"[0-9]{5}", v.postcode) and v.region in REGIONS
    assert await db.scalar(select(func.count()).select_from(MaterialItem)) == 4
    statuses = await db.scalars(select(MaterialOrder.status).order_by(MaterialOrder.id))
    assert list(statuses) == ["shipped", "approved", "received"]


async def test_twelve_monthly_online_questions_from_one_series(
    db: AsyncSession, now: datetime
) -> None:
    qa = [e for e in await events(db) if e.kind == "online_qa"]
    assert len(qa) == 12
    assert len({e.series_id for e in qa}) == 1 and qa[0].series_id is not None
    starts = sorted(e.sessions[0].starts_at for e in qa)
    assert len({(s.astimezone(BERLIN).year, s.astimezone(BERLIN).month) for s in starts}) == 12
    assert all(s.astimezone(BERLIN).strftime("%a %H:%M") == "Wed 14:00" for s in starts)
    assert all(e.capacity == 300 and e.online_room_id is not None for e in qa)

    await db.refresh(qa[0], ["series"])
    series = qa[0].series
    assert series is not None
    assert [start for start, _ in series_dates(series, 12)] == starts


async def test_bius_modules_build_on_each_other(db: AsyncSession, now: datetime) -> None:
    bius = {e.course_code: e for e in await events(db) if e.sessions[0].starts_at > now}
    assert bius["BIUS-I"].prerequisite_code is None
    assert bius["BIUS-II"].prerequisite_code == "BIUS-I"
    assert bius["BIUS-III"].prerequisite_code == "BIUS-II"
    for code in ("BIUS-I", "BIUS-II", "BIUS-III"):
        assert bius[code].capacity == 14 and bius[code].seats_per_organisation == 2
        assert bius[code].teaching_units == 16 and len(bius[code].sessions) == 2

    attended = await db.scalars(
        select(Member.email)
        .join(Booking, Booking.member_id == Member.id)
        .where(Booking.status == "attended")
    )
    assert JANA in set(attended)
    jana = await by_email(db, JANA)
    result = await services.book(db, event_id=bius["BIUS-II"].id, member_id=jana.id, now=now)
    assert result.booking.status == "confirmed"


async def test_events_lie_ahead_and_hold_seats_within_the_rules(
    db: AsyncSession, now: datetime
) -> None:
    """Every published event has a session ahead, except the past run of BIUS I and the
    webinar three weeks ago that the demo's feedback is about."""
    past = []
    for event in await events(db):
        assert event.status == "published"
        assert event.sessions
        start = event.sessions[0].starts_at
        assert event.booking_opens_at is not None and event.registration_deadline is not None
        assert event.cancellation_deadline is not None
        assert event.booking_opens_at < event.registration_deadline <= start
        assert event.cancellation_deadline <= start
        if not any(s.starts_at > now for s in event.sessions):
            past.append(event.course_code)
    assert past == ["BIUS-I", None]  # and the webinar of the demo's feedback

    everything = await events(db)
    by_id = {e.id: e for e in everything}
    shapes = sorted(
        (by_id[w.parent_id].kind, by_id[w.parent_id].capacity, w.capacity)
        for w in everything
        if w.kind == "workshop" and w.parent_id is not None
    )
    assert shapes == [("conference", 120, 30)] * 4 + [("network_meeting", 80, 20)] * 4

    seats = await queries.availability(db, everything)
    assert all(seats[e.id].taken <= e.capacity for e in everything)
    assert sum(seats[e.id].taken for e in everything) > 50
    bius_one = next(
        e for e in everything if e.course_code == "BIUS-I" and e.sessions[0].starts_at > now
    )
    assert seats[bius_one.id].taken == 14 and seats[bius_one.id].waiting > 0

    restricted = [e for e in everything if e.target_sectors]
    assert {s for e in restricted for s in e.target_sectors} == {"gesundheit", "schule"}
    for event in restricted:
        sectors = await db.scalars(
            select(Organisation.sector)
            .join(Booking, Booking.organisation_id == Organisation.id)
            .where(Booking.event_id == event.id)
        )
        assert set(sectors) <= set(event.target_sectors)
    assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_one_organisation_joined_online_and_one_waits(
    db: AsyncSession, now: datetime
) -> None:
    certificate = await db.scalar(select(JoiningCertificate))
    assert certificate is not None and certificate.organisation_name == "Stadt Hamm"
    assert certificate.number == f"{(now - timedelta(days=30)).astimezone(BERLIN).year}-0001"
    hamm = await db.get(Organisation, certificate.organisation_id)
    assert hamm is not None and hamm.listed and hamm.joined_on == certificate.joined_on
    coordinator = await db.scalar(select(Member).where(Member.email == JOINED_EMAIL))
    assert coordinator is not None and coordinator.coordinates == hamm.id
    statuses = list(await db.scalars(select(JoiningApplication.status).order_by("id")))
    assert statuses == ["accepted", "confirmed"]


async def test_last_months_issue_went_to_the_subscribers_and_this_months_waits(
    db: AsyncSession, now: datetime
) -> None:
    subscribers = set(
        await db.scalars(select(Subscription.email).where(Subscription.status == "confirmed"))
    )
    assert len(subscribers) == 11 and ORGANISER_EMAIL in subscribers and JANA not in subscribers
    sent, draft = list(await db.scalars(select(Issue).order_by(Issue.id)))
    assert (sent.status, draft.status) == ("sent", "draft")
    assert sent.send_started_at is not None and sent.send_started_at < now
    progress = await sending.progress(db, sent)
    assert (progress.recipients, progress.queued, progress.sent) == (11, 11, 11)
    assert progress.done
