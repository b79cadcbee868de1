"""GET /api/v1/me/export, DELETE /api/v1/me, DELETE /api/v1/members/{id}: who may, and what
hostile input gets."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings.models import Booking
from booking.members.models import Member
from booking.privacy.models import AuditEntry
from tests.api import World, assert_german_error, snapshot


async def test_export_is_the_callers_own(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/api/v1/me/export", headers=world.other_auth)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["profile"]["email"] == world.other.email
    assert [b["id"] for b in data["bookings"]] == [world.others_booking_id]
    assert data["api_tokens"] and "token_hash" not in data["api_tokens"][0]
    assert (await client.get("/api/v1/me/export")).status_code == 401


async def test_a_member_erases_themselves(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    response = await client.delete("/api/v1/me", headers=world.other_auth)
    assert response.status_code == 200, response.text
    assert response.json()["cancelled"] == [world.others_booking_id]
    db.expunge_all()
    await db.commit()
    assert await db.get(Member, world.other.id) is None
    booking = await db.get(Booking, world.others_booking_id)
    assert booking is not None and booking.status == "cancelled"
    # The token went with the member.
    assert (await client.get("/api/v1/me/export", headers=world.other_auth)).status_code == 401


async def test_a_member_cannot_erase_another(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    before = await snapshot(db)
    response = await client.request(
        "DELETE", f"/api/v1/members/{world.other.id}", headers=world.member_auth,
        json={"reason": "weg"},
    )  # fmt: skip
    assert_german_error(response, 403)
    assert await snapshot(db) == before


async def test_organiser_erasure_is_audited(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    url = f"/api/v1/members/{world.other.id}"
    before = await snapshot(db)
    for body in ({}, {"reason": ""}, {"reason": "a\x00b"}, {"reason": 5}, {"why": "x"}):
        response = await client.request("DELETE", url, headers=world.organiser_auth, json=body)
        assert_german_error(response, 422)
    assert await snapshot(db) == before
    missing = await client.request(
        "DELETE", "/api/v1/members/999999", headers=world.organiser_auth, json={"reason": "x"}
    )
    assert_german_error(missing, 404)

    response = await client.request(
        "DELETE", url, headers=world.organiser_auth, json={"reason": "Antrag per Brief"}
    )
    assert response.status_code == 200, response.text
    db.expunge_all()
    await db.commit()
    entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == "member_erased"))
    assert entry is not None and entry.actor_id == world.organiser.id
    assert entry.reason == "Antrag per Brief"
