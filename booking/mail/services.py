"""Writing to the outbox. Messages are rendered by the sender, not in the request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.db import utcnow
from booking.core.errors import Forbidden, InvalidState, NotFound
from booking.core.transactions import write_transaction
from booking.mail import messages
from booking.mail.models import OutboxMessage
from booking.members.models import Member

TEMPLATES = (
    "sign_in_link",
    "booking_confirmed",
    "booking_waitlisted",
    "booking_promoted",
    "booking_cancelled",
    "member_pending",
    "member_approved",
    "member_rejected",
    "event_changed",
    "event_cancelled",
    "certificate_issued",
    "certificate_revoked",
    "event_message",
    "booking_reminder",
    "feedback_invitation",
    "booking_requested",
    "release_requested",
    "booking_declined",
    "booking_request_lapsed",
    "accessibility_feedback",
    "accessibility_receipt",
    "material_order_received",
    "material_order_approved",
    "material_order_shipped",
    "material_order_rejected",
    "material_order_cancelled",
    "material_order_changed",
    "material_low_stock",
    "joining_confirm",
    "joining_accepted",
    "joining_question",
    "joining_declined",
    "member_stay_asked",
    "booking_offered",
    "offer_accepted",
    "offer_declined",
    "offer_expired",
    "offer_withdrawn",
    "draw_requested",
    "draw_won",
    "draw_waitlisted",
    "newsletter_confirm",
    "newsletter_issue",
)


def enqueue(session: AsyncSession, recipient: str, template: str, **context: Any) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction."""
    message = OutboxMessage(**outbox_row(recipient, template, **context))
    session.add(message)
    return message


def outbox_row(recipient: str, template: str, **context: Any) -> dict[str, Any]:
    """The values of one outbox row, for writing many at once in the caller's transaction."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown mail template {template!r}")
    now = utcnow()
    return {
        "recipient": recipient,
        "template": template,
        "context": context,
        "created_at": now,
        "next_attempt_at": now,
    }


async def queue_again(
    session: AsyncSession, *, message_id: int, actor: Member, now: datetime
) -> OutboxMessage:
    """Give a dead letter a fresh set of attempts, due at once (organisers only)."""
    if not actor.is_organiser:
        raise Forbidden()
    async with write_transaction(session):
        message = await session.get(OutboxMessage, message_id)
        if message is None:
            raise NotFound(messages.NOT_FOUND)
        if message.failed_at is None or message.sent_at is not None:
            raise InvalidState(messages.NOT_FAILED)
        message.failed_at = None
        message.attempts = 0
        message.next_attempt_at = now
        message.locked_until = None
    return message
