"""Organisers write to an event's confirmed participants, its waiting list or both: one mail
per person through the outbox, the message recorded on the event. ``{name}`` and
``{veranstaltung}`` in subject and text become the person's name and the event's title. An
online event's meeting link goes along only to confirmed participants (the booking's mail
context decides, rule 7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings import messages
from booking.bookings.models import Announcement, Booking, BookingStatus
from booking.core.errors import Forbidden, NotFound, ValidationFailed
from booking.core.transactions import write_transaction
from booking.mail.models import OutboxMessage
from booking.mail.services import outbox_row
from booking.members.models import Member
from courses.models import Event

AUDIENCES: dict[str, tuple[str, ...]] = {
    "confirmed": (BookingStatus.CONFIRMED,),
    # An open offer is still the waiting list's: a seat held, not yet taken.
    "waiting": (BookingStatus.WAITING, BookingStatus.OFFERED),
    "all": (BookingStatus.CONFIRMED, BookingStatus.WAITING, BookingStatus.OFFERED),
}
AUDIENCE_LABELS = {
    "confirmed": "die bestätigten Teilnehmenden",
    "waiting": "die Warteliste",
    "all": "Teilnehmende und Warteliste",
}
PLACEHOLDERS = ("{name}", "{veranstaltung}")
SUBJECT_MAX, BODY_MAX = 200, 10_000
RECORDED = 50
"""Messages listed on an event's page (the newest)."""


@dataclass(frozen=True)
class Draft:
    audience: str
    subject: str
    body: str


def fill(text: str, name: str, title: str) -> str:
    """The placeholders filled in for one person."""
    return text.replace("{name}", name).replace("{veranstaltung}", title)


def check(draft: Draft) -> Draft:
    """The draft with subject and text trimmed; a German 422 naming each problem."""
    subject, body = draft.subject.strip(), draft.body.strip()
    errors = {}
    if draft.audience not in AUDIENCES:
        errors["to"] = messages.AUDIENCE_UNKNOWN
    if not subject or len(subject) > SUBJECT_MAX or not subject.isprintable():
        errors["subject"] = messages.SUBJECT_INVALID
    if (
        not body
        or len(body) > BODY_MAX
        or any(not (c.isprintable() or c in "\n\r\t") for c in body)
    ):
        errors["body"] = messages.BODY_INVALID
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
    return Draft(draft.audience, subject, body)


async def recipients(session: AsyncSession, event_id: int, audience: str) -> int:
    """How many people a message to ``audience`` reaches."""
    count = await session.scalar(
        select(func.count()).where(
            Booking.event_id == event_id, Booking.status.in_(AUDIENCES[audience])
        )
    )
    return count or 0


async def announce(
    session: AsyncSession, *, event_id: int, draft: Draft, actor: Member, now: datetime
) -> Announcement:
    """Record the message and write one mail per person, in one transaction (organisers)."""
    if not actor.is_organiser:
        raise Forbidden()
    draft = check(draft)
    async with write_transaction(session):
        if await session.get(Event, event_id) is None:
            raise NotFound(messages.EVENT_NOT_FOUND)
        people = list(
            await session.execute(
                select(Booking.id, Member.email)
                .join(Member, Member.id == Booking.member_id)
                .where(Booking.event_id == event_id, Booking.status.in_(AUDIENCES[draft.audience]))
                .order_by(Booking.id)
            )
        )
        if not people:
            raise ValidationFailed(messages.NO_RECIPIENTS, {"to": messages.NO_RECIPIENTS})
        announcement = Announcement(
            event_id=event_id, sent_by=actor.id, audience=draft.audience,
            subject=draft.subject, body=draft.body, recipients=len(people), created_at=now,
        )  # fmt: skip
        session.add(announcement)
        await session.flush()
        mails = [
            outbox_row(
                email, "event_message", booking_id=booking_id, announcement_id=announcement.id
            )  # fmt: skip
            for booking_id, email in people
        ]
        await session.execute(insert(OutboxMessage), mails)
    return announcement


async def event_announcements(
    session: AsyncSession, event_id: int, actor: Member
) -> list[Announcement]:
    """The newest messages of an event, with who sent them (organisers)."""
    if not actor.is_organiser:
        raise Forbidden()
    found = await session.scalars(
        select(Announcement)
        .where(Announcement.event_id == event_id)
        .options(selectinload(Announcement.sender))
        .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        .limit(RECORDED)
    )
    return list(found)
