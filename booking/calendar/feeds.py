"""Calendar feeds: a member's own confirmed bookings (secret, revocable address) and the
public programme. Built by the same code as the invitations (booking.calendar.itip)."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings import messages
from booking.bookings.eligibility import meeting_link
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.notices import invitations
from booking.bookings.queries import PAST_WINDOW, booking_with_event, with_event_details
from booking.calendar import itip
from booking.core.errors import Forbidden, InvalidState, NotFound
from booking.core.transactions import write_transaction
from booking.members.models import Member
from courses.listing import parent_public
from courses.models import Event, EventSession, EventStatus
from venues.models import Room, Venue

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
    """The feed for a secret token, or None when no member has it: the member's confirmed
    bookings of events not over, or over within the window "Meine Buchungen" shows."""
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
            Booking.event_id.in_(
                select(EventSession.event_id).where(EventSession.ends_at > now - PAST_WINDOW)
            ),
        )
        .options(*with_event_details())
        .order_by(Booking.id)
    )
    entries = [itip.FeedEntry(b.event, meeting_link(b.event, b)) for b in bookings]
    return itip.feed(entries, name="Meine #sicherimDienst-Termine", dtstamp=now, base_url=base_url)


FEED_PART = 200
"""Events per part when the public feed is built."""
FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=365)
"""The public feed shows events with a session from 30 days ago to a year ahead."""


def _in_window(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Published and cancelled events with a session in the feed's window; a workshop of a
    draft conference is not public yet."""
    in_window = select(EventSession.event_id).where(
        EventSession.ends_at > now - FEED_PAST, EventSession.starts_at < now + FEED_AHEAD
    )
    return (
        Event.status.in_((EventStatus.PUBLISHED, EventStatus.CANCELLED)),
        Event.id.in_(in_window),
        parent_public(),
    )


async def programme_window(
    session: AsyncSession, now: datetime, *, after: int = 0, limit: int | None = None
) -> list[Event]:
    """The events of the feed's window, in id order (from after the id ``after``, at most
    ``limit``): a bounded set, however many years of events the database holds."""
    events = await session.scalars(
        select(Event)
        .where(*_in_window(now), Event.id > after)
        .limit(limit)
        .options(
            selectinload(Event.sessions),
            selectinload(Event.venue),
            selectinload(Event.room),
            selectinload(Event.online_room),
        )
        .order_by(Event.id)
    )
    return list(events)


async def fingerprint(session: AsyncSession, now: datetime, base_url: str) -> str:
    """The feed's entity tag: it changes whenever anything the feed shows changes. Read as
    plain rows of exactly what the feed shows, without building objects, so that asking
    "has it changed?" costs a fraction of building it. A weak tag, as the bytes differ when
    the answer goes out compressed."""
    rows = await session.execute(
        select(
            Event.id, Event.sequence, Event.status, Event.kind, Event.title, Event.summary,
            Venue.name, Venue.street, Venue.postcode, Venue.city, Room.name,
            Event.online_room_id,
            EventSession.id, EventSession.starts_at, EventSession.ends_at,
        )
        .join(EventSession, EventSession.event_id == Event.id)
        .outerjoin(Venue, Venue.id == Event.venue_id)
        .outerjoin(Room, Room.id == Event.room_id)
        .where(*_in_window(now))
        .order_by(Event.id, EventSession.id)
    )  # fmt: skip
    digest = hashlib.sha256(base_url.encode())
    for row in rows:
        digest.update(repr(tuple(row)).encode())
    return f'W/"{digest.hexdigest()[:32]}"'


@dataclass(frozen=True)
class BuiltFeed:
    etag: str
    body: str


class ProgrammeFeed:
    """The public programme as a calendar. Calendar clients poll it: it is rebuilt only
    when what it shows changed (one per process), and built in a thread, so that a large
    programme does not hold up other requests."""

    def __init__(self) -> None:
        self._built: BuiltFeed | None = None
        self._building = asyncio.Lock()

    async def tag(self, session: AsyncSession, *, now: datetime, base_url: str) -> str:
        return await fingerprint(session, now, base_url)

    async def get(
        self, session: AsyncSession, etag: str, *, now: datetime, base_url: str
    ) -> BuiltFeed:
        """The feed as of ``etag`` (from :meth:`tag`), built unless this process has it."""
        async with self._building:
            if self._built is None or self._built.etag != etag:
                body = await self._build(session, now=now, base_url=base_url)
                self._built = BuiltFeed(etag, body)
            return self._built

    async def _build(self, session: AsyncSession, *, now: datetime, base_url: str) -> str:
        """The feed written a part at a time: a few hundred events are loaded, written in a
        thread and let go before the next part, so that building a year's programme does
        not hold all of it, and all of icalendar's objects for it, at once."""
        parts = [itip.feed_head("#sicherimDienst Programm")]
        last = 0
        while events := await programme_window(session, now, after=last, limit=FEED_PART):
            entries = [itip.FeedEntry(e) for e in events]
            last = events[-1].id
            del events
            parts.append(
                await asyncio.to_thread(itip.feed_events, entries, dtstamp=now, base_url=base_url)
            )
            del entries
        parts.append(itip.FEED_END)
        return "".join(parts)


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
