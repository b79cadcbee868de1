"""Art. 15 and 17: the export holds every kind of record, the erasure leaves nothing of the
person but the certificate register, and the seats they held go to the waiting list."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings.models import Booking
from booking.core.errors import Forbidden, NotFound, ValidationFailed
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.privacy.erasure import erase_member
from booking.privacy.export import member_export
from booking.privacy.models import AuditEntry
from booking.privacy.placeholder import PLACEHOLDER_EMAIL
from tests import factories
from tests.booking.privacy.everything import EMAIL_LOCAL, FIRST, LAST, build, rows_mentioning
from tests.factories import NOW

pytestmark = pytest.mark.usefixtures("frozen_time")

KINDS = (
    "bookings", "certificates", "material_orders", "joining_applications",
    "feedback_invitations", "mails", "sessions", "api_tokens", "audit_entries",
)  # fmt: skip


async def test_export_holds_every_kind_of_record(db: AsyncSession) -> None:
    world = await build(db)
    data = await member_export(db, world.member, NOW)

    assert data["profile"]["email"] == world.email
    assert (data["profile"]["first_name"], data["profile"]["last_name"]) == (FIRST, LAST)
    assert data["organisation"]["id"] == world.member.organisation_id
    for kind in KINDS:
        assert data[kind], kind
    assert sorted(b["status"] for b in data["bookings"]) == [
        "attended", "cancelled", "confirmed", "waiting",
    ]  # fmt: skip
    attended = next(b for b in data["bookings"] if b["status"] == "attended")
    assert [m["status"] for m in attended["attendance"]] == ["present", "present"]
    assert len(attended["attendance_changes"]) == 2
    assert data["certificates"][0]["number"] == "SID-2026-000001"
    assert data["material_orders"][0]["lines"] == [{"item": "Türkeil", "quantity": 2}]
    assert data["api_tokens"][0]["name"] == "Kalender"
    assert "token_hash" not in data["api_tokens"][0]
    assert {e["action"] for e in data["audit_entries"]} == {"booking_removed"}
    assert "calendar_token" not in data["profile"]
    assert data["newsletter"]["status"] == "confirmed"
    assert data["newsletter"]["issues"] == [
        {"subject": "Neues aus dem Netzwerk", "sent_at": NOW.isoformat()}
    ]


async def test_erasure_leaves_only_the_certificate_register(db: AsyncSession) -> None:
    world = await build(db)
    member_id = world.member.id

    erased = await erase_member(db, member_id=member_id, actor=world.member, now=NOW)

    assert len(erased.cancelled) == 2  # the confirmed seat and the waiting place
    leftovers = await rows_mentioning(db, world.email, EMAIL_LOCAL, LAST)
    assert {(table, column) for table, column, _ in leftovers} == {
        ("certificates", "participant_name")
    }
    assert await db.get(Member, member_id) is None
    # The seat went to the first waiting member, who is mailed; the erased get no mail.
    held = await db.scalar(
        select(Booking).where(
            Booking.event_id == world.full.id, Booking.member_id == world.waiting.id
        )
    )
    assert held is not None and held.status == "confirmed"
    mails = list(
        await db.scalars(
            select(
                OutboxMessage.recipient,
            ).where(OutboxMessage.template == "booking_promoted")
        )
    )
    assert mails == [world.waiting.email]
    # Every booking stays for the figures, with the placeholder as its person.
    nobody = await db.scalar(select(Member).where(Member.email == PLACEHOLDER_EMAIL))
    assert nobody is not None and nobody.status == "rejected"
    statuses = sorted(
        await db.scalars(select(Booking.status).where(Booking.member_id == nobody.id))
    )
    assert statuses == ["attended", "cancelled", "cancelled", "cancelled"]
    # Audit entries keep their rows, without the person.
    entries = list(await db.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert len(entries) == 2
    assert entries[0].member_id is None
    assert entries[1].after == {"successor": "Gelöschte Person"}


async def test_organiser_erasure_is_audited_and_needs_a_reason(db: AsyncSession) -> None:
    world = await build(db)
    with pytest.raises(ValidationFailed):
        await erase_member(db, member_id=world.member.id, actor=world.organiser, now=NOW)
    await erase_member(
        db, member_id=world.member.id, actor=world.organiser, now=NOW, reason="Antrag vom 1.3."
    )
    entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == "member_erased"))
    assert entry is not None
    assert (entry.actor_id, entry.reason) == (world.organiser.id, "Antrag vom 1.3.")
    assert entry.after["member_number"] == world.member.id


async def test_a_member_cannot_erase_another(db: AsyncSession) -> None:
    world = await build(db)
    with pytest.raises(Forbidden):
        await erase_member(db, member_id=world.member.id, actor=world.waiting, now=NOW, reason="x")
    assert await db.get(Member, world.member.id) is not None
    with pytest.raises(NotFound):
        await erase_member(db, member_id=10**6, actor=world.organiser, now=NOW, reason="x")


async def test_the_placeholder_cannot_be_erased(db: AsyncSession) -> None:
    world = await build(db)
    await erase_member(db, member_id=world.member.id, actor=world.member, now=NOW)
    nobody = await db.scalar(select(Member.id).where(Member.email == PLACEHOLDER_EMAIL))
    assert nobody is not None
    with pytest.raises(NotFound):
        await erase_member(db, member_id=nobody, actor=world.organiser, now=NOW, reason="x")
    other = await factories.member(db)
    await erase_member(db, member_id=other.id, actor=other, now=NOW)
    assert await db.scalar(select(Member.id).where(Member.email == PLACEHOLDER_EMAIL)) == nobody
