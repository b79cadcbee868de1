"""Helpers for the JSON API tests: tokens, German error checks, snapshots, a small world of
an organiser, members and an event, and times as clients send them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import services
from booking.bookings.models import Booking
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.members.tokens import issue_api_tokens
from courses.models import Event, EventSession
from tests import factories
from tests.factories import NOW

MEETING_URL = "https://konferenz.example/raum/geheim-4711"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def token_of(db: AsyncSession, member: Member) -> dict[str, str]:
    [issued] = await issue_api_tokens(db, emails=[member.email], now=NOW)
    return bearer(issued.token)


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


async def make_world(db: AsyncSession) -> World:
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


SUMMARY_KEYS = {
    "id", "kind", "status", "title", "starts_at", "ends_at", "capacity", "seats_left",
    "waitlist_length", "booking_open", "url",
}  # fmt: skip
DETAIL_KEYS = SUMMARY_KEYS | {
    "summary", "description", "sessions", "venue", "parent", "workshops", "target_sectors",
    "seats_per_organisation", "booking_opens_at", "registration_deadline",
    "cancellation_deadline", "trainers", "completion_share", "certificate_content", "reminder_days",
    "sign_in_sheet_url", "series_id", "requires_release", "release_deadline", "offer_working_days",
    "allocation", "draw_commitment",
}  # fmt: skip
