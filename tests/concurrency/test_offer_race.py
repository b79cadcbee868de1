"""Answers to offers racing through the JSON API of a real server with two worker processes
(DESIGN.md rule 1): on each of several one-seat events whose seat is offered to one member,
that member accepts twice at once, while a newcomer books and the next in line declines an
offer they do not hold. Each offer is accepted once, the newcomer waits, and no event ever
holds more than its one seat. And a declined seat goes to the next in line, never to a
newcomer booking at the same moment."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
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


Request = tuple[str, str, str]


async def race(
    url: str, tmp_path: Path, requests: Callable[[dict[str, str]], list[Request]], shuffle: int
) -> Counter[tuple[str, int]]:
    """Send the requests (made from every member's token) at once, in a shuffled order, to a
    server with two worker processes; the answers counted by (last path segment, status).
    Every newcomer's booking lands on the waiting list."""
    env = server_env(url, tmp_path)
    emails = [f"{p}{n}@amt.example" for p in ("o", "w", "new") for n in range(EVENTS)]
    order = requests(dict(zip(emails, tokens_for(emails, env), strict=True)))
    random.Random(shuffle).shuffle(order)
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
    return by_kind


async def bookings_by_event(url: str) -> dict[int, dict[int, tuple[str, str | None]]]:
    """Event id -> booking id -> (status, cancelled_by)."""
    engine = create_engine(url)
    async with session_factory(engine)() as db:
        rows = await db.execute(
            select(Booking.event_id, Booking.id, Booking.status, Booking.cancelled_by)
        )
        found: dict[int, dict[int, tuple[str, str | None]]] = {}
        for event_id, booking_id, status, by in rows:
            found.setdefault(event_id, {})[booking_id] = (status, by)
    await engine.dispose()
    return found


async def test_accepts_and_bookings_race_for_one_seat(race_database: str, tmp_path: Path) -> None:
    events = await seed(race_database)

    def requests(tokens: dict[str, str]) -> list[Request]:
        order: list[Request] = []
        for n, (event_id, offered, waiting) in enumerate(events):
            accept = (
                "POST",
                f"/api/v1/bookings/{offered}/offer/accept",
                tokens[f"o{n}@amt.example"],
            )
            order += [
                accept,
                accept,
                ("POST", f"/api/v1/events/{event_id}/bookings", tokens[f"new{n}@amt.example"]),
                ("POST", f"/api/v1/bookings/{waiting}/offer/decline", tokens[f"w{n}@amt.example"]),
            ]
        return order

    assert await race(race_database, tmp_path, requests, shuffle=7) == Counter(
        {("accept", 200): EVENTS, ("accept", 409): EVENTS, ("bookings", 201): EVENTS,
         ("decline", 409): EVENTS}
    )  # fmt: skip
    found = await bookings_by_event(race_database)
    for event_id, offered, waiting in events:
        mine = {booking_id: status for booking_id, (status, _) in found[event_id].items()}
        assert mine[offered] == "confirmed" and mine[waiting] == "waiting"
        assert sorted(mine.values()) == ["confirmed", "waiting", "waiting"]


async def test_a_declined_seat_goes_to_the_next_in_line_not_to_a_newcomer(
    race_database: str, tmp_path: Path
) -> None:
    """The offered member declines twice at once while a newcomer books: the seat is offered
    to the member who was waiting, once; the newcomer joins the waiting list behind them."""
    events = await seed(race_database)

    def requests(tokens: dict[str, str]) -> list[Request]:
        order: list[Request] = []
        for n, (event_id, offered, _) in enumerate(events):
            decline = (
                "POST",
                f"/api/v1/bookings/{offered}/offer/decline",
                tokens[f"o{n}@amt.example"],
            )
            order += [
                decline,
                decline,
                ("POST", f"/api/v1/events/{event_id}/bookings", tokens[f"new{n}@amt.example"]),
            ]
        return order

    assert await race(race_database, tmp_path, requests, shuffle=11) == Counter(
        {("decline", 200): EVENTS, ("decline", 409): EVENTS, ("bookings", 201): EVENTS}
    )
    found = await bookings_by_event(race_database)
    for event_id, offered, waiting in events:
        mine = dict(found[event_id])
        assert mine.pop(offered) == ("cancelled", "offer_declined")
        assert mine.pop(waiting)[0] == "offered"
        assert [status for status, _ in mine.values()] == ["waiting"]  # the newcomer
