"""The demo's feedback: a webinar held three weeks ago whose participants were invited to the
feedback form, and the five anonymous answers they gave, so that the organisers' pages show
something. The links' tokens are thrown away: nobody can read the invented members' mail."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings.models import Booking
from booking.core.formatting import BERLIN
from booking.members.models import Member
from courses.feedback.invitations import ANSWER_WITHIN
from courses.feedback.models import FeedbackAnswer, FeedbackInvitation, FeedbackRating
from courses.feedback.questions import KEYS, VERSION
from courses.models import Event, EventSession
from venues.models import OnlineRoom

ANSWERS: list[tuple[tuple[int, int, int, int], str | None]] = [
    ((5, 2, 4, 5), "Sehr praxisnah – die Fallbeispiele aus der Notaufnahme kannte ich aus dem "
     "eigenen Dienst."),
    ((4, 3, 4, 4), "Gern mehr Zeit für Fragen am Ende."),
    ((4, 2, 3, 4), None),
    ((5, 1, 3, 5), "Die Checkliste zur Nachsorge nach einem Übergriff nehme ich mit in unser "
     "Team."),
    ((3, 3, 3, 3), None),
]  # fmt: skip
"""Usefulness, confidence before and after, recommendation; the free text."""


def past_webinar(now: datetime, room: OnlineRoom | None) -> Event:
    """A webinar of 90 minutes, three weeks before ``now`` at 14:00 in Berlin."""
    day = (now - timedelta(days=21)).astimezone(BERLIN).date()
    starts = datetime(day.year, day.month, day.day, 14, tzinfo=BERLIN)
    return Event(
        kind="webinar",
        status="published",
        title="Webinar: Gewaltprävention in der Notaufnahme",
        summary="Rückblick: Deeskalation und Nachsorge in der Notaufnahme.",
        capacity=200,
        online_room=room,
        sessions=[EventSession(starts_at=starts, ends_at=starts + timedelta(minutes=90))],
        booking_opens_at=starts - timedelta(days=60),
        registration_deadline=starts - timedelta(hours=1),
        cancellation_deadline=starts - timedelta(hours=1),
    )


async def add_feedback(
    session: AsyncSession, now: datetime, room: OnlineRoom | None, members: list[Member]
) -> Event:
    """The webinar with ``members`` as its participants, all invited, five answered."""
    event = past_webinar(now, room)
    session.add(event)
    await session.flush()
    starts, ends = event.sessions[0].starts_at, event.sessions[0].ends_at
    bookings = [
        Booking(
            event_id=event.id,
            member_id=m.id,
            organisation_id=m.organisation_id,
            status="confirmed",
            created_at=starts - timedelta(days=20),
            confirmed_at=starts - timedelta(days=20),
        )
        for m in members
    ]
    session.add_all(bookings)
    await session.flush()
    session.add_all(
        FeedbackInvitation(
            event_id=event.id,
            booking_id=b.id,
            token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
            sent_at=ends + timedelta(minutes=20),
            expires_at=ends + ANSWER_WITHIN,
            used=n < len(ANSWERS),
        )
        for n, b in enumerate(bookings)
    )
    for values, comment in ANSWERS:
        answer = FeedbackAnswer(event_id=event.id, version=VERSION, comment=comment)
        answer.ratings = [
            FeedbackRating(question=k, value=v) for k, v in zip(KEYS, values, strict=True)
        ]
        session.add(answer)
    return event
