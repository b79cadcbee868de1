"""Art. 15 DSGVO: everything stored about a member, as one JSON document.

The same document feeds the download, the readable page and ``GET /api/v1/me/export``. It
grows with the member's own records only. Secrets are left out (API tokens' and sessions'
hashes, the calendar feed's token, certificates' verification codes). A newsletter
subscription is shown with its consent record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings.models import Booking
from booking.mail.models import OutboxMessage
from booking.members.models import ApiToken, Member, WebSession
from booking.newsletter.messages import CONSENT_TEXTS
from booking.newsletter.models import Delivery, Issue
from booking.newsletter.services import subscription_of
from booking.organisations.models import JoiningApplication
from booking.privacy import messages
from booking.privacy.models import AuditEntry
from courses.attendance.models import AttendanceChange, AttendanceMark
from courses.certificates.models import Certificate
from courses.feedback.models import FeedbackInvitation
from courses.models import EventSession
from materials.models import MaterialOrder, MaterialOrderLine

FORMAT_VERSION = 1


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def member_export(session: AsyncSession, member: Member, now: datetime) -> dict[str, Any]:
    """The member's data: profile, organisation, bookings with their history and attendance,
    certificates, material orders, applications they are the contact of, mails, sessions,
    API tokens, and the audit entries about them or by them."""
    profile = await session.scalar(
        select(Member).where(Member.id == member.id).options(selectinload(Member.organisation))
    )
    assert profile is not None
    bookings = list(
        await session.scalars(
            select(Booking)
            .where(Booking.member_id == member.id)
            .options(selectinload(Booking.event))
            .order_by(Booking.id)
        )
    )
    booking_ids = [b.id for b in bookings]
    return {
        "format": FORMAT_VERSION,
        "exported_at": _iso(now),
        "profile": {
            "id": profile.id,
            "email": profile.email,
            "first_name": profile.first_name,
            "last_name": profile.last_name,
            "function": profile.function,
            "organisation_name_given": profile.organisation_name_given,
            "status": profile.status,
            "role": profile.role,
            "created_at": _iso(profile.created_at),
            "approved_at": _iso(profile.approved_at),
            "last_signed_in_at": _iso(profile.last_signed_in_at),
            "stay_asked_at": _iso(profile.stay_asked_at),
            "calendar_feed": profile.calendar_token is not None,
        },
        "organisation": (
            {
                "id": profile.organisation.id,
                "name": profile.organisation.name,
                "sector": profile.organisation.sector,
                "region": profile.organisation.region,
            }
            if profile.organisation is not None
            else None
        ),
        "bookings": await _bookings(session, bookings),
        "certificates": await _certificates(session, member.id),
        "material_orders": await _orders(session, member.id),
        "joining_applications": await _applications(session, profile.email),
        "feedback_invitations": await _invitations(session, booking_ids),
        "mails": await _mails(session, profile.email),
        "sessions": await _sessions(session, member.id),
        "api_tokens": await _tokens(session, member.id),
        "audit_entries": await _audit(session, member.id, booking_ids),
        "newsletter": await _newsletter(session, profile.email),
    }


async def _newsletter(session: AsyncSession, email: str) -> dict[str, Any] | None:
    subscription = await subscription_of(session, email)
    if subscription is None:
        return None
    return {
        "status": subscription.status,
        "source": subscription.source,
        "consent_version": subscription.consent_version,
        "consent_text": CONSENT_TEXTS.get(subscription.consent_version, ""),
        "requested_at": _iso(subscription.requested_at),
        "confirmed_at": _iso(subscription.confirmed_at),
        "unsubscribed_at": _iso(subscription.unsubscribed_at),
        "issues": [
            {"subject": subject, "sent_at": _iso(started)}
            for subject, started in await session.execute(
                select(Issue.subject, Issue.send_started_at)
                .join(Delivery, Delivery.issue_id == Issue.id)
                .where(Delivery.subscription_id == subscription.id)
                .order_by(Issue.send_started_at, Issue.id)
            )
        ],
    }


async def _bookings(session: AsyncSession, bookings: list[Booking]) -> list[dict[str, Any]]:
    ids = [b.id for b in bookings]
    sessions = {
        s.id: s
        for s in await session.scalars(
            select(EventSession).where(EventSession.event_id.in_({b.event_id for b in bookings}))
        )
    }
    marks: dict[int, list[dict[str, Any]]] = {}
    for mark in await session.scalars(
        select(AttendanceMark).where(AttendanceMark.booking_id.in_(ids)).order_by(AttendanceMark.id)
    ):
        sitting = sessions.get(mark.session_id)
        marks.setdefault(mark.booking_id, []).append(
            {
                "session_starts_at": _iso(sitting.starts_at if sitting else None),
                "status": mark.status,
                "marked_at": _iso(mark.marked_at),
            }
        )
    changes: dict[int, list[dict[str, Any]]] = {}
    for change in await session.scalars(
        select(AttendanceChange)
        .where(AttendanceChange.booking_id.in_(ids))
        .order_by(AttendanceChange.id)
    ):
        sitting = sessions.get(change.session_id)
        changes.setdefault(change.booking_id, []).append(
            {
                "session_starts_at": _iso(sitting.starts_at if sitting else None),
                "from": change.old_status,
                "to": change.new_status,
                "changed_at": _iso(change.changed_at),
            }
        )
    return [
        {
            "id": b.id,
            "event_id": b.event_id,
            "event_title": b.event.title,
            "status": b.status,
            "booked_by": b.booked_by or "member",
            "added_on_site": b.added_on_site,
            "history": {
                "created_at": _iso(b.created_at),
                "waitlisted_at": _iso(b.waitlisted_at),
                "released_at": _iso(b.released_at),
                "offered_at": _iso(b.offered_at),
                "offer_expires_at": _iso(b.offer_expires_at),
                "confirmed_at": _iso(b.confirmed_at),
                "reminded_at": _iso(b.reminded_at),
                "cancelled_at": _iso(b.cancelled_at),
                "cancelled_by": b.cancelled_by,
            },
            "attendance": marks.get(b.id, []),
            "attendance_changes": changes.get(b.id, []),
        }
        for b in bookings
    ]


async def _certificates(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(Certificate).where(Certificate.member_id == member_id).order_by(Certificate.id)
    )
    return [
        {
            "number": c.number,
            "participant_name": c.participant_name,
            "course_title": c.course_title,
            "course_code": c.course_code,
            "dates": c.dates,
            "place": c.place,
            "units_attended": c.units_attended,
            "units_offered": c.units_offered,
            "issued_at": _iso(c.issued_at),
            "revoked_at": _iso(c.revoked_at),
            "revoked_reason": c.revoked_reason,
        }
        for c in rows
    ]


async def _orders(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(MaterialOrder)
        .where(MaterialOrder.member_id == member_id)
        .options(
            selectinload(MaterialOrder.lines).selectinload(MaterialOrderLine.item),
            selectinload(MaterialOrder.organisation),
        )
        .order_by(MaterialOrder.id)
    )
    return [
        {
            "number": o.number,
            "organisation": o.organisation.name,
            "status": o.status,
            "created_at": _iso(o.created_at),
            "changed_at": _iso(o.changed_at),
            "delivery_address": o.delivery_address,
            "contact": o.contact,
            "note": o.note,
            "shipped_on": o.shipped_on.isoformat() if o.shipped_on else None,
            "tracking_note": o.tracking_note,
            "reason": o.reason,
            "lines": [{"item": line.item.name, "quantity": line.quantity} for line in o.lines],
        }
        for o in rows
    ]


async def _applications(session: AsyncSession, email: str) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(JoiningApplication)
        .where(JoiningApplication.contact_email == email)
        .order_by(JoiningApplication.id)
    )
    return [
        {
            "id": a.id,
            "organisation": a.name,
            "contact_first_name": a.contact_first_name,
            "contact_last_name": a.contact_last_name,
            "contact_email": a.contact_email,
            "status": a.status,
            "created_at": _iso(a.created_at),
        }
        for a in rows
    ]


async def _invitations(session: AsyncSession, booking_ids: list[int]) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(FeedbackInvitation)
        .where(FeedbackInvitation.booking_id.in_(booking_ids))
        .order_by(FeedbackInvitation.id)
    )
    return [{"booking_id": i.booking_id, "sent_at": _iso(i.sent_at), "used": i.used} for i in rows]


async def _mails(session: AsyncSession, email: str) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)
    )
    return [
        {
            "template": m.template,
            "created_at": _iso(m.created_at),
            "sent_at": _iso(m.sent_at),
            "failed_at": _iso(m.failed_at),
        }
        for m in rows
    ]


async def _sessions(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(WebSession).where(WebSession.member_id == member_id).order_by(WebSession.created_at)
    )
    return [
        {
            "created_at": _iso(s.created_at),
            "last_seen_at": _iso(s.last_seen_at),
            "expires_at": _iso(s.expires_at),
        }
        for s in rows
    ]


async def _tokens(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(ApiToken).where(ApiToken.member_id == member_id).order_by(ApiToken.id)
    )
    return [
        {
            "id": t.id,
            "name": t.name,
            "created_at": _iso(t.created_at),
            "expires_at": _iso(t.expires_at),
            "last_used_at": _iso(t.last_used_at),
            "revoked_at": _iso(t.revoked_at),
        }
        for t in rows
    ]


async def _audit(
    session: AsyncSession, member_id: int, booking_ids: list[int]
) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(AuditEntry)
        .where(
            or_(
                AuditEntry.member_id == member_id,
                AuditEntry.actor_id == member_id,
                AuditEntry.booking_id.in_(booking_ids),
            )
        )
        .order_by(AuditEntry.id)
    )
    return [
        {
            "created_at": _iso(e.created_at),
            "action": e.action,
            "action_label": messages.action_label(e.action),
            "by_me": e.actor_id == member_id,
            "event_id": e.event_id,
            "booking_id": e.booking_id,
            "changes": messages.changes(e.before, e.after),
            "reason": e.reason,
        }
        for e in rows
    ]
