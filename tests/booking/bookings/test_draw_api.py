"""Allocation by draw in the JSON API: events take ``allocation``; a booking before the
deadline answers ``201 {"status": "requested"}``; the protocol is for organisers; hostile
input gets a German 4xx and changes nothing."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import draw
from tests import factories
from tests.api import World, assert_german_error, local, new_event, snapshot, token_of
from tests.booking.bookings.test_draw import AFTER, DEADLINE, draw_event


async def test_events_take_the_allocation(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    auth = world.organiser_auth
    data = new_event(allocation="draw", registration_deadline=local(DEADLINE))
    created = await client.post("/api/v1/events", json=data, headers=auth)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["allocation"] == "draw"
    assert isinstance(body["draw_commitment"], str) and len(body["draw_commitment"]) == 64

    plain = await client.post("/api/v1/events", json=new_event(), headers=auth)
    assert (plain.json()["allocation"], plain.json()["draw_commitment"]) == ("first_come", None)
    changed = await client.patch(
        f"/api/v1/events/{plain.json()['id']}",
        json={"allocation": "draw", "registration_deadline": local(DEADLINE)},
        headers=auth,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["allocation"] == "draw"


async def test_hostile_allocation_input_is_refused_in_german(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    auth = world.organiser_auth
    before = await snapshot(db)
    for refused in (
        new_event(allocation="lottery"),
        new_event(allocation="draw\x00"),
        new_event(allocation=None),
        new_event(allocation=["draw"]),
        new_event(allocation="draw"),  # no registration deadline: no moment to draw
    ):
        answer = await client.post("/api/v1/events", json=refused, headers=auth)
        assert_german_error(answer, 422)
    no_deadline = await client.post(
        "/api/v1/events", json=new_event(allocation="draw"), headers=auth
    )
    assert "Anmeldeschluss" in no_deadline.json()["message"]
    # Once someone has booked, the allocation stays.
    patched = await client.patch(
        f"/api/v1/events/{world.event.id}",
        json={"allocation": "draw", "registration_deadline": local(DEADLINE)},
        headers=auth,
    )
    assert_german_error(patched, 422)
    assert patched.json()["fields"] == {"allocation": patched.json()["message"]}
    member = await client.post(
        "/api/v1/events", json=new_event(allocation="draw"), headers=world.member_auth
    )
    assert member.status_code == 403
    assert await snapshot(db) == before


async def test_a_booking_is_requested_and_the_protocol_follows_the_draw(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    event = await draw_event(db, capacity=1)
    people = [await factories.member(db) for _ in range(3)]
    ids = []
    for person in people:
        answer = await client.post(
            f"/api/v1/events/{event.id}/bookings", headers=await token_of(db, person)
        )
        assert answer.status_code == 201
        assert answer.json()["status"] == "requested"
        assert answer.json()["waitlist_position"] is None
        ids.append(answer.json()["id"])

    url = f"/api/v1/events/{event.id}/draw"
    assert_german_error(await client.get(url, headers=world.member_auth), 403)
    pending = await client.get(url, headers=world.organiser_auth)
    assert pending.status_code == 200
    body = pending.json()
    assert (body["status"], body["seed"], body["requests"], body["entries"]) == (
        "pending", None, 3, [],
    )  # fmt: skip
    assert body["commitment"] == draw.commitment(draw.seed_of(event.id, DEADLINE, "ab" * 32))
    plain = await client.get(f"/api/v1/events/{world.event.id}/draw", headers=world.organiser_auth)
    assert_german_error(plain, 409)
    assert_german_error(
        await client.get("/api/v1/events/999999/draw", headers=world.organiser_auth), 404
    )

    await draw.run_draw(db, event.id, AFTER)
    drawn = await client.get(url + "?limit=2", headers=world.organiser_auth)
    assert drawn.status_code == 200
    body = drawn.json()
    assert body["status"] == "drawn" and body["seed"] == draw.seed_of(event.id, DEADLINE, "ab" * 32)
    assert draw.commitment(body["seed"]) == pending.json()["commitment"]
    assert (body["algorithm"], body["seats"], body["requests"]) == ("sid-draw-1", 1, 3)
    assert [e["rank"] for e in body["entries"]] == [1, 2]
    assert drawn.headers["X-Total-Count"] == "3" and 'rel="next"' in drawn.headers["Link"]
    rest = await client.get(
        drawn.headers["Link"].split(">")[0].removeprefix("<").replace("http://testserver", ""),
        headers=world.organiser_auth,
    )
    assert [e["rank"] for e in rest.json()["entries"]] == [3]
    entries = body["entries"] + rest.json()["entries"]
    assert sorted(e["booking_id"] for e in entries) == sorted(ids)
    assert [e["decision"] for e in entries].count("seat") == 1
    assert_german_error(await client.get(url + "?cursor=kaputt", headers=world.organiser_auth), 422)
    assert_german_error(await client.get(url + "?limit=0", headers=world.organiser_auth), 422)
