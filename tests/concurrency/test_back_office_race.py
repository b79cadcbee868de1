"""The back office in the middle of a rush: an organiser books members on their behalf
(some beyond their organisation's share, with a reason) while members book themselves, and
then moves people on the waiting list while others cancel — through the JSON API of a real
server with two worker processes (DESIGN.md rules 1–4 and 12)."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import func, select

from booking.bookings.models import Booking
from booking.core.db import create_engine, session_factory
from booking.members.models import Member
from booking.privacy.models import AuditEntry
from tests.concurrency.server import fire_at_once, running_server, server_env
from tests.concurrency.test_booking_rush import SEATS, race_database, seed, tokens_for

__all__ = ["race_database"]

SELF = range(0, 100)
ON_BEHALF = range(100, 140)
OVERRIDDEN = range(100, 106)
ORGANISATIONS = 20


def email(i: int) -> str:
    return f"m{i:03d}@behoerde{i % ORGANISATIONS}.example"


async def listing(client: httpx.AsyncClient, event_id: int, token: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    cursor = ""
    while True:
        answer = await client.get(
            f"/api/v1/events/{event_id}/bookings?limit=200{cursor}",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200
        rows += answer.json()
        link = answer.headers.get("link")
        if not link:
            return rows
        cursor = "&cursor=" + link.split("cursor=", 1)[1].split(">", 1)[0].split("&", 1)[0]


async def test_on_behalf_and_moves_race_with_members(race_database: str, tmp_path: Path) -> None:
    event_id = await seed(race_database, ORGANISATIONS, 1)
    env = server_env(race_database, tmp_path)
    members = [email(i) for i in SELF]
    tokens = tokens_for([*members, "orga@behoerde0.example"], env)
    member_token = dict(zip(members, tokens[:-1], strict=True))
    organiser = tokens[-1]
    url = f"/api/v1/events/{event_id}/bookings"
    requests: list[tuple[str, str, str] | tuple[str, str, str, dict[str, object]]] = [
        ("POST", url, member_token[e]) for e in members
    ]
    for i in ON_BEHALF:
        body: dict[str, object] = {"member_email": email(i)}
        if i in OVERRIDDEN:
            body |= {"override_limit": True, "reason": "Ersatz für erkrankte Kollegin"}
        requests.append(("POST", url, organiser, body))
    random.Random(7).shuffle(requests)

    with running_server(env, workers=2) as base:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            answers = await fire_at_once(client, requests)
            assert [a.status_code for a in answers if a.status_code != 201] == []

            rows = await listing(client, event_id, organiser)
            confirmed = [r for r in rows if r["status"] == "confirmed"]
            assert len(confirmed) == SEATS
            overridden = {email(i) for i in OVERRIDDEN}
            within_share = Counter(
                str(r["member_email"]).partition("@")[2]
                for r in confirmed
                if r["member_email"] not in overridden
            )
            assert max(within_share.values()) <= 1
            assert all(
                r["booked_by_organiser"] == (int(str(r["member_email"])[1:4]) in ON_BEHALF)
                for r in rows
            )

            # Now the organiser reorders the waiting list while five participants leave.
            waiting = sorted(
                (r for r in rows if r["status"] == "waitlisted"),
                key=lambda r: int(str(r["waitlist_position"])),
            )
            chosen = random.Random(11).sample(waiting, 10)
            moves: list[tuple[str, str, str, dict[str, object]]] = [
                (
                    "POST",
                    f"/api/v1/bookings/{r['id']}/position",
                    organiser,
                    {"position": 1 + n % 3},
                )
                for n, r in enumerate(chosen)
            ]
            # Members cancel their own; the organiser removes those booked on behalf.
            leaving = confirmed[:5]
            cancels = [
                (
                    "DELETE",
                    f"/api/v1/bookings/{r['id']}",
                    member_token.get(str(r["member_email"]), organiser),
                )
                for r in leaving
            ]
            removed = sum(r["member_email"] not in member_token for r in leaving)
            answers = await fire_at_once(client, [*moves, *cancels])
            assert {a.status_code for a in answers[: len(moves)]} <= {200, 409}
            assert [a.status_code for a in answers[len(moves) :]] == [200] * 5
            moved = sum(a.status_code == 200 for a in answers[: len(moves)])

            after = await listing(client, event_id, organiser)
            assert sum(r["status"] == "confirmed" for r in after) == SEATS
            still = sorted(
                (r for r in after if r["status"] == "waitlisted"),
                key=lambda r: int(str(r["waitlist_position"])),
            )
            assert [r["waitlist_position"] for r in still] == list(range(1, len(still) + 1))

    engine = create_engine(race_database)
    async with session_factory(engine)() as db:
        grouped = await db.execute(
            select(AuditEntry.action, func.count()).group_by(AuditEntry.action)
        )
        actions = Counter({action: count for action, count in grouped})
        assert actions == Counter(
            {
                "booking_on_behalf": len(ON_BEHALF),
                "waitlist_moved": moved,
                "booking_removed": removed,
            }
        )
        by_member = await db.scalar(
            select(func.count())
            .select_from(Booking)
            .join(Member, Member.id == Booking.member_id)
            .where(Booking.booked_by == "organiser")
        )
        assert by_member == len(ON_BEHALF)
    await engine.dispose()
