"""Coordinators release at the same moment: 40 requests of four organisations for a
10-seat event that needs the release, released all at once through the JSON API of a real
server with two worker processes; some requests released twice at once (DESIGN.md rules
1–4): 10 seats, the rest waiting in positions 1…30, each request decided once."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from booking.bookings.models import Booking
from booking.core.db import create_engine, session_factory, utcnow
from booking.members.models import Member
from booking.organisations.models import Organisation, OrganisationDomain
from booking.privacy.models import AuditEntry
from courses.models import Event, EventSession
from tests.concurrency.server import fire_at_once, running_server, server_env
from tests.concurrency.test_booking_rush import race_database, tokens_for

__all__ = ["race_database"]

ORGS = 4
PER_ORG = 10
SEATS = 10
LIMIT = 3


async def seed(url: str) -> int:
    engine = create_engine(url)
    async with session_factory(engine)() as db:
        orgs = []
        for n in range(ORGS):
            org = Organisation(name=f"Amt {n}", sector="verwaltung", region="Köln")
            org.domains.append(OrganisationDomain(domain=f"amt{n}.example"))
            orgs.append(org)
        db.add_all(orgs)
        await db.flush()
        for n, org in enumerate(orgs):
            db.add(
                Member(email=f"koord@amt{n}.example", role="coordinator", organisation_id=org.id)
            )
            db.add_all(
                Member(email=f"m{i}@amt{n}.example", organisation_id=org.id) for i in range(PER_ORG)
            )
        start = utcnow() + timedelta(days=30)
        event = Event(
            kind="training",
            status="published",
            title="BIUS I mit Freigabe",
            capacity=SEATS,
            seats_per_organisation=LIMIT,
            requires_release=True,
        )
        event.sessions = [EventSession(starts_at=start, ends_at=start + timedelta(hours=7))]
        db.add(event)
        await db.commit()
        event_id = event.id
    await engine.dispose()
    return event_id


async def test_releases_race_for_the_seats(race_database: str, tmp_path: Path) -> None:
    event_id = await seed(race_database)
    env = server_env(race_database, tmp_path)
    members = [f"m{i}@amt{n}.example" for n in range(ORGS) for i in range(PER_ORG)]
    coordinators = [f"koord@amt{n}.example" for n in range(ORGS)]
    tokens = dict(
        zip([*members, *coordinators], tokens_for([*members, *coordinators], env), strict=True)
    )

    with running_server(env, workers=2) as base:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            asked = await fire_at_once(
                client,
                [("POST", f"/api/v1/events/{event_id}/bookings", tokens[m]) for m in members],
            )
            assert {a.status_code for a in asked} == {201}
            assert {a.json()["status"] for a in asked} == {"requested"}
            ids = {m: a.json()["id"] for m, a in zip(members, asked, strict=True)}
            releases = [
                ("POST", f"/api/v1/bookings/{ids[m]}/release", tokens[f"koord@{m.split('@')[1]}"])
                for m in members
            ]
            twice = random.Random(3).sample(releases, 8)  # the same request released twice
            order = [*releases, *twice]
            random.Random(5).shuffle(order)
            answers = await fire_at_once(client, order)
            codes = Counter(a.status_code for a in answers)
            assert codes == Counter({200: len(members), 409: len(twice)})
            decided = [a.json() for a in answers if a.status_code == 200]
            seated = [d for d in decided if d["status"] == "confirmed"]
            waiting = sorted(d["waitlist_position"] for d in decided if d["status"] == "waitlisted")
            assert len(seated) == SEATS
            assert waiting == list(range(1, len(members) - SEATS + 1))

    engine = create_engine(race_database)
    async with session_factory(engine)() as db:
        confirmed = Counter(
            org
            for (org,) in await db.execute(
                select(Booking.organisation_id).where(
                    Booking.event_id == event_id, Booking.status == "confirmed"
                )
            )
        )
        assert sum(confirmed.values()) == SEATS
        assert max(confirmed.values()) <= LIMIT
        audited = await db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "booking_released")
        )
        assert audited == len(members)
    await engine.dispose()
