"""/api/v1/venues and /api/v1/online-rooms through the ASGI client, on both databases."""

from __future__ import annotations

from typing import Any, get_args

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.routing import MAX_ID
from tests import factories
from tests.api import MEETING_URL, assert_german_error, token_of
from venues import schemas
from venues.models import REGIONS, OnlineRoom, Room, Venue

NEW: dict[str, Any] = {
    "name": "Fortbildungsakademie Mont-Cenis",
    "street": "Mont-Cenis-Platz 1",
    "postal_code": "44627",
    "city": "Herne",
    "region": "Arnsberg",
    "step_free": True,
    "hearing_loop": True,
    "accessibility_notes": "Ebenerdiger Eingang, Aufzüge. Induktionsschleife im Forum.",
}


async def auth(db: AsyncSession, role: str) -> dict[str, str]:
    person = await factories.member(db, role=role)
    return await token_of(db, person)


async def everything(db: AsyncSession) -> list[tuple[Any, ...]]:
    """Every row of the venues' tables: compared before and after refused requests."""
    await db.commit()  # a fresh read: SQLite keeps a transaction's snapshot
    rows: list[tuple[Any, ...]] = []
    for model in (Venue, Room, OnlineRoom):
        rows += [tuple(r) for r in await db.execute(select(model.__table__).order_by(model.id))]
    return rows


def test_regions_match_the_model() -> None:
    assert get_args(schemas.Region) == REGIONS


async def test_create_read_list_and_change_a_venue(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    headers = await auth(db, "organiser")
    rooms = [{"name": "Forum", "capacity": 150}, {"name": "Raum 1", "capacity": 32}]
    created = await client.post("/api/v1/venues", json={**NEW, "rooms": rooms}, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/api/v1/venues/{body['id']}"
    assert body == {
        **NEW,
        "id": body["id"],
        "accessible_toilet": False,
        "rooms": [
            {"id": body["rooms"][0]["id"], "name": "Forum", "capacity": 150},
            {"id": body["rooms"][1]["id"], "name": "Raum 1", "capacity": 32},
        ],
    }
    assert (await client.get(f"/api/v1/venues/{body['id']}", headers=headers)).json() == body

    changed = await client.patch(
        f"/api/v1/venues/{body['id']}",
        json={"accessible_toilet": True, "postal_code": "44628"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["accessible_toilet"], changed.json()["postal_code"]) == (True, "44628")
    assert changed.json()["name"] == NEW["name"]

    room = await client.post(
        f"/api/v1/venues/{body['id']}/rooms",
        json={"name": "Raum 2", "capacity": 30},
        headers=headers,
    )
    assert room.status_code == 201, room.text
    room_id = room.json()["id"]
    assert room.headers["location"] == f"/api/v1/venues/{body['id']}/rooms/{room_id}"
    renamed = await client.patch(
        f"/api/v1/venues/{body['id']}/rooms/{room_id}", json={"capacity": 28}, headers=headers
    )
    assert renamed.json() == {"id": room_id, "name": "Raum 2", "capacity": 28}

    for n in range(3):
        await client.post(
            "/api/v1/venues",
            json={**NEW, "name": f"Rathaus {n}", "region": "Köln"},
            headers=headers,
        )
    page = await client.get("/api/v1/venues", params={"limit": "2"}, headers=headers)
    assert page.status_code == 200
    first = page.json()
    assert [v["name"] for v in first["items"]] == ["Fortbildungsakademie Mont-Cenis", "Rathaus 0"]
    following = "http://testserver/api/v1/venues?limit=2&after=" + first["next_cursor"]
    assert page.headers["link"] == f'<{following}>; rel="next"'
    second = (await client.get(following, headers=headers)).json()
    assert [v["name"] for v in second["items"]] == ["Rathaus 1", "Rathaus 2"]
    assert second["next_cursor"] is None
    found = await client.get(
        "/api/v1/venues", params={"search": "rathaus 1", "region": "Köln"}, headers=headers
    )
    assert [v["name"] for v in found.json()["items"]] == ["Rathaus 1"]
    assert "link" not in found.headers


async def test_online_rooms_and_their_confidential_link(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    headers = await auth(db, "organiser")
    created = await client.post(
        "/api/v1/online-rooms",
        json={"name": "Netzwerkraum", "meeting_url": MEETING_URL},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    room = created.json()
    assert room == {
        "id": room["id"],
        "name": "Netzwerkraum",
        "meeting_url": MEETING_URL,
        "dial_in": "",
    }
    assert created.headers["location"] == f"/api/v1/online-rooms/{room['id']}"
    changed = await client.patch(
        f"/api/v1/online-rooms/{room['id']}", json={"dial_in": "+49 251 123456"}, headers=headers
    )
    assert changed.json()["dial_in"] == "+49 251 123456"
    assert (await client.get(f"/api/v1/online-rooms/{room['id']}", headers=headers)).json() == {
        **room,
        "dial_in": "+49 251 123456",
    }
    listed = (await client.get("/api/v1/online-rooms", headers=headers)).json()
    assert [r["name"] for r in listed["items"]] == ["Netzwerkraum"]

    event = await factories.event(db, kind="webinar", online_room_id=room["id"])
    member = await auth(db, "member")
    for who in ({}, member):
        detail = await client.get(f"/api/v1/events/{event.id}", headers=who)
        assert detail.status_code == 200
        assert MEETING_URL not in detail.text and "meeting" not in detail.text
        assert_german_error(
            await client.get("/api/v1/online-rooms", headers=who), 401 if not who else 403
        )


async def test_an_event_detail_shows_its_venue_with_postal_code(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    headers = await auth(db, "organiser")
    venue = (await client.post("/api/v1/venues", json=NEW, headers=headers)).json()
    event = await factories.event(db, venue_id=venue["id"])
    shown = (await client.get(f"/api/v1/events/{event.id}")).json()["venue"]
    assert shown["postal_code"] == shown["postcode"] == "44627"
    assert (shown["step_free"], shown["hearing_loop"], shown["accessible_toilet"]) == (
        True,
        True,
        False,
    )


ENDPOINTS = [
    ("GET", "/api/v1/venues"),
    ("POST", "/api/v1/venues"),
    ("GET", "/api/v1/venues/{venue}"),
    ("PATCH", "/api/v1/venues/{venue}"),
    ("POST", "/api/v1/venues/{venue}/rooms"),
    ("PATCH", "/api/v1/venues/{venue}/rooms/{room}"),
    ("GET", "/api/v1/online-rooms"),
    ("POST", "/api/v1/online-rooms"),
    ("GET", "/api/v1/online-rooms/{online}"),
    ("PATCH", "/api/v1/online-rooms/{online}"),
]


async def test_only_organisers_get_in(client: httpx.AsyncClient, db: AsyncSession) -> None:
    organiser = await auth(db, "organiser")
    venue = (
        await client.post(
            "/api/v1/venues",
            json={**NEW, "rooms": [{"name": "A", "capacity": 5}]},
            headers=organiser,
        )
    ).json()
    online = (
        await client.post(
            "/api/v1/online-rooms",
            json={"name": "R", "meeting_url": MEETING_URL},
            headers=organiser,
        )
    ).json()
    ids = {"venue": venue["id"], "room": venue["rooms"][0]["id"], "online": online["id"]}
    before = await everything(db)
    member, trainer = await auth(db, "member"), await auth(db, "trainer")
    for method, template in ENDPOINTS:
        url = template.format(**ids)
        body = {**NEW, "name": "Neu", "meeting_url": MEETING_URL, "capacity": 3}
        for headers in (member, trainer):
            answer = await client.request(method, url, json=body, headers=headers)
            body_ = assert_german_error(answer, 403, "forbidden")
            assert MEETING_URL not in str(body_)
        assert_german_error(await client.request(method, url, json=body), 401)
    assert await everything(db) == before


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"name": "A\u0000B"}, {"name"}),
        ({"name": "   "}, {"name"}),
        ({"name": "x" * 201}, {"name"}),
        ({"street": "Weg\n1"}, {"street"}),
        ({"street": ""}, {"street"}),
        ({"postal_code": "4462"}, {"postal_code"}),
        ({"postal_code": "44a27"}, {"postal_code"}),
        ({"postal_code": "٤٤٦٢٧"}, {"postal_code"}),
        ({"postal_code": 44627}, {"postal_code"}),
        ({"city": ""}, {"city"}),
        ({"region": "Berlin"}, {"region"}),
        ({"region": "köln"}, {"region"}),
        ({"step_free": "ja"}, {"step_free"}),
        ({"hearing_loop": 1}, {"hearing_loop"}),
        ({"accessibility_notes": "Hinweis\u0000"}, {"accessibility_notes"}),
        ({"accessibility_notes": "x" * 2001}, {"accessibility_notes"}),
        (
            {"step_free": False, "accessible_toilet": True},
            {"accessible_toilet", "accessibility_notes"},
        ),
        ({"hearing_loop": False}, {"accessibility_notes"}),
        ({"rooms": [{"name": "A", "capacity": 0}]}, {"rooms.0.capacity"}),
        ({"rooms": [{"name": "A", "capacity": 5}, {"name": "a", "capacity": 6}]}, {"rooms.1.name"}),
        ({"rooms": [{"name": "A"}]}, {"rooms.0.capacity"}),
        ({"extra": 1}, {"extra"}),
        ({"step_free": None}, {"step_free"}),
    ],
)
async def test_hostile_venues_are_refused_in_german(
    client: httpx.AsyncClient, db: AsyncSession, changes: dict[str, Any], fields: set[str]
) -> None:
    organiser = await auth(db, "organiser")
    existing = await client.post("/api/v1/venues", json=NEW, headers=organiser)
    before = await everything(db)
    answer = assert_german_error(
        await client.post(
            "/api/v1/venues", json={**NEW, "name": "Anderer Ort", **changes}, headers=organiser
        ),
        422,
    )
    assert set(answer["fields"]) == fields, answer
    if "rooms" not in changes:
        patched = assert_german_error(
            await client.patch(
                f"/api/v1/venues/{existing.json()['id']}", json=changes, headers=organiser
            ),
            422,
        )
        assert set(patched["fields"]) == fields, patched
    assert await everything(db) == before


async def test_hostile_requests_change_nothing(client: httpx.AsyncClient, db: AsyncSession) -> None:
    organiser = await auth(db, "organiser")
    venue = (await client.post("/api/v1/venues", json=NEW, headers=organiser)).json()
    other = (
        await client.post(
            "/api/v1/venues",
            json={**NEW, "city": "Bochum", "rooms": [{"name": "Saal", "capacity": 9}]},
            headers=organiser,
        )
    ).json()
    online = (
        await client.post(
            "/api/v1/online-rooms",
            json={"name": "R", "meeting_url": MEETING_URL},
            headers=organiser,
        )
    ).json()
    before = await everything(db)
    taken = assert_german_error(
        await client.post(
            "/api/v1/venues", json={**NEW, "name": NEW["name"].upper()}, headers=organiser
        ),
        422,
    )
    assert "in Herne gibt es bereits" in taken["fields"]["name"]
    for method, url, body, status in (
        ("PATCH", f"/api/v1/venues/{venue['id']}", {}, 422),
        ("PATCH", f"/api/v1/venues/{venue['id']}", {"city": "Bochum"}, 422),
        ("PATCH", f"/api/v1/venues/{venue['id']}", {"rooms": []}, 422),
        ("GET", "/api/v1/venues/999999", None, 404),
        ("PATCH", "/api/v1/venues/999999", {"name": "X"}, 404),
        ("GET", f"/api/v1/venues/{MAX_ID + 1}", None, 404),
        ("POST", f"/api/v1/venues/{venue['id']}/rooms", {"name": "X", "capacity": 10_001}, 422),
        ("POST", f"/api/v1/venues/{venue['id']}/rooms", {"name": "X", "capacity": "5"}, 422),
        ("POST", "/api/v1/venues/999999/rooms", {"name": "X", "capacity": 5}, 404),
        # another venue's room is not found through this one
        (
            "PATCH",
            f"/api/v1/venues/{venue['id']}/rooms/{other['rooms'][0]['id']}",
            {"capacity": 5},
            404,
        ),
        ("PATCH", f"/api/v1/venues/{other['id']}/rooms/{other['rooms'][0]['id']}", {}, 422),
        (
            "PATCH",
            f"/api/v1/venues/{other['id']}/rooms/{other['rooms'][0]['id']}",
            {"name": None},
            422,
        ),
        ("POST", "/api/v1/online-rooms", {"name": "r", "meeting_url": MEETING_URL}, 422),
        (
            "POST",
            "/api/v1/online-rooms",
            {"name": "S", "meeting_url": "http://meet.example/x"},
            422,
        ),
        ("POST", "/api/v1/online-rooms", {"name": "S", "meeting_url": "javascript:alert(1)"}, 422),
        (
            "POST",
            "/api/v1/online-rooms",
            {"name": "S", "meeting_url": MEETING_URL, "dial_in": "\u0000"},
            422,
        ),
        ("PATCH", f"/api/v1/online-rooms/{online['id']}", {"meeting_url": "https://"}, 422),
        ("PATCH", "/api/v1/online-rooms/999999", {"name": "X"}, 404),
        ("GET", "/api/v1/online-rooms/999999", None, 404),
    ):
        answer = await client.request(method, url, json=body, headers=organiser)
        assert_german_error(answer, status)
        assert MEETING_URL not in answer.text
    for path in ("/api/v1/venues", "/api/v1/online-rooms"):
        assert_german_error(
            await client.post(
                path, content=b"{kaputt", headers={**organiser, "content-type": "application/json"}
            ),
            422,
        )
        assert_german_error(await client.post(path, content=b"{}", headers=organiser), 415)
        for params in ({"limit": "0"}, {"limit": "abc"}, {"after": "kaputt"}, {"search": "a\x00"}):
            assert_german_error(await client.get(path, params=params, headers=organiser), 422)
    assert_german_error(
        await client.get("/api/v1/venues", params={"region": "Berlin"}, headers=organiser), 422
    )
    assert await everything(db) == before


async def test_the_openapi_document_names_the_lists_parameters(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    assert {p["name"] for p in document["paths"]["/venues"]["get"]["parameters"]} == {
        "search", "region", "limit", "after", "cursor",
    }  # fmt: skip
    venue_in = document["components"]["schemas"]["VenueIn"]
    assert set(venue_in["required"]) == {
        "name", "street", "postal_code", "city", "region", "step_free", "hearing_loop",
    }  # fmt: skip
    assert "meeting_url" not in document["components"]["schemas"]["EventDetail"]["properties"]
