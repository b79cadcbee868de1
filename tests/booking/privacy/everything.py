"""One member with every kind of record a member can have, for the export and erasure tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import String, Text, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.sqltypes import JSON

from booking.bookings.models import Booking
from booking.mail.services import enqueue
from booking.members.models import ApiToken, Member, WebSession
from booking.newsletter.models import Delivery, Issue, Subscription
from booking.organisations.models import JoiningApplication
from booking.privacy.audit import record
from booking.tables import metadata
from courses.attendance.models import AttendanceChange, AttendanceMark
from courses.certificates.models import Certificate
from courses.feedback.models import FeedbackInvitation
from courses.models import Event
from materials.models import MaterialOrder, MaterialOrderLine
from tests import factories
from tests.factories import NOW
from tests.materials.factories import item

FIRST, LAST = "Waltraud", "Loeschbar"
EMAIL_LOCAL = "waltraud.loeschbar"


@dataclass
class Everything:
    member: Member
    organiser: Member
    waiting: Member
    """Waits for the seat the member holds on ``full``."""
    full: Event
    past: Event
    email: str


async def build(db: AsyncSession) -> Everything:
    org = await factories.organisation(db, sector="feuerwehr")
    person = await factories.member(db, org, email=f"{EMAIL_LOCAL}@org-{org.id}.example")
    person.first_name, person.last_name, person.function = FIRST, LAST, "Sachbearbeitung"
    organiser = await factories.member(db, role="organiser")
    trainer = await factories.member(db, role="trainer")
    waiting = await factories.member(db)
    full = await factories.event(db, capacity=1)
    other = await factories.event(db, capacity=1)
    cancelled = await factories.event(db)
    past = await factories.training(db, trainer)
    db.add_all(
        [
            Booking(event_id=full.id, member_id=person.id, organisation_id=org.id,
                    status="confirmed", confirmed_at=NOW),
            Booking(event_id=full.id, member_id=waiting.id, status="waiting", waitlisted_at=NOW),
            Booking(event_id=other.id, member_id=waiting.id, status="confirmed"),
            Booking(event_id=other.id, member_id=person.id, status="waiting", waitlisted_at=NOW),
            Booking(event_id=cancelled.id, member_id=person.id, status="cancelled",
                    cancelled_at=NOW, cancelled_by="member"),
        ]
    )  # fmt: skip
    attended = Booking(
        event_id=past.id, member_id=person.id, organisation_id=org.id, status="attended"
    )
    db.add(attended)
    await db.flush()
    for sitting in past.sessions:
        marked = {"booking_id": attended.id, "session_id": sitting.id}
        db.add(AttendanceMark(**marked, status="present", marked_by=trainer.id, marked_at=NOW))
        db.add(
            AttendanceChange(
                **marked, old_status=None, new_status="present", changed_by=trainer.id,
                changed_at=NOW,
            )
        )  # fmt: skip
    db.add(
        Certificate(
            number="SID-2026-000001", code="c" * 32, booking_id=attended.id, member_id=person.id,
            event_id=past.id, participant_name=f"{FIRST} {LAST}", course_title=past.title,
            dates="1.–2. Januar", units_attended=16, units_offered=16, issued_at=NOW,
            issued_by=trainer.id,
        )
    )  # fmt: skip
    db.add(FeedbackInvitation(event_id=past.id, booking_id=attended.id, token_hash="f" * 64,
                              sent_at=NOW, expires_at=NOW + timedelta(days=14)))  # fmt: skip
    wedge = await item(db, name="Türkeil")
    order = MaterialOrder(
        member_id=person.id, organisation_id=org.id, year=NOW.year, status="received",
        delivery_address=f"{org.name}\nz. Hd. {FIRST} {LAST}\nHauptstraße 1\n48143 Münster",
        contact=f"{FIRST} {LAST}, 0251 123", note=f"Bitte an {EMAIL_LOCAL}@org-{org.id}.example",
    )  # fmt: skip
    order.lines.append(MaterialOrderLine(item_id=wedge.id, quantity=2))
    db.add(order)
    db.add(ApiToken(member_id=person.id, token_hash="a" * 64, name="Kalender",
                    created_at=NOW, expires_at=NOW + timedelta(days=90)))  # fmt: skip
    db.add(WebSession(id_hash="s" * 64, member_id=person.id, data={}, created_at=NOW,
                      last_seen_at=NOW, expires_at=NOW + timedelta(hours=8)))  # fmt: skip
    db.add(
        JoiningApplication(
            name="Neue Wache", sector="feuerwehr", region="Münster", street="Weg 1",
            postal_code="48143", city="Münster", head_name="Leitung", head_function="Leitung",
            contact_first_name=FIRST, contact_last_name=LAST, contact_email=person.email,
            domains=["neue-wache.example"], confirm_nonce="n" * 32, created_at=NOW,
        )
    )  # fmt: skip
    record(db, actor=organiser, action="booking_removed", now=NOW, event_id=cancelled.id,
           member_id=person.id, before={"status": "confirmed"}, after={"status": "cancelled"},
           reason=f"Auf Wunsch von {FIRST} {LAST}")  # fmt: skip
    record(db, actor=organiser, action="booking_substituted", now=NOW, event_id=other.id,
           member_id=waiting.id, before={}, after={"successor": person.email})  # fmt: skip
    enqueue(db, person.email, "member_approved", member_id=person.id)
    subscription = Subscription(
        email=person.email, status="confirmed", source="profile", consent_version="2026-12",
        requested_at=NOW, confirmed_at=NOW, confirm_nonce="c" * 16, unsubscribe_key="u" * 16,
    )  # fmt: skip
    issue = Issue(subject="Neues aus dem Netzwerk", body_markdown="Guten Tag", status="sent",
                  created_at=NOW, updated_at=NOW, send_started_at=NOW)  # fmt: skip
    db.add_all([subscription, issue])
    await db.flush()
    db.add(Delivery(issue_id=issue.id, subscription_id=subscription.id))
    await db.commit()
    return Everything(person, organiser, waiting, full, past, person.email)


async def rows_mentioning(db: AsyncSession, *needles: str) -> list[tuple[str, str, object]]:
    """Every (table, column, primary key) whose text holds one of ``needles`` (any case)."""
    found = []
    for table in metadata.sorted_tables:
        key = next(iter(table.primary_key.columns))
        for column in table.columns:
            if not isinstance(column.type, String | Text | JSON):
                continue
            text = func.lower(cast(column, Text))
            hits = await db.execute(
                select(key).where(or_(*(text.contains(n.lower()) for n in needles)))
            )
            found += [(table.name, column.name, pk) for (pk,) in hits]
    return found
