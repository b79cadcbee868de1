"""The audit log records the back office's actions on someone else's data in the same
transaction: approvals and rejections, certificate revocations, events called off (the other
actions are checked where they are made: bookings, waiting lists, release, roles)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import changes
from booking.core.errors import ValidationFailed
from booking.members import services as members
from booking.privacy import messages
from booking.privacy.models import AuditEntry
from courses.certificates import services as certificates
from tests import factories
from tests.courses.certificates.test_services import marked_training
from tests.factories import NOW


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
    [entry] = await entries(db)
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
