"""What a booking's mails show: the booking, its member and event, the meeting link for
confirmed participants only (rule 7), the waiting-list position, the links that answer an
offered seat, and the invitation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings.eligibility import meeting_link
from booking.bookings.models import Announcement, BookingStatus
from booking.bookings.offers import offer_links, offer_serializer
from booking.bookings.queries import booking_with_event, waitlist_positions
from booking.calendar import itip
from booking.core.db import utcnow
from booking.mail.render import CalendarPart, Loaded
from booking.settings import Settings


async def booking_context(
    session: AsyncSession, settings: Settings, stored: Mapping[str, Any]
) -> Loaded:
    """For messages whose context names a ``booking_id``; with ``method`` (REQUEST or
    CANCEL) the invitation goes along, at the ``sequence`` stored with the message."""
    booking_id = int(stored["booking_id"])
    booking = await booking_with_event(session, booking_id)
    if booking is None:
        raise LookupError(f"booking {booking_id} is gone")
    link = meeting_link(booking.event, booking)
    values: dict[str, Any] = {
        "booking": booking,
        "member": booking.member,
        "event": booking.event,
        "meeting_link": link,
    }
    positions = await waitlist_positions(session, [booking])
    if booking.id in positions:
        values["position"] = positions[booking.id]
    if booking.status == BookingStatus.OFFERED and booking.offered_at is not None:
        serializer = offer_serializer(settings.secret_key)
        values.update(offer_links(serializer, settings.base_url, booking))
    parts = []
    method = stored.get("method")
    if method in ("REQUEST", "CANCEL"):
        member = booking.member
        ics = itip.invitation(
            booking.event,
            method=method,
            sequence=int(stored.get("sequence", 0)),
            attendee=itip.Attendee(member.email, member.display_name),
            organizer=settings.mail_from,
            dtstamp=utcnow(),
            base_url=settings.base_url,
            meeting_link=link,
            withdrawn=[
                itip.Withdrawn(
                    int(w["id"]),
                    datetime.fromisoformat(w["starts_at"]),
                    datetime.fromisoformat(w["ends_at"]),
                )
                for w in stored.get("withdrawn", ())
            ]
            if method == "REQUEST"
            else (),
        )
        parts.append(CalendarPart(method=method, ics=ics))
    return Loaded(values, parts)


async def announcement_context(
    session: AsyncSession, settings: Settings, stored: Mapping[str, Any]
) -> Loaded:
    """For messages whose context names an ``announcement_id`` (with its ``booking_id``)."""
    announcement = await session.get(Announcement, int(stored["announcement_id"]))
    if announcement is None:
        raise LookupError("announcement is gone")
    return Loaded({"announcement": announcement})
