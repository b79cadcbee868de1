"""Writing to the outbox. Messages are rendered by the sender, not in the request."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.db import utcnow
from booking.mail.models import OutboxMessage

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
