"""The moment a popular training opens: 200 members book a 16-seat event at once through
the JSON API of a real server with two worker processes (DESIGN.md rules 1–4)."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from booking.core.db import create_engine, session_factory, utcnow
from booking.members.models import Member
from booking.organisations.models import Organisation, OrganisationDomain
from courses.models import Event, EventSession
from tests.concurrency.server import fire_at_once, fresh_database, running_server, server_env, sid
from tests.databases import postgres_url

pytestmark = pytest.mark.race

MEMBERS = 200
SEATS = 16
DATABASES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(postgres_url() is None, reason="TEST_DATABASE_URL not set"),
    ),
]


@pytest.fixture(params=DATABASES)
async def race_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with fresh_database(request.param, tmp_path, postgres_url()) as url:
        yield url


async def seed(url: str, organisations: int, seats_per_organisation: int | None) -> int:
    """200 members spread round-robin over the organisations, an organiser, one event."""
    engine = create_engine(url)
    async with session_factory(engine)() as db:
        orgs = []
        for n in range(organisations):
            org = Organisation(name=f"Behörde {n}", sector="verwaltung", region="Münster")
            org.domains.append(OrganisationDomain(domain=f"behoerde{n}.example"))
            orgs.append(org)
        db.add_all(orgs)
        await db.flush()
        db.add_all(
            Member(
                email=f"m{i:03d}@behoerde{i % organisations}.example",
                first_name="M",
                last_name=f"{i:03d}",
                organisation_id=orgs[i % organisations].id,
            )
            for i in range(MEMBERS)
        )
        db.add(Member(email="orga@behoerde0.example", role="organiser", organisation_id=orgs[0].id))
        start = utcnow() + timedelta(days=30)
        event = Event(
            kind="training",
            status="published",
            title="BIUS I – Eröffnung der Anmeldung",
            capacity=SEATS,
            seats_per_organisation=seats_per_organisation,
        )
        event.sessions = [EventSession(starts_at=start, ends_at=start + timedelta(hours=7))]
        db.add(event)
        await db.commit()
        event_id = event.id
    await engine.dispose()
    return event_id


def tokens_for(emails: list[str], env: dict[str, str]) -> list[str]:
    printed = sid(["token", *emails], env).stdout.split()
    assert len(printed) == len(emails)
    return printed


def expected_promotions(
    waiting: list[tuple[int, str]], confirmed_orgs: Counter[str], free: int, limit: int | None
) -> list[int]:
    """The rule, stated independently: the first waiting members whose organisation is
    under its limit get the free seats, in waiting-list order."""
    promoted = []
    for booking_id, org in waiting:
        if len(promoted) == free:
            break
        if limit is not None and confirmed_orgs[org] >= limit:
            continue
        confirmed_orgs[org] += 1
        promoted.append(booking_id)
    return promoted


@pytest.mark.parametrize(
    ("organisations", "limit"), [(1, None), (20, 1)], ids=["no-limit", "one-per-organisation"]
)
async def test_rush_on_sixteen_seats(
    race_database: str, tmp_path: Path, organisations: int, limit: int | None
) -> None:
    event_id = await seed(race_database, organisations, limit)
    env = server_env(race_database, tmp_path)
    emails = [f"m{i:03d}@behoerde{i % organisations}.example" for i in range(MEMBERS)]
    tokens = tokens_for([*emails, "orga@behoerde0.example"], env)
    member_tokens, organiser_token = tokens[:-1], tokens[-1]
    org_of = {email: email.partition("@")[2] for email in emails}

    with running_server(env, workers=2) as base:
        limits = httpx.Limits(max_connections=MEMBERS, max_keepalive_connections=MEMBERS)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            responses = await fire_at_once(
                client,
                [("POST", f"/api/v1/events/{event_id}/bookings", t) for t in member_tokens],
            )
            assert [r.status_code for r in responses if r.status_code != 201] == []
            results = [r.json() for r in responses]
            confirmed = [r for r in results if r["status"] == "confirmed"]
            waiting = [r for r in results if r["status"] == "waitlisted"]
            assert len(confirmed) == SEATS
            assert len(waiting) == MEMBERS - SEATS
            assert sorted(r["waitlist_position"] for r in waiting) == list(
                range(1, MEMBERS - SEATS + 1)
            )

            async def listing() -> list[dict[str, object]]:
                """Every booking of the event, page after page as the Link header leads."""
                rows: list[dict[str, object]] = []
                url: str | None = f"/api/v1/events/{event_id}/bookings?limit=64"
                while url is not None:
                    answer = await client.get(
                        url, headers={"Authorization": f"Bearer {organiser_token}"}
                    )
                    assert answer.status_code == 200
                    rows += answer.json()
                    link = answer.headers.get("link")
                    following = urlsplit(link.split(">", 1)[0].lstrip("<")) if link else None
                    url = f"{following.path}?{following.query}" if following else None
                assert len(rows) == int(answer.headers["x-total-count"])
                return rows

            before = await listing()
            confirmed_rows = [b for b in before if b["status"] == "confirmed"]
            assert len(confirmed_rows) == SEATS
            if limit is not None:
                per_org = Counter(org_of[str(b["member_email"])] for b in confirmed_rows)
                assert max(per_org.values()) <= limit
            waiting_rows = sorted(
                (b for b in before if b["status"] == "waitlisted"),
                key=lambda b: int(b["waitlist_position"]),  # type: ignore[call-overload]
            )
            assert [b["waitlist_position"] for b in waiting_rows] == list(
                range(1, MEMBERS - SEATS + 1)
            )

            # Five confirmed members cancel at the same moment.
            token_of = dict(zip(emails, member_tokens, strict=True))
            leaving = confirmed_rows[:5]
            cancels = await fire_at_once(
                client,
                [
                    ("DELETE", f"/api/v1/bookings/{b['id']}", token_of[str(b["member_email"])])
                    for b in leaving
                ],
            )
            assert [r.status_code for r in cancels] == [200] * 5

            remaining_orgs = Counter(org_of[str(b["member_email"])] for b in confirmed_rows[5:])
            expected = expected_promotions(
                [(int(b["id"]), org_of[str(b["member_email"])]) for b in waiting_rows],  # type: ignore[call-overload]
                remaining_orgs,
                free=5,
                limit=limit,
            )
            if limit is None:
                assert expected == [b["id"] for b in waiting_rows[:5]]
            after = await listing()
            now_confirmed = {b["id"] for b in after if b["status"] == "confirmed"}
            assert len(now_confirmed) == SEATS
            assert set(expected) <= now_confirmed
            assert {b["id"] for b in leaving}.isdisjoint(now_confirmed)
            still_waiting = sorted(
                (b for b in after if b["status"] == "waitlisted"),
                key=lambda b: int(b["waitlist_position"]),  # type: ignore[call-overload]
            )
            assert [b["id"] for b in still_waiting] == [
                b["id"] for b in waiting_rows if b["id"] not in expected
            ]
            assert [b["waitlist_position"] for b in still_waiting] == list(
                range(1, len(still_waiting) + 1)
            )

    engine = create_engine(race_database)
    async with session_factory(engine)() as db:
        assert await db.scalar(select(Event.capacity).where(Event.id == event_id)) == SEATS
    await engine.dispose()
