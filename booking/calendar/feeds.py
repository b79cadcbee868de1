"""Calendar feeds: a member's own confirmed bookings (secret, revocable address) and the
public programme. Built by the same code as the invitations (booking.calendar.itip)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings import messages
from booking.bookings.eligibility import meeting_link
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.notices import invitations
from booking.bookings.queries import booking_with_event, with_event_details
from booking.calendar import itip
from booking.core.errors import Forbidden, InvalidState, NotFound
from booking.core.transactions import write_transaction
from booking.members.models import Member
from courses.models import Event, EventStatus

TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What ``secrets.token_urlsafe`` gives; anything else (a NUL byte, say) names no feed."""


async def renew_calendar_token(session: AsyncSession, member: Member) -> str:
    """A new secret address for the member's feed; the old one stops working at once."""
    token = secrets.token_urlsafe(24)
    async with write_transaction(session):
        await session.execute(
            update(Member).where(Member.id == member.id).values(calendar_token=token)
        )
    return token


async def revoke_calendar_token(session: AsyncSession, member: Member) -> None:
    async with write_transaction(session):
        await session.execute(
            update(Member).where(Member.id == member.id).values(calendar_token=None)
        )


async def member_feed(
    session: AsyncSession, token: str, *, now: datetime, base_url: str
) -> str | None:
    """The feed for a secret token, or None when no member has it."""
    if not TOKEN.fullmatch(token):
        return None
    member = await session.scalar(select(Member).where(Member.calendar_token == token))
    if member is None or member.status != "active":
        return None
    bookings = await session.scalars(
        select(Booking)
        .where(
            Booking.member_id == member.id,
            Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.ATTENDED)),
        )
        .options(*with_event_details())
        .order_by(Booking.id)
    )
    entries = [itip.FeedEntry(b.event, meeting_link(b.event, b)) for b in bookings]
    return itip.feed(entries, name="Meine #sicherimDienst-Termine", dtstamp=now, base_url=base_url)


async def programme_feed(session: AsyncSession, *, now: datetime, base_url: str) -> str:
    events = await session.scalars(
        select(Event)
        .where(Event.status == EventStatus.PUBLISHED)
        .options(
            selectinload(Event.sessions),
            selectinload(Event.venue),
            selectinload(Event.room),
            selectinload(Event.online_room),
        )
        .order_by(Event.id)
    )
    entries = [itip.FeedEntry(e) for e in events]
    return itip.feed(entries, name="#sicherimDienst Programm", dtstamp=now, base_url=base_url)


async def invitation_for(
    session: AsyncSession,
    *,
    booking_id: int,
    actor: Member,
    organizer: str,
    base_url: str,
    now: datetime,
) -> str:
    """The current invitation of a confirmed booking (the member's own, or any for an
    organiser), as the mails send it: same UID, current SEQUENCE."""
    booking = await booking_with_event(session, booking_id)
    if booking is None:
        raise NotFound(messages.BOOKING_NOT_FOUND)
    if booking.member_id != actor.id and not actor.is_organiser:
        raise Forbidden(messages.NOT_YOUR_BOOKING)
    if booking.status != BookingStatus.CONFIRMED:
        raise InvalidState(messages.INVITATION_ONLY_CONFIRMED)
    event = booking.event
    invite = (await invitations(session, event, [booking], "REQUEST"))[booking.id]
    return itip.invitation(
        event,
        method="REQUEST",
        sequence=invite["sequence"],
        attendee=itip.Attendee(booking.member.email, booking.member.display_name),
        organizer=organizer,
        dtstamp=now,
        base_url=base_url,
        meeting_link=meeting_link(event, booking),
    )
