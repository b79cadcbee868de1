"""The audit log records the back office's actions on someone else's data in the same
transaction: approvals and rejections, certificate revocations, events called off (the other
actions are checked where they are made: bookings, waiting lists, release, roles)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import changes
from booking.bookings import services as bookings
from booking.core.errors import ValidationFailed
from booking.core.formatting import BERLIN
from booking.members import services as members
from booking.members.models import Member
from booking.privacy import messages
from booking.privacy.models import AuditEntry
from courses.attendance import services as attendance
from courses.certificates import services as certificates
from courses.models import Event
from tests import factories
from tests.api import assert_german_error, token_of
from tests.courses.certificates.test_services import marked_training
from tests.factories import NOW
from tests.web import sign_in


async def entries(db: AsyncSession) -> list[AuditEntry]:
    await db.commit()
    return list(await db.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def test_approvals_and_rejections_are_recorded(db: AsyncSession) -> None:
    org = await factories.organisation(db)
    organiser = await factories.member(db, role="organiser")
    waiting = await factories.member(db, org, status="pending")
    refused = await factories.member(db, org, status="pending")
    await members.approve(db, member_id=waiting.id, organisation=org.name, actor=organiser, now=NOW)
    await members.reject(db, member_id=refused.id, actor=organiser, now=NOW)
    found = await entries(db)
    assert [(e.action, e.member_id, e.actor_id, e.after) for e in found] == [
        (
            "member_approved",
            waiting.id,
            organiser.id,
            {"account": "active", "organisation": org.name},
        ),
        ("member_rejected", refused.id, organiser.id, {"account": "rejected"}),
    ]
    assert messages.changes(found[0].before, found[0].after) == [
        "Zugang: wartet auf Freischaltung → freigeschaltet",
        f"Organisation: {org.name}",
    ]


async def test_a_refused_approval_leaves_no_entry(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    waiting = await factories.member(db, status="pending")
    with pytest.raises(ValidationFailed):
        await members.approve(
            db, member_id=waiting.id, organisation="Gibt es nicht", actor=organiser, now=NOW
        )
    assert await entries(db) == []


async def test_a_revoked_certificate_is_recorded_with_its_reason(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    trainer, event, full, *_ = await marked_training(db)
    issued = await certificates.issue(db, event_id=event.id, actor=trainer, now=NOW)
    target = next(c for c in issued if c.booking_id == full.id)
    await certificates.revoke(
        db, number=target.number, reason="Anwesenheit berichtigt", actor=organiser, now=NOW
    )
    [entry] = [e for e in await entries(db) if e.action == "certificate_revoked"]
    assert (entry.action, entry.event_id, entry.member_id, entry.booking_id, entry.reason) == (
        "certificate_revoked",
        event.id,
        full.member_id,
        full.id,
        "Anwesenheit berichtigt",
    )


async def test_calling_an_event_off_is_recorded_with_its_workshops(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    conference = await factories.event(db, kind="conference")
    workshop = await factories.event(db, kind="workshop", parent_id=conference.id)
    await factories.participants(db, conference, 2)
    await changes.cancel_event(
        db, event_id=conference.id, actor=organiser, now=NOW, reason="Unwetter"
    )
    found = await entries(db)
    assert [(e.action, e.event_id, e.before, e.reason) for e in found] == [
        (
            "event_cancelled",
            conference.id,
            {"event_status": "published", "bookings": 2},
            "Unwetter",
        ),
        ("event_cancelled", workshop.id, {"event_status": "published", "bookings": 0}, "Unwetter"),
    ]
    assert messages.changes(found[0].before, found[0].after)[0] == (
        "Veranstaltung: veröffentlicht → abgesagt"
    )


# -- reading it: the page and the API ------------------------------------------------------------


async def a_logged_day(db: AsyncSession) -> tuple[Member, Member, Member, Event]:
    """Two organisers acting on two members around one event; one entry a day earlier."""
    org = await factories.organisation(db, domain="amt.example")
    first = await factories.member(db, org, role="organiser", email="orga@amt.example")
    second = await factories.member(db, org, role="organiser", email="zweite@amt.example")
    person = await factories.member(db, org)
    event = await factories.event(db, capacity=1)
    seat = await bookings.book_on_behalf(
        db, event_id=event.id, email=person.email, actor=first, now=NOW - timedelta(days=1)
    )
    await changes.change_limits(db, event_id=event.id, actor=second, now=NOW, capacity=3)
    await bookings.cancel(db, booking_id=seat.booking.id, actor=second, now=NOW, reason="Test")
    return first, second, person, event


async def test_the_full_log_filters_by_person_actor_action_and_day(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    first, second, person, event = await a_logged_day(db)
    await db.commit()
    await sign_in(client, app, "orga@amt.example")
    everything = await client.get("/verwaltung/protokoll")
    assert everything.status_code == 200
    assert everything.text.count("<li>\n    <p><strong>") == 3
    by_person = await client.get("/verwaltung/protokoll", params={"person": person.email})
    assert by_person.text.count("<strong>") - everything.text.count("<strong>") == -1
    by_actor = await client.get("/verwaltung/protokoll", params={"durch": second.email})
    assert "<strong>Buchung entfernt</strong>" in by_actor.text
    assert "<strong>Angemeldet durch" not in by_actor.text
    by_action = await client.get("/verwaltung/protokoll", params={"aktion": "limits_changed"})
    assert "<strong>Plätze geändert</strong>" in by_action.text
    assert "<strong>Buchung entfernt</strong>" not in by_action.text
    day = (NOW - timedelta(days=1)).astimezone(BERLIN).strftime("%d.%m.%Y")
    yesterday = await client.get(
        "/verwaltung/protokoll", params={"von": day, "bis": day, "veranstaltung": str(event.id)}
    )
    assert "<strong>Angemeldet durch" in yesterday.text
    assert "<strong>Plätze geändert</strong>" not in yesterday.text
    for params in (
        {"person": "niemand@amt.example"},
        {"von": "32.13.2026"},
        {"aktion": "alles"},
        {"veranstaltung": "x"},
        {"durch": "a\x00b"},
    ):
        refused = await client.get("/verwaltung/protokoll", params=params)
        assert refused.status_code == 400, params
        assert 'class="error-message"' in refused.text


async def test_the_api_gives_the_log_with_the_same_filters(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    first, second, person, event = await a_logged_day(db)
    auth = await token_of(db, first)
    answer = await client.get("/api/v1/audit", headers=auth)
    assert answer.status_code == 200
    assert [e["action"] for e in answer.json()] == [
        "booking_removed",
        "limits_changed",
        "booking_on_behalf",
    ]
    filtered = await client.get(
        "/api/v1/audit",
        params={"actor_id": str(second.id), "from": NOW.isoformat(), "limit": "1"},
        headers=auth,
    )
    assert [e["action"] for e in filtered.json()] == ["booking_removed"]
    assert "next" in filtered.headers["link"]
    by_member = await client.get(
        "/api/v1/audit", params={"member_id": str(person.id)}, headers=auth
    )
    assert {e["member_email"] for e in by_member.json()} == {person.email}
    assert_german_error(
        await client.get("/api/v1/audit", params={"action": "DROP TABLE"}, headers=auth), 422
    )
    assert_german_error(await client.get("/api/v1/audit", headers=await token_of(db, person)), 403)


async def test_a_trainers_marks_and_walk_ins_are_recorded(db: AsyncSession) -> None:
    trainer, event, full, half, absent = await marked_training(db)
    found = await entries(db)
    assert len(found) == 6 and {e.action for e in found} == {"attendance_marked"}
    assert {(e.booking_id, e.member_id) for e in found} == {
        (b.id, b.member_id) for b in (full, half, absent)
    }
    first = next(e for e in found if e.booking_id == full.id)
    assert messages.changes(first.before, first.after) == ["Anwesenheit: – → anwesend"]
    # Saving the same marks again changes nothing and records nothing.
    await attendance.mark(
        db,
        event_id=event.id,
        session_id=event.sessions[0].id,
        marks=[(full.id, "present")],
        actor=trainer,
        now=NOW,
    )
    assert len(await entries(db)) == 6
    walk_in = await factories.member(db)
    await attendance.add_walk_in(db, event_id=event.id, email=walk_in.email, actor=trainer, now=NOW)
    latest = (await entries(db))[-1]
    assert (latest.action, latest.member_id, latest.actor_id) == (
        "walk_in_added",
        walk_in.id,
        trainer.id,
    )
