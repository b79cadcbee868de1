"""The programme's JSON API: reading, creating and changing events. Time stands still at
factories.NOW."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import services
from booking.mail.models import OutboxMessage
from courses.models import Event
from tests import factories
from tests.api import (
    DETAIL_KEYS,
    MEETING_URL,
    SUMMARY_KEYS,
    World,
    assert_german_error,
    day,
    local,
    new_event,
    snapshot,
    statuses,
    token_of,
    utc,
)
from tests.factories import NOW
from venues.models import OnlineRoom, Room, Venue

pytestmark = pytest.mark.usefixtures("frozen_time")


async def test_list_shows_upcoming_published_events_with_seats_and_iso_times(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    org = await factories.organisation(db)
    full = await factories.event(db, capacity=1, starts_in=timedelta(days=10))
    later = await factories.event(db, capacity=20, kind="webinar", starts_in=timedelta(days=40))
    opens_later = await factories.event(db, booking_opens_at=NOW + timedelta(days=2))
    await factories.event(db, status="draft")
    await factories.event(db, starts_in=timedelta(days=-3))
    workshop = await factories.event(db, kind="workshop", parent_id=later.id)
    for _ in range(3):
        person = await factories.member(db, org)
        await services.book(db, event_id=full.id, member_id=person.id, now=NOW)

    response = await client.get("/api/v1/events")

    assert response.status_code == 200
    listed = response.json()
    assert [e["id"] for e in listed] == [full.id, opens_later.id, workshop.id, later.id]
    assert listed[2]["kind"] == "workshop"
    for item in listed:
        assert set(item) == SUMMARY_KEYS
    first = listed[0]
    assert first == {
        "id": full.id,
        "kind": "training",
        "status": "published",
        "title": full.title,
        "starts_at": utc(NOW + timedelta(days=10)),
        "ends_at": utc(NOW + timedelta(days=10, hours=7)),
        "capacity": 1,
        "seats_left": 0,
        "waitlist_length": 2,
        "booking_open": True,
        "url": f"http://testserver/veranstaltungen/{full.id}",
    }
    assert listed[1]["booking_open"] is False
    assert (listed[3]["kind"], listed[3]["seats_left"]) == ("webinar", 20)


async def test_detail_has_sessions_venue_workshops_and_deadlines(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    venue = Venue(
        name="Akademie", street="Am Berg 1", postcode="48143", city="Münster", region="Münster",
        step_free=True, hearing_loop=False, accessible_toilet=True,
        accessibility_notes="Aufzug am Seiteneingang",
    )  # fmt: skip
    conference = await factories.event(
        db,
        kind="conference",
        capacity=120,
        days=2,
        venue=venue,
        sectors=("gesundheit", "schule"),
        seats_per_organisation=3,
        registration_deadline=NOW + timedelta(days=20),
    )
    workshop = await factories.event(db, kind="workshop", capacity=15, parent_id=conference.id)
    await factories.event(db, kind="workshop", status="draft", parent_id=conference.id)

    response = await client.get(f"/api/v1/events/{conference.id}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == DETAIL_KEYS
    assert [(s["starts_at"], s["ends_at"]) for s in body["sessions"]] == [
        (utc(NOW + timedelta(days=30 + d)), utc(NOW + timedelta(days=30 + d, hours=7)))
        for d in range(2)
    ]
    assert body["sessions"][0]["starts_at"].endswith("+00:00")
    assert set(body["sessions"][0]) == {"id", "starts_at", "ends_at", "title", "teaching_units"}
    assert body["venue"] == {
        "name": "Akademie", "street": "Am Berg 1", "postal_code": "48143", "postcode": "48143",
        "city": "Münster", "region": "Münster", "step_free": True, "hearing_loop": False,
        "accessible_toilet": True, "accessibility_notes": "Aufzug am Seiteneingang",
    }  # fmt: skip
    assert body["parent"] is None
    assert body["workshops"] == [
        {
            "id": workshop.id,
            "title": workshop.title,
            "starts_at": utc(NOW + timedelta(days=30)),
            "ends_at": utc(NOW + timedelta(days=30, hours=7)),
            "capacity": 15,
            "seats_left": 15,
            "waitlist_length": 0,
            "booking_open": True,
        }
    ]
    assert body["target_sectors"] == ["gesundheit", "schule"]
    assert body["seats_per_organisation"] == 3
    assert body["booking_opens_at"] is None
    assert body["registration_deadline"] == utc(NOW + timedelta(days=20))
    assert body["cancellation_deadline"] == utc(NOW + timedelta(days=30))

    child = (await client.get(f"/api/v1/events/{workshop.id}")).json()
    assert child["parent"] == {"id": conference.id, "title": conference.title}
    assert child["venue"] is None


async def test_meeting_link_is_never_in_event_json(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    room = OnlineRoom(name="Videoraum 1", meeting_url=MEETING_URL, dial_in="+49 30 1234 5678")
    event = await factories.event(db, kind="online_qa", capacity=90, online_room=room)
    person = await factories.member(db)
    organiser = await factories.member(db, role="organiser")
    await services.book(db, event_id=event.id, member_id=person.id, now=NOW)

    answers = [
        await client.get("/api/v1/events"),
        await client.get(f"/api/v1/events/{event.id}"),
        await client.get(f"/api/v1/events/{event.id}", headers=await token_of(db, person)),
        await client.get(f"/api/v1/events/{event.id}", headers=await token_of(db, organiser)),
        await client.get("/api/v1/me/bookings", headers=await token_of(db, person)),
    ]
    for response in answers:
        assert response.status_code == 200
        assert "geheim-4711" not in response.text
        assert "konferenz.example" not in response.text
        assert "1234 5678" not in response.text


async def test_drafts_are_found_only_by_organisers(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    draft = await factories.event(db, status="draft")
    url = f"/api/v1/events/{draft.id}"
    assert_german_error(await client.get(url), 404, "not_found")
    assert_german_error(await client.get(url, headers=world.member_auth), 404, "not_found")
    response = await client.get(url, headers=world.organiser_auth)
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["booking_open"] is False


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/events/999999",
        "/api/v1/events/abc",
        "/api/v1/events/-1",
        "/api/v1/events/99999999999999999999999",
        "/api/v1/events/3.5",
        "/api/v1/gibt-es-nicht",
    ],
)
async def test_unknown_ids_and_paths_answer_json_404(
    client: httpx.AsyncClient, world: World, path: str
) -> None:
    assert_german_error(await client.get(path), 404, "not_found")
    assert_german_error(await client.get(path, headers=world.organiser_auth), 404, "not_found")


async def test_wrong_method_answers_json_405(client: httpx.AsyncClient, world: World) -> None:
    response = await client.put("/api/v1/events", json={}, headers=world.organiser_auth)
    assert_german_error(response, 405, "method_not_allowed")


# -- creating and changing events -----------------------------------------------------------------


async def test_organiser_creates_event(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    data = new_event(
        registration_deadline=local(day(45, 21)),
        cancellation_deadline=utc(day(55, 12)).replace("+00:00", "Z"),
        booking_opens_at=local(day(3, 8)),
        seats_per_organisation=2,
        target_sectors=["gesundheit"],
        summary="Zwei Tage Praxis.",
        description="Mit Rollenspielen.\nBitte bequeme Kleidung.",
        course_code="GES-1",
    )
    response = await client.post("/api/v1/events", json=data, headers=world.organiser_auth)

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == DETAIL_KEYS
    assert response.headers["location"] == f"/api/v1/events/{body['id']}"
    assert body["title"] == data["title"]
    assert (body["kind"], body["status"], body["capacity"]) == ("training", "published", 12)
    assert [(s["starts_at"], s["ends_at"]) for s in body["sessions"]] == [
        (utc(day(60, 7)), utc(day(60, 14))),
        (utc(day(61, 7)), utc(day(61, 14))),
    ]
    assert body["sessions"][0]["starts_at"].endswith("T07:00:00+00:00")
    assert body["registration_deadline"] == utc(day(45, 21))
    assert body["cancellation_deadline"] == utc(day(55, 12))
    assert body["booking_opens_at"] == utc(day(3, 8))
    assert body["booking_open"] is False
    assert (body["seats_per_organisation"], body["target_sectors"]) == (2, ["gesundheit"])
    assert body["description"] == "Mit Rollenspielen.\nBitte bequeme Kleidung."
    again = await client.get(response.headers["location"])
    assert (
        body["sign_in_sheet_url"] == f"http://testserver/kurse/{body['id']}/unterschriftenliste.pdf"
    )
    assert again.json() == {**body, "sign_in_sheet_url": None}  # for organisers and trainers

    workshop = await client.post(
        "/api/v1/events",
        json=new_event(kind="workshop", title="Workshop A", capacity=10, parent_id=body["id"]),
        headers=world.organiser_auth,
    )
    assert workshop.status_code == 201, workshop.text
    assert workshop.json()["parent"] == {"id": body["id"], "title": body["title"]}
    await db.commit()
    stored = await db.scalar(select(Event).where(Event.id == body["id"]))
    assert stored is not None and stored.course_code == "GES-1"


async def test_capacity_raise_promotes_exactly_the_first_waiting(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    event = await factories.event(db, capacity=1)
    people = [await factories.member(db) for _ in range(4)]
    ids = [
        (await services.book(db, event_id=event.id, member_id=p.id, now=NOW)).booking.id
        for p in people
    ]
    url = f"/api/v1/events/{event.id}"

    response = await client.patch(url, json={"capacity": 2}, headers=world.organiser_auth)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["promoted"] == [ids[1]]
    assert (body["capacity"], body["seats_left"], body["waitlist_length"]) == (2, 0, 2)
    assert set(body) == DETAIL_KEYS | {"promoted"}
    assert await statuses(db, event.id) == [
        (ids[0], "confirmed"),
        (ids[1], "confirmed"),
        (ids[2], "waiting"),
        (ids[3], "waiting"),
    ]
    promoted_mail = await db.scalars(
        select(OutboxMessage.recipient).where(OutboxMessage.template == "booking_promoted")
    )
    assert list(promoted_mail) == [people[1].email]

    lowered = await client.patch(url, json={"capacity": 0}, headers=world.organiser_auth)
    assert lowered.status_code == 200
    assert lowered.json()["promoted"] == []
    assert [s for _, s in await statuses(db, event.id)] == [
        "confirmed", "confirmed", "waiting", "waiting",
    ]  # fmt: skip


async def test_seats_per_organisation_set_and_lifted(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    url = f"/api/v1/events/{world.event.id}"
    response = await client.patch(
        url, json={"seats_per_organisation": 2}, headers=world.organiser_auth
    )
    assert response.status_code == 200, response.text
    assert (response.json()["seats_per_organisation"], response.json()["capacity"]) == (2, 5)
    await client.patch(url, json={"seats_per_organisation": 1}, headers=world.organiser_auth)
    # world.other holds the organisation's one seat: world.member waits despite free seats
    booked = await client.post(f"{url}/bookings", headers=world.member_auth)
    assert booked.json()["status"] == "waitlisted"
    response = await client.patch(
        url, json={"seats_per_organisation": None}, headers=world.organiser_auth
    )
    assert response.status_code == 200, response.text
    assert response.json()["promoted"] == [booked.json()["id"]]
    response = await client.patch(url, json={"capacity": 7}, headers=world.organiser_auth)
    assert response.status_code == 200, response.text
    assert (response.json()["seats_per_organisation"], response.json()["capacity"]) == (None, 7)


async def test_patch_moves_a_session_and_tells_the_participants(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    url = f"/api/v1/events/{world.event.id}"
    sitting = world.event.sessions[0]
    new_start = sitting.starts_at + timedelta(days=1, hours=1)
    new_end = sitting.ends_at + timedelta(days=1, hours=1)
    before = await snapshot(db)
    unknown = await client.patch(
        url,
        json={
            "sessions": [
                {"id": 999_999, "starts_at": new_start.isoformat(), "ends_at": new_end.isoformat()}
            ]
        },
        headers=world.organiser_auth,
    )
    assert_german_error(unknown, 422, "validation_failed")
    assert await snapshot(db) == before

    moved = await client.patch(
        url,
        json={
            "sessions": [
                {
                    "id": sitting.id,
                    "starts_at": new_start.isoformat(),
                    "ends_at": new_end.isoformat(),
                }
            ]
        },
        headers=world.organiser_auth,
    )
    assert moved.status_code == 200, moved.text
    assert [(x["starts_at"], x["ends_at"]) for x in moved.json()["sessions"]] == [
        (utc(new_start), utc(new_end))
    ]
    await db.commit()  # a fresh read: SQLite keeps a transaction's snapshot
    changed = await db.execute(
        select(OutboxMessage.recipient, OutboxMessage.context).where(
            OutboxMessage.template == "event_changed"
        )
    )
    assert [(r, c["method"], c["sequence"]) for r, c in changed] == [
        (world.other.email, "REQUEST", 1)
    ]
    member = await client.patch(url, json={"sessions": []}, headers=world.member_auth)
    assert member.status_code == 403


async def test_patch_unknown_event_is_404(client: httpx.AsyncClient, world: World) -> None:
    response = await client.patch(
        "/api/v1/events/999999", json={"capacity": 3}, headers=world.organiser_auth
    )
    assert_german_error(response, 404, "not_found")


async def test_detail_says_whether_the_caller_may_book(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    schools = await factories.event(db, sectors=("schule",))
    clerk = await factories.member(db)
    teacher = await factories.member(db, await factories.organisation(db, sector="schule"))
    path = f"/api/v1/events/{schools.id}"

    assert (await client.get(path)).json()["booking_open"] is True
    assert (await client.get(path, headers=await token_of(db, teacher))).json()["booking_open"]
    clerk_view = await client.get(path, headers=await token_of(db, clerk))
    assert clerk_view.json()["booking_open"] is False
    listed = (await client.get("/api/v1/events", headers=await token_of(db, clerk))).json()
    assert [e["booking_open"] for e in listed if e["id"] == schools.id] == [True]


async def test_workshops_of_a_draft_conference_are_hidden_with_their_parent(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    draft = await factories.event(db, kind="conference", status="draft", title="Geheimtagung")
    workshop = await factories.event(db, kind="workshop", parent_id=draft.id, title="Werkstatt")
    url = f"/api/v1/events/{workshop.id}"
    for headers in ({}, world.member_auth):
        assert_german_error(await client.get(url, headers=headers), 404, "not_found")
        listed = await client.get("/api/v1/events", headers=headers)
        assert listed.status_code == 200
        assert workshop.id not in [e["id"] for e in listed.json()]
        assert "Geheimtagung" not in listed.text
    shown = await client.get(url, headers=world.organiser_auth)
    assert shown.status_code == 200
    assert shown.json()["parent"] == {"id": draft.id, "title": "Geheimtagung"}
    draft.status = "published"
    await db.commit()
    listed = await client.get("/api/v1/events")
    assert workshop.id in [e["id"] for e in listed.json()]


async def test_events_take_their_place_and_details_and_get_published(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    auth = await token_of(db, organiser)
    first = Venue(
        name="Polizeipräsidium",
        city="Münster",
        region="Münster",
        rooms=[Room(name="Sporthalle", capacity=20)],
    )
    second = Venue(
        name="Rathaus", city="Bonn", region="Köln", rooms=[Room(name="Saal", capacity=9)]
    )
    online = OnlineRoom(name="Webex 1", meeting_url="https://webex.example/j/1")  # fmt: skip
    db.add_all([first, second, online])
    await db.commit()
    data = new_event(title="BIUS I", capacity=12) | {
        "venue_id": first.id, "room_id": first.rooms[0].id, "status": "draft",
    }  # fmt: skip
    created = await client.post("/api/v1/events", json=data, headers=auth)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["venue"]["name"] == "Polizeipräsidium" and body["status"] == "draft"
    url = f"/api/v1/events/{body['id']}"
    refused = {**data, "room_id": second.rooms[0].id}
    assert_german_error(await client.post("/api/v1/events", json=refused, headers=auth), 422)

    published = await client.patch(url, json={"status": "published"}, headers=auth)
    assert published.status_code == 200 and published.json()["status"] == "published"
    person = await factories.member(db)
    await services.book(db, event_id=body["id"], member_id=person.id, now=NOW)

    for wrong in (
        {"room_id": second.rooms[0].id},
        {"venue_id": 999_999},
        {"online_room_id": 999_999},
        {"title": "x"},
        {"title": None},
        {"status": "draft"},
        {"booking_opens_at": "2030-03-02T08:00:00+01:00",
         "registration_deadline": "2030-03-01T08:00:00+01:00"},
        {"target_sectors": ["gibt-es-nicht"]},
        {"summary": "mit \x00"},
    ):  # fmt: skip
        assert_german_error(await client.patch(url, json=wrong, headers=auth), 422)
    renamed = await client.patch(
        url, json={"title": "BIUS I: Grundlagen", "target_sectors": ["polizei"]}, headers=auth
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["title"], renamed.json()["target_sectors"]) == (
        "BIUS I: Grundlagen",
        ["polizei"],
    )
    moved = await client.patch(
        url, json={"venue_id": second.id, "room_id": second.rooms[0].id,
                   "online_room_id": online.id}, headers=auth,
    )  # fmt: skip
    assert moved.status_code == 200 and moved.json()["venue"]["name"] == "Rathaus"
    await db.commit()
    sent = list(
        await db.scalars(
            select(OutboxMessage.template)
            .where(OutboxMessage.recipient == person.email)
            .order_by(OutboxMessage.id)
        )
    )
    assert sent == ["booking_confirmed", "event_changed"]  # the title sent nothing
