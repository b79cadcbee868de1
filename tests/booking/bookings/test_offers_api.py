"""Offers in the JSON API: an event's ``offer_working_days`` (POST and PATCH), the offered
status with its deadline in the lists, and accepting or declining by token."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import services
from booking.bookings.models import Booking
from booking.bookings.workdays import offer_deadline
from tests import factories
from tests.api import World, assert_german_error, new_event, utc
from tests.factories import NOW

pytestmark = pytest.mark.usefixtures("frozen_time")


async def test_events_take_offer_working_days(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    auth = world.organiser_auth
    created = await client.post(
        "/api/v1/events", json=new_event(offer_working_days=3), headers=auth
    )
    assert created.status_code == 201, created.text
    assert created.json()["offer_working_days"] == 3
    url = created.headers["location"]
    assert (await client.get(url, headers=auth)).json()["offer_working_days"] == 3

    plain = await client.post("/api/v1/events", json=new_event(), headers=auth)
    assert plain.json()["offer_working_days"] is None

    changed = await client.patch(url, json={"offer_working_days": 5}, headers=auth)
    assert changed.status_code == 200 and changed.json()["offer_working_days"] == 5
    lifted = await client.patch(url, json={"offer_working_days": None}, headers=auth)
    assert lifted.status_code == 200 and lifted.json()["offer_working_days"] is None

    for wrong in (0, 11, -1, "drei", 2.5, True):
        refused = await client.post(
            "/api/v1/events", json=new_event(offer_working_days=wrong), headers=auth
        )
        assert_german_error(refused, 422)
        assert_german_error(
            await client.patch(url, json={"offer_working_days": wrong}, headers=auth), 422
        )
    assert (await client.get(url, headers=auth)).json()["offer_working_days"] is None
    member = await client.patch(url, json={"offer_working_days": 2}, headers=world.member_auth)
    assert member.status_code == 403


async def test_an_offer_is_listed_with_its_deadline_and_answered(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    event = await factories.event(db, capacity=1, offer_working_days=2)
    holder = await factories.member(db)
    held = await services.book(db, event_id=event.id, member_id=holder.id, now=NOW)
    url = f"/api/v1/events/{event.id}/bookings"
    mine = (await client.post(url, headers=world.member_auth)).json()
    other = (await client.post(url, headers=world.other_auth)).json()
    assert (mine["status"], other["status"]) == ("waitlisted", "waitlisted")

    removed = await client.delete(
        f"/api/v1/bookings/{held.booking.id}", headers=world.organiser_auth
    )
    assert removed.json()["promoted"] == [mine["id"]]

    deadline = utc(offer_deadline(NOW, 2))
    listed = (await client.get("/api/v1/me/bookings", headers=world.member_auth)).json()
    [entry] = [b for b in listed if b["id"] == mine["id"]]
    assert (entry["status"], entry["offer_expires_at"]) == ("offered", deadline)
    rows = (await client.get(url, headers=world.organiser_auth)).json()
    assert [(r["status"], r["offer_expires_at"]) for r in rows] == [
        ("cancelled", None),
        ("offered", deadline),
        ("waitlisted", None),
    ]

    answer = f"/api/v1/bookings/{mine['id']}/offer"
    assert_german_error(await client.post(f"{answer}/accept", headers=world.other_auth), 403)
    accepted = await client.post(f"{answer}/accept", headers=world.member_auth)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"id": mine["id"], "status": "confirmed"}
    assert_german_error(
        await client.post(f"{answer}/accept", headers=world.member_auth), 409, "invalid_state"
    )
    assert_german_error(
        await client.post(f"{answer}/decline", headers=world.member_auth), 409, "invalid_state"
    )
    assert_german_error(
        await client.post("/api/v1/bookings/999999/offer/accept", headers=world.member_auth), 404
    )


async def test_declining_by_api_passes_the_offer_on_without_naming_who_gets_it(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    event = await factories.event(db, capacity=1, offer_working_days=1)
    holder = await factories.member(db)
    held = await services.book(db, event_id=event.id, member_id=holder.id, now=NOW)
    url = f"/api/v1/events/{event.id}/bookings"
    mine = (await client.post(url, headers=world.member_auth)).json()
    other = (await client.post(url, headers=world.other_auth)).json()
    await services.cancel(db, booking_id=held.booking.id, actor=holder, now=NOW)

    declined = await client.post(
        f"/api/v1/bookings/{mine['id']}/offer/decline", headers=world.member_auth
    )

    assert declined.status_code == 200, declined.text
    # The next one's booking is theirs: the member's answer does not name it.
    assert declined.json() == {"id": mine["id"], "status": "cancelled"}
    await db.commit()
    passed_on = await db.scalar(
        select(Booking.status)
        .where(Booking.id == other["id"])
        .execution_options(populate_existing=True)
    )
    assert passed_on == "offered"
    document = (await client.get("/api/v1/openapi.json")).json()
    assert "/bookings/{id}/offer/accept" in document["paths"]
    assert (
        "offered" in document["components"]["schemas"]["MyBooking"]["properties"]["status"]["enum"]
    )
