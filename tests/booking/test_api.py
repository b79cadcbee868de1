"""The JSON API (/api/v1) through the ASGI client, on SQLite and (with TEST_DATABASE_URL)
on PostgreSQL. Time stands still at factories.NOW."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, get_args

import httpx
import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import booking.core.db
from booking import api
from booking.bookings import schemas, services
from booking.bookings.models import Booking
from booking.core import api as api_spec
from booking.core.db import begin_write, session_factory
from booking.core.routing import MAX_ID
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.members.services import issue_api_tokens
from booking.organisations.models import SECTORS
from courses.models import KINDS, Event, EventSession
from tests import factories
from tests.factories import NOW
from venues.models import OnlineRoom, Venue

MEETING_URL = "https://konferenz.example/raum/geheim-4711"


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def token_of(db: AsyncSession, member: Member) -> dict[str, str]:
    [token] = await issue_api_tokens(db, emails=[member.email])
    return bearer(token)


ENGLISH = re.compile(r"Input should|Field required|Invalid JSON|Extra inputs|String should")
GERMAN = re.compile(
    r"[äöüß]|\b(bitte|diese[rs]?|ein|eine|der|die|das|ist|nicht|oder|muss|unbekannte?r?|wert)\b",
    re.IGNORECASE,
)


def assert_german_error(response: httpx.Response, status: int, code: str | None = None) -> Any:
    """A JSON error with a stable code and a German message (and German field messages)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict)
    assert isinstance(body["error"], str) and body["error"]
    if code is not None:
        assert body["error"] == code
    for text in [body["message"], *body.get("fields", {}).values()]:
        assert isinstance(text, str) and GERMAN.search(text), text
        assert not ENGLISH.search(text), text
    return body


async def snapshot(db: AsyncSession) -> tuple[Any, ...]:
    """Everything a request could change; compared before and after hostile requests."""
    await db.commit()  # a fresh read: SQLite keeps a transaction's snapshot
    bookings = await db.execute(select(Booking.id, Booking.status).order_by(Booking.id))
    events = await db.execute(
        select(
            Event.id, Event.capacity, Event.seats_per_organisation, Event.status, Event.title
        ).order_by(Event.id)
    )
    sessions = await db.scalar(select(func.count()).select_from(EventSession))
    outbox = await db.scalar(select(func.count()).select_from(OutboxMessage))
    return [tuple(r) for r in bookings], [tuple(r) for r in events], sessions, outbox


async def statuses(db: AsyncSession, event_id: int) -> list[tuple[int, str]]:
    await db.commit()
    rows = await db.execute(
        select(Booking.id, Booking.status).where(Booking.event_id == event_id).order_by(Booking.id)
    )
    return [(i, s) for i, s in rows]


@dataclass
class World:
    event: Event
    organiser: Member
    member: Member
    other: Member
    organiser_auth: dict[str, str]
    member_auth: dict[str, str]
    other_auth: dict[str, str]
    others_booking_id: int


@pytest.fixture
async def world(db: AsyncSession) -> World:
    org = await factories.organisation(db)
    organiser = await factories.member(db, org, role="organiser")
    member = await factories.member(db, org)
    other = await factories.member(db, org)
    event = await factories.event(db, capacity=5)
    result = await services.book(db, event_id=event.id, member_id=other.id, now=NOW)
    return World(
        event=event,
        organiser=organiser,
        member=member,
        other=other,
        organiser_auth=await token_of(db, organiser),
        member_auth=await token_of(db, member),
        other_auth=await token_of(db, other),
        others_booking_id=result.booking.id,
    )


SUMMER = timezone(timedelta(hours=2))


def day(days: float, hour: int = 7) -> datetime:
    """A time ``days`` after NOW, on the hour (UTC)."""
    return (NOW + timedelta(days=days)).replace(hour=hour, minute=0, second=0)


def local(value: datetime) -> str:
    """As a client in Berlin in summer would send it: "…T09:00:00+02:00"."""
    return value.astimezone(SUMMER).isoformat()


def utc(value: datetime) -> str:
    """As the API answers: "…T07:00:00+00:00"."""
    return value.astimezone(UTC).isoformat()


def session_times(days: int = 1, first: float = 60) -> list[dict[str, str]]:
    return [
        {"starts_at": local(day(first + d, 7)), "ends_at": local(day(first + d, 14))}
        for d in range(days)
    ]


def new_event(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Deeskalationstraining für Beschäftigte im Gesundheitswesen",
        "kind": "training",
        "capacity": 12,
        "sessions": session_times(2),
    }
    data.update(changes)
    return data


# -- reading the programme ------------------------------------------------------------------------

SUMMARY_KEYS = {
    "id", "kind", "status", "title", "starts_at", "ends_at", "capacity", "seats_left",
    "waitlist_length", "booking_open", "url",
}  # fmt: skip
DETAIL_KEYS = SUMMARY_KEYS | {
    "summary", "description", "sessions", "venue", "parent", "workshops", "target_sectors",
    "seats_per_organisation", "booking_opens_at", "registration_deadline",
    "cancellation_deadline",
}  # fmt: skip


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
        step_free=True, hearing_loop=False, accessibility_notes="Aufzug am Seiteneingang",
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
    assert set(body["sessions"][0]) == {"id", "starts_at", "ends_at", "title"}
    assert body["venue"] == {
        "name": "Akademie", "street": "Am Berg 1", "postcode": "48143", "city": "Münster",
        "region": "Münster", "step_free": True, "hearing_loop": False,
        "accessibility_notes": "Aufzug am Seiteneingang",
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
    assert again.json() == body

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
        },
        {
            "id": waiting,
            "event_id": full.id,
            "event_title": full.title,
            "status": "waitlisted",
            "waitlist_position": 1,
            "starts_at": utc(NOW + timedelta(days=5)),
            "ends_at": utc(NOW + timedelta(days=5, hours=7)),
        },
    ]
    assert world.other.email not in response.text


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
        "/events/{id}/bookings": {"get", "post"},
        "/bookings/{id}": {"delete"},
        "/me/bookings": {"get"},
        "/openapi.json": {"get"},
    }
    assert {path: set(ops) for path, ops in document["paths"].items()} == expected
    routed = {
        api_spec.openapi_path(route.path): {m.lower() for m in route.methods or ()} - {"head"}
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
    assert get_args(schemas.Kind) == KINDS
    assert set(get_args(schemas.Sector)) == set(SECTORS)


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
