"""The JSON API as a whole (/api/v1): tokens, hostile input, the OpenAPI document. Time
stands still at factories.NOW."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, get_args

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from booking import api
from booking.core import api as core_api
from booking.core.routing import MAX_ID
from booking.organisations.messages import SECTORS
from courses import schemas as course_schemas
from courses.models import ALLOCATIONS, KINDS
from tests.api import (
    World,
    assert_german_error,
    bearer,
    new_event,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("frozen_time")


# -- who may call what ----------------------------------------------------------------------------

PROTECTED = [
    ("POST", "/api/v1/events", "organiser"),
    ("PATCH", "/api/v1/events/{event}", "organiser"),
    ("GET", "/api/v1/events/{event}/bookings", "organiser"),
    ("POST", "/api/v1/events/{event}/bookings", "member"),
    ("DELETE", "/api/v1/bookings/{booking}", "member"),
    ("GET", "/api/v1/me/bookings", "member"),
]


def protected_url(template: str, world: World) -> str:
    return template.format(event=world.event.id, booking=world.others_booking_id)


@pytest.mark.parametrize(("method", "template", "access"), PROTECTED)
@pytest.mark.parametrize(
    ("header", "invalid"),
    [
        (None, False),
        ("Bearer sid_erfunden", True),
        ("Bearer ", True),
        ("Bearer", True),
        ("Basic dXNlcjpwYXNz", True),
        ("sid_ohne_schema", True),
    ],
)
async def test_protected_endpoints_need_a_valid_token(
    client: httpx.AsyncClient,
    world: World,
    db: AsyncSession,
    method: str,
    template: str,
    access: str,
    header: str | None,
    invalid: bool,
) -> None:
    before = await snapshot(db)
    headers = {"Authorization": header} if header is not None else {}
    response = await client.request(
        method, protected_url(template, world), json={"capacity": 1}, headers=headers
    )
    assert_german_error(response, 401, "not_authenticated")
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer")
    assert ("invalid_token" in challenge) is invalid
    assert await snapshot(db) == before


@pytest.mark.parametrize(
    ("method", "template"), [(m, t) for m, t, access in PROTECTED if access == "organiser"]
)
async def test_organiser_endpoints_refuse_members(
    client: httpx.AsyncClient, world: World, db: AsyncSession, method: str, template: str
) -> None:
    before = await snapshot(db)
    for body in (new_event(), {"capacity": 1}, b"{kaputt"):
        kwargs: dict[str, Any] = {"content": body} if isinstance(body, bytes) else {"json": body}
        response = await client.request(
            method, protected_url(template, world), headers=world.member_auth, **kwargs
        )
        assert_german_error(response, 403, "forbidden")
    assert await snapshot(db) == before


async def test_public_endpoints_refuse_a_bad_token(client: httpx.AsyncClient, world: World) -> None:
    for path in ("/api/v1/events", f"/api/v1/events/{world.event.id}"):
        assert (await client.get(path)).status_code == 200
        response = await client.get(path, headers=bearer("sid_falsch"))
        assert_german_error(response, 401, "not_authenticated")


# -- hostile input --------------------------------------------------------------------------------

JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Hostile:
    method: str
    path: str
    body: Any = None
    """Sent as JSON; bytes are sent as they are with ``headers``."""
    headers: dict[str, str] | None = None
    who: str = "organiser"
    status: int = 422
    field: str | None = None


HOSTILE = {
    "create: empty body": Hostile("POST", "/events", b"", JSON, field="body"),
    "create: empty body, no type": Hostile("POST", "/events", b"", {}, status=415),
    "create: list": Hostile("POST", "/events", [], field="body"),
    "create: string": Hostile("POST", "/events", "x", field="body"),
    "create: null": Hostile("POST", "/events", None, field="body"),
    "create: malformed JSON": Hostile("POST", "/events", b'{"title": "A", ', JSON, field="body"),
    "create: not UTF-8": Hostile("POST", "/events", b'{"title": "\xff"}', JSON, field="body"),
    "create: text/plain": Hostile(
        "POST", "/events", json.dumps(new_event()).encode(), {"Content-Type": "text/plain"},
        status=415,
    ),
    "create: form": Hostile(
        "POST", "/events", b"title=A&kind=training",
        {"Content-Type": "application/x-www-form-urlencoded"}, status=415,
    ),
    "create: missing fields": Hostile("POST", "/events", {"title": "Nur ein Titel"}, field="kind"),
    "create: 300-char title": Hostile("POST", "/events", new_event(title="x" * 300), field="title"),
    "create: blank title": Hostile("POST", "/events", new_event(title="   "), field="title"),
    "create: NUL in title": Hostile("POST", "/events", new_event(title="A\u0000B"), field="title"),
    "create: unknown field": Hostile("POST", "/events", new_event(admin=True), field="admin"),
    "create: unknown kind": Hostile("POST", "/events", new_event(kind="party"), field="kind"),
    "create: capacity string": Hostile(
        "POST", "/events", new_event(capacity="10"), field="capacity"
    ),
    "create: capacity bool": Hostile("POST", "/events", new_event(capacity=True), field="capacity"),
    "create: capacity float": Hostile(
        "POST", "/events", new_event(capacity=10.0), field="capacity"
    ),
    "create: capacity huge": Hostile(
        "POST", "/events", new_event(capacity=10**20), field="capacity"
    ),
    "create: naive start": Hostile(
        "POST", "/events",
        new_event(sessions=[{"starts_at": "2027-05-04T09:00:00",
                             "ends_at": "2027-05-04T16:00:00Z"}]),
        field="sessions.0.starts_at",
    ),
    "create: naive deadline": Hostile(
        "POST", "/events", new_event(registration_deadline="2027-05-01T12:00:00"),
        field="registration_deadline",
    ),
    "create: not a date": Hostile(
        "POST", "/events", new_event(sessions=[{"starts_at": "morgen", "ends_at": "übermorgen"}]),
        field="sessions.0.starts_at",
    ),
    "create: year 9999": Hostile(
        "POST", "/events",
        new_event(sessions=[{"starts_at": "9999-12-31T22:00:00-05:00",
                             "ends_at": "9999-12-31T23:00:00-05:00"}]),
        field="sessions.0.starts_at",
    ),
    "create: ends before starts": Hostile(
        "POST", "/events",
        new_event(sessions=[{"starts_at": "2027-05-04T16:00:00+02:00",
                             "ends_at": "2027-05-04T09:00:00+02:00"}]),
        field="sessions",
    ),
    "create: no sessions": Hostile("POST", "/events", new_event(sessions=[]), field="sessions"),
    "create: unknown sector": Hostile(
        "POST", "/events", new_event(target_sectors=["militaer"]), field="target_sectors.0"
    ),
    "create: seats per org 0": Hostile(
        "POST", "/events", new_event(seats_per_organisation=0), field="seats_per_organisation"
    ),
    "create: unknown parent": Hostile(
        "POST", "/events", new_event(kind="workshop", parent_id=999999), field="parent_id"
    ),
    "create: huge parent": Hostile(
        "POST", "/events", new_event(kind="workshop", parent_id=10**12), field="parent_id"
    ),
    "create: summary too long": Hostile(
        "POST", "/events", new_event(summary="x" * 501), field="summary"
    ),
    "create: member": Hostile("POST", "/events", new_event(), who="member", status=403),
    "patch: empty object": Hostile("PATCH", "/events/{event}", {}, field="body"),
    "patch: empty body": Hostile("PATCH", "/events/{event}", b"", JSON, field="body"),
    "patch: list": Hostile("PATCH", "/events/{event}", [], field="body"),
    "patch: string": Hostile("PATCH", "/events/{event}", "x", field="body"),
    "patch: capacity string": Hostile("PATCH", "/events/{event}", {"capacity": "10"},
                                      field="capacity"),
    "patch: capacity bool": Hostile("PATCH", "/events/{event}", {"capacity": True},
                                    field="capacity"),
    "patch: capacity negative": Hostile("PATCH", "/events/{event}", {"capacity": -1},
                                        field="capacity"),
    "patch: capacity 10**20": Hostile("PATCH", "/events/{event}", {"capacity": 10**20},
                                      field="capacity"),
    "patch: capacity 1e400": Hostile("PATCH", "/events/{event}", b'{"capacity": 1e400}', JSON,
                                     field="capacity"),
    "patch: capacity null": Hostile("PATCH", "/events/{event}", {"capacity": None},
                                    field="capacity"),
    "patch: unknown field": Hostile("PATCH", "/events/{event}", {"capacity": 5, "status": "x"},
                                    field="status"),
    "patch: malformed": Hostile("PATCH", "/events/{event}", b"{capacity: 5}", JSON, field="body"),
    "patch: huge id": Hostile("PATCH", "/events/99999999999999", {"capacity": 5}, status=404),
    "book: list body": Hostile("POST", "/events/{event}/bookings", [], who="member",
                               field="body"),
    "book: unknown field": Hostile("POST", "/events/{event}/bookings", {"seats": 3},
                                   who="member", field="seats"),
    "book: malformed": Hostile("POST", "/events/{event}/bookings", b"{", JSON, who="member",
                               field="body"),
    "book: unknown event": Hostile("POST", "/events/999999/bookings", who="member", status=404),
    "cancel: another member's": Hostile("DELETE", "/bookings/{booking}", who="member",
                                        status=403),
    "cancel: 999999": Hostile("DELETE", "/bookings/999999", who="member", status=404),
    "cancel: huge id": Hostile("DELETE", "/bookings/100000000000000000000", who="member",
                               status=404),
    "cancel: not a number": Hostile("DELETE", "/bookings/abc", who="member", status=404),
    "no token": Hostile("POST", "/events/{event}/bookings", who="nobody", status=401),
    "garbage token": Hostile("POST", "/events/{event}/bookings", who="garbage", status=401),
    "empty token": Hostile("POST", "/events/{event}/bookings", who="empty", status=401),
}  # fmt: skip


@pytest.mark.parametrize("case", list(HOSTILE.values()), ids=list(HOSTILE))
async def test_hostile_input_answers_german_json_and_changes_nothing(
    client: httpx.AsyncClient, world: World, db: AsyncSession, case: Hostile
) -> None:
    auth = {
        "organiser": world.organiser_auth,
        "member": world.member_auth,
        "nobody": {},
        "garbage": {"Authorization": "Bearer sid_" + "x" * 40},
        "empty": {"Authorization": "Bearer "},
    }[case.who]
    path = "/api/v1" + case.path.format(event=world.event.id, booking=world.others_booking_id)
    kwargs: dict[str, Any] = {}
    if isinstance(case.body, bytes):
        kwargs["content"] = case.body
        auth = {**auth, **(case.headers or {})}
    elif case.body is not None or case.field == "body":
        kwargs["content"] = json.dumps(case.body).encode()
        auth = {**auth, **JSON}
    before = await snapshot(db)

    response = await client.request(case.method, path, headers=auth, **kwargs)

    body = assert_german_error(response, case.status)
    if case.field is not None:
        assert body["error"] == "validation_failed"
        assert case.field in body["fields"], body
    assert await snapshot(db) == before


async def test_field_messages_are_specific(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/api/v1/events",
        json=new_event(title="x" * 300, capacity=-1, kind="party", extra=1),
        headers=world.organiser_auth,
    )
    fields = assert_german_error(response, 422, "validation_failed")["fields"]
    assert fields == {
        "title": "Der Text ist zu lang (höchstens 200 Zeichen).",
        "capacity": "Der Wert muss mindestens 0 sein.",
        "kind": fields["kind"],
        "extra": "Dieses Feld ist unbekannt.",
    }
    assert fields["kind"].startswith("Unbekannter Wert. Erlaubt: 'network_meeting'")
    assert "oder 'training'" in fields["kind"]


async def test_oversized_body_answers_json_413(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/api/v1/events",
        json=new_event(description="x" * 300_000),
        headers=world.organiser_auth,
    )
    assert_german_error(response, 413)


# -- the description ------------------------------------------------------------------------------


async def test_openapi_document_describes_every_route(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert isinstance(document, dict)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/api/v1"}]
    expected = {
        "/events": {"get", "post"},
        "/events/{id}": {"get", "patch"},
        "/series": {"post"},
        "/series/{id}": {"get"},
        "/events/{id}/bookings": {"get", "post"},
        "/events/{id}/bookings.csv": {"get"},
        "/events/{id}/bookings.xlsx": {"get"},
        "/events/{id}/messages": {"post"},
        "/bookings/{id}": {"delete"},
        "/bookings/{id}/position": {"post"},
        "/bookings/{id}/release": {"post"},
        "/events/{id}/draw": {"get"},
        "/bookings/{id}/decline": {"post"},
        "/bookings/{id}/substitute": {"post"},
        "/bookings/{id}/offer/accept": {"post"},
        "/bookings/{id}/offer/decline": {"post"},
        "/events/{id}/audit": {"get"},
        "/audit": {"get"},
        "/events/{id}/feedback": {"get"},
        "/me/bookings": {"get"},
        "/organisations": {"get", "post"},
        "/organisations/{id}": {"patch"},
        "/events/{id}/sessions/{session_id}/attendance": {"get", "put"},
        "/events/{id}/certificates": {"post"},
        "/me/certificates": {"get"},
        "/certificates/{number}/revoke": {"post"},
        "/venues": {"get", "post"},
        "/venues/{id}": {"get", "patch"},
        "/venues/{id}/rooms": {"post"},
        "/venues/{id}/rooms/{room_id}": {"patch"},
        "/online-rooms": {"get", "post"},
        "/online-rooms/{id}": {"get", "patch"},
        "/figures": {"get"},
        "/materials": {"get", "post"},
        "/materials/{id}": {"patch"},
        "/orders": {"post"},
        "/me/orders": {"get"},
        "/me/export": {"get"},
        "/me": {"delete"},
        "/members/{id}": {"delete"},
        "/orders/{id}": {"patch"},
        "/organisations/applications": {"get", "post"},
        "/organisations/applications/{id}": {"get"},
        "/organisations/applications/{id}/accept": {"post"},
        "/organisations/applications/{id}/merge": {"post"},
        "/organisations/applications/{id}/ask": {"post"},
        "/organisations/applications/{id}/decline": {"post"},
        "/organisations/{id}/certificate": {"get", "post"},
        "/newsletters": {"post"},
        "/newsletters/{id}": {"get"},
        "/newsletters/{id}/send": {"post"},
        "/openapi.json": {"get"},
    }
    assert {path: set(ops) for path, ops in document["paths"].items()} == expected
    routed = {
        core_api.openapi_path(route.path): {m.lower() for m in route.methods or ()} - {"head"}
        for route in api.routes
        if hasattr(route, "path")
    }
    assert routed == expected
    schemas_ = document["components"]["schemas"]
    refs = re.findall(r'"#/components/schemas/(\w+)"', response.text)
    assert refs and set(refs) <= set(schemas_)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    create = document["paths"]["/events"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EventIn"
    }
    assert {"201", "401", "403", "415", "422"} <= set(create["responses"])
    assert schemas_["EventIn"]["additionalProperties"] is False
    assert schemas_["EventIn"]["properties"]["title"]["maxLength"] == 200
    book = document["paths"]["/events/{id}/bookings"]["post"]
    assert {"201", "401", "403", "404", "409", "503"} <= set(book["responses"])
    assert book["requestBody"]["required"] is False
    assert document["paths"]["/events"]["get"]["security"] == [{}, {"bearer": []}]
    assert not [p for p in schemas_["EventDetail"]["properties"] if "meeting" in p or "room" in p]


def test_api_vocabularies_match_the_models() -> None:
    assert get_args(course_schemas.Kind) == KINDS
    assert set(get_args(course_schemas.Sector)) == set(SECTORS)
    assert get_args(course_schemas.Allocation) == ALLOCATIONS


async def test_ids_in_bodies_have_the_limit_of_ids_in_paths(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        "/api/v1/events",
        json=new_event(kind="workshop", parent_id=MAX_ID + 1),
        headers=world.organiser_auth,
    )
    body = assert_german_error(response, 422)
    assert body["fields"]["parent_id"] == f"Der Wert darf höchstens {MAX_ID} sein."
