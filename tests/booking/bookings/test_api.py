"""The bookings' JSON API: booking, cancelling, lists of bookings. Time stands still at
factories.NOW."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import booking.core.db
from booking.bookings import services
from booking.core.db import begin_write, session_factory
from courses.models import Event
from tests import factories
from tests.api import (
    World,
    assert_german_error,
    snapshot,
    statuses,
    token_of,
    utc,
)
from tests.factories import NOW

pytestmark = pytest.mark.usefixtures("frozen_time")


# -- booking and cancelling -----------------------------------------------------------------------


async def test_book_confirms_then_waitlists(client: httpx.AsyncClient, db: AsyncSession) -> None:
    event = await factories.event(db, capacity=1)
    first, second, third = [await factories.member(db) for _ in range(3)]
    url = f"/api/v1/events/{event.id}/bookings"

    confirmed = await client.post(url, headers=await token_of(db, first))
    waiting = await client.post(url, json={}, headers=await token_of(db, second))
    also_waiting = await client.post(
        url, content=b"  ", headers={**await token_of(db, third), "Content-Type": "text/plain"}
    )

    assert confirmed.status_code == waiting.status_code == also_waiting.status_code == 201
    ids = [r.json()["id"] for r in (confirmed, waiting, also_waiting)]
    assert confirmed.json() == {"id": ids[0], "status": "confirmed", "waitlist_position": None}
    assert waiting.json() == {"id": ids[1], "status": "waitlisted", "waitlist_position": 1}
    assert also_waiting.json() == {"id": ids[2], "status": "waitlisted", "waitlist_position": 2}
    assert await statuses(db, event.id) == [
        (ids[0], "confirmed"), (ids[1], "waiting"), (ids[2], "waiting"),
    ]  # fmt: skip


async def test_book_errors(client: httpx.AsyncClient, world: World, db: AsyncSession) -> None:
    schools_only = await factories.event(db, sectors=("schule",))
    closed = await factories.event(db, registration_deadline=NOW - timedelta(hours=1))
    cancelled = await factories.event(db, status="cancelled")
    draft = await factories.event(db, status="draft")
    pending = await factories.member(db, status="pending")
    before = await snapshot(db)

    def book(event_id: int, auth: dict[str, str]) -> Any:
        return client.post(f"/api/v1/events/{event_id}/bookings", headers=auth)

    assert_german_error(await book(world.event.id, world.other_auth), 409, "already_booked")
    assert_german_error(await book(schools_only.id, world.member_auth), 403, "not_eligible")
    assert_german_error(await book(closed.id, world.member_auth), 422, "booking_closed")
    assert_german_error(await book(cancelled.id, world.member_auth), 422, "booking_closed")
    assert_german_error(await book(999999, world.member_auth), 404, "not_found")
    assert_german_error(await book(draft.id, world.member_auth), 404, "not_found")
    # A pending member's token does not authenticate at all.
    pending_auth = await token_of(db, pending)
    assert_german_error(await book(world.event.id, pending_auth), 401, "not_authenticated")
    assert await snapshot(db) == before


async def test_book_while_event_is_locked_answers_busy(
    client: httpx.AsyncClient,
    world: World,
    db: AsyncSession,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(booking.core.db, "LOCK_TIMEOUT_SECONDS", 1)
    before = await snapshot(db)
    async with session_factory(engine)() as holder:
        await begin_write(holder)  # SQLite: the database's write lock
        await holder.execute(  # PostgreSQL: the event's row lock
            select(Event.id).where(Event.id == world.event.id).with_for_update()
        )
        response = await client.post(
            f"/api/v1/events/{world.event.id}/bookings", headers=world.member_auth
        )
        await holder.rollback()
    assert_german_error(response, 503, "busy")
    assert response.headers["retry-after"].isdigit()
    assert await snapshot(db) == before


async def test_cancel_own_booking_promotes_the_next(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    event = await factories.event(db, capacity=1)
    first, second = await factories.member(db), await factories.member(db)
    first_auth = await token_of(db, first)
    url = f"/api/v1/events/{event.id}/bookings"
    mine = (await client.post(url, headers=first_auth)).json()["id"]
    theirs = (await client.post(url, headers=await token_of(db, second))).json()["id"]

    response = await client.delete(f"/api/v1/bookings/{mine}", headers=first_auth)

    assert response.status_code == 200, response.text
    assert response.json() == {"id": mine, "status": "cancelled", "promoted": [theirs]}
    assert await statuses(db, event.id) == [(mine, "cancelled"), (theirs, "confirmed")]
    again = await client.delete(f"/api/v1/bookings/{mine}", headers=first_auth)
    assert_german_error(again, 409, "invalid_state")


async def test_cancel_errors(client: httpx.AsyncClient, world: World, db: AsyncSession) -> None:
    late = await factories.event(db, cancellation_deadline=NOW - timedelta(hours=1))
    booked = await client.post(f"/api/v1/events/{late.id}/bookings", headers=world.member_auth)
    assert booked.status_code == 201
    late_id = booked.json()["id"]
    before = await snapshot(db)

    assert_german_error(
        await client.delete(f"/api/v1/bookings/{late_id}", headers=world.member_auth),
        422,
        "cancellation_closed",
    )
    assert_german_error(
        await client.delete(
            f"/api/v1/bookings/{world.others_booking_id}", headers=world.member_auth
        ),
        403,
        "forbidden",
    )
    assert_german_error(
        await client.delete("/api/v1/bookings/999999", headers=world.member_auth),
        404,
        "not_found",
    )
    assert await snapshot(db) == before

    # Organisers may cancel anyone's booking, also after the deadline.
    response = await client.delete(f"/api/v1/bookings/{late_id}", headers=world.organiser_auth)
    assert response.status_code == 200
    assert response.json() == {"id": late_id, "status": "cancelled", "promoted": []}


# -- lists of bookings ----------------------------------------------------------------------------


async def test_organiser_lists_every_booking_of_an_event(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    event = await factories.event(db, capacity=1)
    org = await factories.organisation(db)
    people = [await factories.member(db, org) for _ in range(3)]
    results = [await services.book(db, event_id=event.id, member_id=p.id, now=NOW) for p in people]
    await services.cancel(db, booking_id=results[1].booking.id, actor=people[1], now=NOW)

    response = await client.get(f"/api/v1/events/{event.id}/bookings", headers=world.organiser_auth)

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": result.booking.id,
            "member_email": person.email,
            "member_name": person.display_name,
            "organisation": org.name,
            "status": status,
            "waitlist_position": position,
            "created_at": utc(NOW),
            "booked_by_organiser": False,
            "offer_expires_at": None,
        }
        for result, person, status, position in zip(
            results, people, ["confirmed", "cancelled", "waitlisted"], [None, None, 1], strict=True
        )
    ]
    unknown = await client.get("/api/v1/events/999999/bookings", headers=world.organiser_auth)
    assert_german_error(unknown, 404, "not_found")
    one = await client.get(
        f"/api/v1/events/{world.event.id}/bookings", headers=world.organiser_auth
    )
    assert [b["member_email"] for b in one.json()] == [world.other.email]


async def test_members_see_their_own_bookings_only(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    full = await factories.event(db, capacity=0, starts_in=timedelta(days=5))
    url = f"/api/v1/events/{full.id}/bookings"
    waiting = (await client.post(url, headers=world.member_auth)).json()["id"]
    confirmed = await client.post(
        f"/api/v1/events/{world.event.id}/bookings", headers=world.member_auth
    )

    response = await client.get("/api/v1/me/bookings", headers=world.member_auth)

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": confirmed.json()["id"],
            "event_id": world.event.id,
            "event_title": world.event.title,
            "status": "confirmed",
            "waitlist_position": None,
            "starts_at": utc(NOW + timedelta(days=30)),
            "ends_at": utc(NOW + timedelta(days=30, hours=7)),
            "offer_expires_at": None,
        },
        {
            "id": waiting,
            "event_id": full.id,
            "event_title": full.title,
            "status": "waitlisted",
            "waitlist_position": 1,
            "starts_at": utc(NOW + timedelta(days=5)),
            "ends_at": utc(NOW + timedelta(days=5, hours=7)),
            "offer_expires_at": None,
        },
    ]
    assert world.other.email not in response.text


# -- the back office: on behalf, positions, the audit log ------------------------------------------


async def test_organiser_books_a_member_and_moves_them_up(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    event = await factories.event(db, capacity=1, seats_per_organisation=1)
    org = await factories.organisation(db)
    first, second, third = [await factories.member(db, org) for _ in range(3)]
    url = f"/api/v1/events/{event.id}/bookings"
    seat = await client.post(url, json={"member_email": first.email}, headers=world.organiser_auth)
    assert seat.status_code == 201 and seat.json()["status"] == "confirmed"
    waits = [
        (await client.post(url, json={"member_email": p.email}, headers=world.organiser_auth))
        for p in (second, third)
    ]
    assert [w.json()["waitlist_position"] for w in waits] == [1, 2]

    moved = await client.post(
        f"/api/v1/bookings/{waits[1].json()['id']}/position",
        json={"position": 1},
        headers=world.organiser_auth,
    )
    assert moved.status_code == 200
    assert moved.json() == {
        "id": waits[1].json()["id"],
        "status": "waitlisted",
        "waitlist_position": 1,
        "promoted": [],
    }
    audit = await client.get(f"/api/v1/events/{event.id}/audit", headers=world.organiser_auth)
    assert audit.status_code == 200
    assert [(e["action"], e["member_email"], e["actor_email"]) for e in audit.json()] == [
        ("waitlist_moved", third.email, world.organiser.email),
        ("booking_on_behalf", third.email, world.organiser.email),
        ("booking_on_behalf", second.email, world.organiser.email),
        ("booking_on_behalf", first.email, world.organiser.email),
    ]
    assert audit.json()[0]["before"] == {"position": 2}
    assert audit.json()[0]["action_label"] == "Auf der Warteliste verschoben"

    removed = await client.request(
        "DELETE",
        f"/api/v1/bookings/{seat.json()['id']}",
        json={"reason": "Auf Wunsch der Dienststelle"},
        headers=world.organiser_auth,
    )
    assert removed.status_code == 200
    latest = await client.get(
        f"/api/v1/events/{event.id}/audit?limit=1", headers=world.organiser_auth
    )
    assert latest.json()[0]["reason"] == "Auf Wunsch der Dienststelle"
    assert "next" in latest.headers["link"]


async def test_back_office_api_refuses_members_and_bad_input(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    url = f"/api/v1/events/{world.event.id}/bookings"
    before = await snapshot(db)
    as_member = await client.post(
        url, json={"member_email": world.other.email}, headers=world.member_auth
    )
    assert_german_error(as_member, 403)
    unknown = await client.post(
        url, json={"member_email": "niemand@nirgends.example"}, headers=world.organiser_auth
    )
    assert_german_error(unknown, 422, "validation_failed")
    no_reason = await client.post(
        url,
        json={"member_email": world.member.email, "override_limit": True},
        headers=world.organiser_auth,
    )
    assert_german_error(no_reason, 422, "validation_failed")
    stray = await client.post(url, json={"override_limit": True}, headers=world.member_auth)
    assert_german_error(stray, 422, "validation_failed")
    nul = await client.post(
        url,
        json={"member_email": world.member.email, "override_limit": True, "reason": "a\u0000b"},
        headers=world.organiser_auth,
    )
    assert_german_error(nul, 422)
    position = f"/api/v1/bookings/{world.others_booking_id}/position"
    assert_german_error(
        await client.post(position, json={"position": 1}, headers=world.member_auth), 403
    )
    assert_german_error(
        await client.post(position, json={"position": 1}, headers=world.organiser_auth), 409
    )
    assert_german_error(
        await client.post(position, json={"position": 0}, headers=world.organiser_auth), 422
    )
    assert_german_error(
        await client.post(position, json={"position": "1"}, headers=world.organiser_auth), 422
    )
    audit = f"/api/v1/events/{world.event.id}/audit"
    assert_german_error(await client.get(audit, headers=world.member_auth), 403)
    assert await snapshot(db) == before


# -- the organisation's release -----------------------------------------------------------------


async def test_requests_are_released_declined_and_handed_on_through_the_api(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    org = await factories.organisation(db)
    coordinator = await factories.member(db, org, role="coordinator")
    elsewhere = await factories.organisation(db)
    stranger_coordinator = await factories.member(db, elsewhere, role="coordinator")
    event = await factories.event(db, capacity=1, requires_release=True)
    people = [await factories.member(db, org) for _ in range(3)]
    auth = await token_of(db, coordinator)
    asked = [
        await client.post(f"/api/v1/events/{event.id}/bookings", headers=await token_of(db, p))
        for p in people
    ]
    assert [a.json()["status"] for a in asked] == ["requested"] * 3
    ids = [a.json()["id"] for a in asked]

    other = await token_of(db, stranger_coordinator)
    assert_german_error(await client.post(f"/api/v1/bookings/{ids[0]}/release", headers=other), 403)
    first = await client.post(f"/api/v1/bookings/{ids[0]}/release", headers=auth)
    assert first.json() == {"id": ids[0], "status": "confirmed", "waitlist_position": None}
    second = await client.post(f"/api/v1/bookings/{ids[1]}/release", headers=auth, json={})
    assert second.json() == {"id": ids[1], "status": "waitlisted", "waitlist_position": 1}
    assert_german_error(await client.post(f"/api/v1/bookings/{ids[1]}/release", headers=auth), 409)
    no_reason = await client.post(f"/api/v1/bookings/{ids[2]}/decline", headers=auth, json={})
    assert_german_error(no_reason, 422)
    declined = await client.post(
        f"/api/v1/bookings/{ids[2]}/decline", headers=auth, json={"reason": "Dienstplan"}
    )
    assert declined.json() == {"id": ids[2], "status": "cancelled", "waitlist_position": None}

    colleague = await factories.member(db, org)
    handed = await client.post(
        f"/api/v1/bookings/{ids[0]}/substitute", headers=auth, json={"email": colleague.email}
    )
    assert handed.status_code == 201
    assert handed.json()["replaces"] == ids[0] and handed.json()["status"] == "confirmed"
    assert_german_error(
        await client.post(
            f"/api/v1/bookings/{handed.json()['id']}/substitute",
            headers=auth,
            json={"email": world.member.email},
        ),
        422,
    )
    assert_german_error(
        await client.post(f"/api/v1/bookings/{ids[1]}/substitute", headers=auth, json={"email": 5}),
        422,
    )
    assert_german_error(
        await client.post(f"/api/v1/bookings/{ids[1]}/release", headers=world.member_auth),
        403,
    )
    detail = await client.get(f"/api/v1/events/{event.id}", headers=world.member_auth)
    assert detail.json()["requires_release"] is True
