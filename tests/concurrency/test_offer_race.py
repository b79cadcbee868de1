"""Answers to offers racing through the JSON API of a real server with two worker processes
(DESIGN.md rule 1): on each of several one-seat events whose seat is offered to one member,
that member accepts twice at once, while a newcomer books and the next in line declines an
offer they do not hold. Each offer is accepted once, the newcomer waits, and no event ever
holds more than its one seat. And a declined seat goes to the next in line, never to a
newcomer booking at the same moment."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert, select

from booking.bookings.models import Booking
from booking.core.db import create_engine, session_factory, utcnow
from booking.members.models import Member
from booking.organisations.models import Organisation, OrganisationDomain
from courses.models import Event, EventSession
from tests.concurrency.server import fire_at_once, running_server, server_env
from tests.concurrency.test_booking_rush import race_database, tokens_for

__all__ = ["race_database"]

EVENTS = 8


async def seed(url: str) -> list[tuple[int, int, int]]:
    """Per event: (event id, the offered booking, the next waiting booking); members
    o{n} (offered), w{n} (waiting) and new{n} (not booked yet) at amt.example."""
    engine = create_engine(url)
    now = utcnow()
    found = []
    async with session_factory(engine)() as db:
        org = Organisation(name="Amt", sector="verwaltung", region="Köln")
        org.domains.append(OrganisationDomain(domain="amt.example"))
        start = now + timedelta(days=14)
        events = [
            Event(
                kind="training", status="published", title=f"BIUS I, Gruppe {n}", capacity=1,
                offer_working_days=2,
                sessions=[EventSession(starts_at=start, ends_at=start + timedelta(hours=7))],
            )
            for n in range(EVENTS)
        ]  # fmt: skip
        db.add_all([org, *events])
        await db.flush()
        for prefix in ("o", "w", "new"):
            db.add_all(
                Member(email=f"{prefix}{n}@amt.example", organisation_id=org.id)
                for n in range(EVENTS)
            )
        await db.flush()
        ids = {m.email: m.id for m in await db.scalars(select(Member))}
        for n, event in enumerate(events):
            offered, waiting = await db.scalars(
                insert(Booking).returning(Booking.id, sort_by_parameter_order=True),
                [
                    {"event_id": event.id, "member_id": ids[f"o{n}@amt.example"],
                     "organisation_id": org.id, "status": "offered", "created_at": now,
                     "offered_at": now, "offer_expires_at": now + timedelta(days=2)},
                    {"event_id": event.id, "member_id": ids[f"w{n}@amt.example"],
                     "organisation_id": org.id, "status": "waiting", "created_at": now,
                     "waitlisted_at": now},
                ],
            )  # fmt: skip
            found.append((event.id, offered, waiting))
        await db.commit()
    await engine.dispose()
    return found


async def test_accepts_and_bookings_race_for_one_seat(race_database: str, tmp_path: Path) -> None:
    events = await seed(race_database)
    env = server_env(race_database, tmp_path)
    emails = [f"{p}{n}@amt.example" for p in ("o", "w", "new") for n in range(EVENTS)]
    tokens = dict(zip(emails, tokens_for(emails, env), strict=True))

    order = []
    for n, (event_id, offered, waiting) in enumerate(events):
        accept = ("POST", f"/api/v1/bookings/{offered}/offer/accept", tokens[f"o{n}@amt.example"])
        order += [
            accept,
            accept,
            ("POST", f"/api/v1/events/{event_id}/bookings", tokens[f"new{n}@amt.example"]),
            ("POST", f"/api/v1/bookings/{waiting}/offer/decline", tokens[f"w{n}@amt.example"]),
        ]
    random.Random(7).shuffle(order)
    with running_server(env, workers=2) as base:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            answers = await fire_at_once(client, order)

    by_kind: Counter[tuple[str, int]] = Counter()
    for (_, path, _), answer in zip(order, answers, strict=True):
        kind = path.rsplit("/", 1)[1]
        by_kind[(kind, answer.status_code)] += 1
        if kind == "bookings":
            assert answer.json()["status"] == "waitlisted", answer.text
    assert by_kind == Counter(
        {("accept", 200): EVENTS, ("accept", 409): EVENTS, ("bookings", 201): EVENTS,
         ("decline", 409): EVENTS}
    )  # fmt: skip

    engine = create_engine(race_database)
    async with session_factory(engine)() as db:
        rows = list(await db.execute(select(Booking.event_id, Booking.id, Booking.status)))
    await engine.dispose()
    for event_id, offered, waiting in events:
        mine = {booking_id: status for e, booking_id, status in rows if e == event_id}
        assert mine[offered] == "confirmed" and mine[waiting] == "waiting"
        assert sorted(mine.values()) == ["confirmed", "waiting", "waiting"]


async def test_a_declined_seat_goes_to_the_next_in_line_not_to_a_newcomer(
    race_database: str, tmp_path: Path
) -> None:
    """The offered member declines twice at once while a newcomer books: the seat is offered
    to the member who was waiting, once; the newcomer joins the waiting list behind them."""
    events = await seed(race_database)
    env = server_env(race_database, tmp_path)
    emails = [f"{p}{n}@amt.example" for p in ("o", "new") for n in range(EVENTS)]
    tokens = dict(zip(emails, tokens_for(emails, env), strict=True))

    order = []
    for n, (event_id, offered, _) in enumerate(events):
        decline = ("POST", f"/api/v1/bookings/{offered}/offer/decline", tokens[f"o{n}@amt.example"])
        order += [
            decline,
            decline,
            ("POST", f"/api/v1/events/{event_id}/bookings", tokens[f"new{n}@amt.example"]),
        ]
    random.Random(11).shuffle(order)
    with running_server(env, workers=2) as base:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            answers = await fire_at_once(client, order)

    by_kind: Counter[tuple[str, int]] = Counter()
    for (_, path, _), answer in zip(order, answers, strict=True):
        kind = path.rsplit("/", 1)[1]
        by_kind[(kind, answer.status_code)] += 1
        if kind == "bookings":
            assert answer.json()["status"] == "waitlisted", answer.text
    assert by_kind == Counter(
        {("decline", 200): EVENTS, ("decline", 409): EVENTS, ("bookings", 201): EVENTS}
    )

    engine = create_engine(race_database)
    async with session_factory(engine)() as db:
        rows = list(
            await db.execute(
                select(Booking.event_id, Booking.id, Booking.status, Booking.cancelled_by)
            )
        )
    await engine.dispose()
    for event_id, offered, waiting in events:
        mine = {booking_id: (status, by) for e, booking_id, status, by in rows if e == event_id}
        assert mine.pop(offered) == ("cancelled", "offer_declined")
        assert mine.pop(waiting)[0] == "offered"
        assert [status for status, _ in mine.values()] == ["waiting"]  # the newcomer
