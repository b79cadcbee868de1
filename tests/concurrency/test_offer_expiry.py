"""Offers lapsing in real processes on a database of their own: two racing, and one killed
midway and started again. Every lapsed offer is lapsed and mailed exactly once, and every
seat freed goes to exactly one next member (never two offers for one seat)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from booking.bookings.models import Booking
from booking.core.db import create_engine, session_factory, utcnow
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.organisations.models import Organisation, OrganisationDomain
from courses.models import Event, EventSession
from tests.concurrency.workers import finished, killed_once, racing, start

pytestmark = pytest.mark.race

JOB = "tests.concurrency.expire_offers"

EVENTS = 150


async def seed(url: str) -> None:
    """EVENTS events of one seat each, with offers: the seat is offered to a member whose
    deadline passed an hour ago, and one more member waits."""
    engine = create_engine(url)
    now = utcnow()
    try:
        async with session_factory(engine)() as session:
            org = Organisation(
                name="Stadt Bielefeld", sector="verwaltung", region="Detmold",
                domains=[OrganisationDomain(domain="bielefeld.example")],
            )  # fmt: skip
            start = now + timedelta(days=20)
            events = [
                Event(
                    kind="training", status="published", title=f"BIUS I, Gruppe {n}",
                    capacity=1, offer_working_days=2,
                    sessions=[EventSession(starts_at=start, ends_at=start + timedelta(hours=7))],
                )
                for n in range(EVENTS)
            ]  # fmt: skip
            session.add_all([org, *events])
            await session.flush()
            await session.execute(
                insert(Member),
                [{"email": f"p{n}@bielefeld.example", "first_name": "Pat", "last_name": f"P{n}",
                  "organisation_id": org.id, "status": "active"} for n in range(2 * EVENTS)],
            )  # fmt: skip
            members = list(await session.scalars(select(Member.id).order_by(Member.id)))
            rows = []
            for n, event in enumerate(events):
                offered, waiting = members[2 * n], members[2 * n + 1]
                rows += [
                    {"event_id": event.id, "member_id": offered, "organisation_id": org.id,
                     "status": "offered", "created_at": now - timedelta(days=5),
                     "offered_at": now - timedelta(days=4),
                     "offer_expires_at": now - timedelta(hours=1)},
                    {"event_id": event.id, "member_id": waiting, "organisation_id": org.id,
                     "status": "waiting", "created_at": now - timedelta(days=5),
                     "waitlisted_at": now - timedelta(days=5)},
                ]  # fmt: skip
            await session.execute(insert(Booking), rows)
            await session.commit()
    finally:
        await engine.dispose()


async def tally(url: str) -> tuple[int, int, int, int, int]:
    """(offers lapsed, lapse mails, new offers, offer mails to the next, events with more
    than one seat held)."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            statuses = list(
                await session.execute(
                    select(Booking.event_id, Booking.status, Booking.offer_expires_at)
                )
            )
            lapsed = await session.scalars(
                select(Booking.id).where(Booking.cancelled_by == "offer_expired")
            )
            mails = Counter(
                template for template in await session.scalars(select(OutboxMessage.template))
            )
    finally:
        await engine.dispose()
    now = utcnow()
    held = Counter(event for event, status, _ in statuses if status in ("offered", "confirmed"))
    new_offers = sum(
        1
        for _, status, until in statuses
        if status == "offered" and until is not None and until > now
    )
    return (
        len(list(lapsed)),
        mails["offer_expired"],
        new_offers,
        mails["booking_offered"],
        sum(1 for n in held.values() if n > 1),
    )


async def begun(url: str) -> bool:
    """A few offers have lapsed."""
    return (await tally(url))[0] >= 3


async def test_two_processes_racing_lapse_each_offer_once(database: str, tmp_path: Path) -> None:
    await seed(database)
    assert sum(await racing(JOB, database, tmp_path)) == EVENTS
    assert await tally(database) == (EVENTS, EVENTS, EVENTS, EVENTS, 0)


async def test_a_process_killed_midway_leaves_the_rest_to_the_next(
    database: str, tmp_path: Path
) -> None:
    await seed(database)
    slow = start(JOB, database, tmp_path, pause=0.05)
    await killed_once(slow, lambda: begun(database))
    lapsed, mails, offered, offer_mails, doubled = await tally(database)
    assert 0 < lapsed < EVENTS  # whole events only: each lapse came with its mail and offer
    assert (mails, offered, offer_mails, doubled) == (lapsed, lapsed, lapsed, 0)

    assert await finished(start(JOB, database, tmp_path)) == EVENTS - lapsed
    assert await tally(database) == (EVENTS, EVENTS, EVENTS, EVENTS, 0)
