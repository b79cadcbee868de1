"""Feedback on accessibility reaches the organisers through the outbox; the sender, if they
gave an address, gets a receipt. Nothing else is kept: the mails go the way of all sent mail
(Settings.retention.sent_mail_days)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.transactions import write_transaction
from booking.mail.models import OutboxMessage
from booking.mail.services import outbox_row
from booking.members.models import Member
from booking.members.services import valid_email


@dataclass(frozen=True)
class Feedback:
    message: str
    page: str = ""
    name: str = ""
    email: str = ""


async def send_feedback(session: AsyncSession, feedback: Feedback, *, fallback: str) -> int:
    """Mail the feedback to every active organiser (``fallback``, the operator's address,
    when there is none) and a receipt to the sender; how many got the feedback."""
    context = {
        "feedback_message": feedback.message.strip(),
        "feedback_page": feedback.page.strip(),
        "feedback_name": feedback.name.strip(),
        "feedback_email": valid_email(feedback.email) or "",
    }
    async with write_transaction(session):
        recipients = list(
            await session.scalars(
                select(Member.email)
                .where(Member.role == "organiser", Member.status == "active")
                .order_by(Member.id)
            )
        )
        if not recipients and valid_email(fallback):
            recipients = [str(valid_email(fallback))]
        rows = [outbox_row(r, "accessibility_feedback", **context) for r in recipients]
        if context["feedback_email"]:
            rows.append(
                outbox_row(str(context["feedback_email"]), "accessibility_receipt", **context)
            )
        if rows:
            await session.execute(insert(OutboxMessage), rows)
    return len(recipients)
