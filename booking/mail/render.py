"""Rendering a queued message: its template folder (subject, text, html) and its context,
read fresh from the database when the message is sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings.eligibility import meeting_link
from booking.bookings.queries import booking_with_event, waitlist_positions
from booking.calendar import itip
from booking.core.db import utcnow
from booking.core.templating import FILTERS
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.settings import ROOT, Settings

MAIL_TEMPLATES = ROOT / "templates" / "mail"


@dataclass(frozen=True)
class CalendarPart:
    method: str
    ics: str


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str
    calendar_parts: list[CalendarPart] = field(default_factory=list)


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(MAIL_TEMPLATES)),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html"]) if autoescape else False,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


_TEXT = _environment(autoescape=False)
_HTML = _environment(autoescape=True)


def render_templates(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    subject = _TEXT.get_template(f"{name}/subject.txt").render(context).strip()
    text = _TEXT.get_template(f"{name}/body.txt").render(context)
    html = _HTML.get_template(f"{name}/body.html").render(context)
    return " ".join(subject.split()), text, html


async def _booking_context(session: AsyncSession, booking_id: int) -> dict[str, Any]:
    booking = await booking_with_event(session, booking_id)
    if booking is None:
        raise LookupError(f"booking {booking_id} is gone")
    context: dict[str, Any] = {
        "booking": booking,
        "member": booking.member,
        "event": booking.event,
        "meeting_link": meeting_link(booking.event, booking),
    }
    positions = await waitlist_positions(session, [booking])
    if booking.id in positions:
        context["position"] = positions[booking.id]
    return context


async def build_context(
    session: AsyncSession, settings: Settings, message: OutboxMessage
) -> dict[str, Any]:
    context: dict[str, Any] = {"base_url": settings.base_url, **message.context}
    if "booking_id" in message.context:
        context.update(await _booking_context(session, int(message.context["booking_id"])))
    if "member_id" in message.context:
        member = await session.get(Member, int(message.context["member_id"]))
        if member is None:
            raise LookupError("member is gone")
        context["member"] = member
    return context


async def render_message(
    session: AsyncSession, settings: Settings, message: OutboxMessage
) -> RenderedMail:
    context = await build_context(session, settings, message)
    subject, text, html = render_templates(message.template, context)
    parts = []
    method = message.context.get("method")
    if method in ("REQUEST", "CANCEL") and "booking" in context:
        member = context["member"]
        parts.append(
            CalendarPart(
                method=method,
                ics=itip.invitation(
                    context["event"],
                    method=method,
                    sequence=int(message.context.get("sequence", 0)),
                    attendee=itip.Attendee(member.email, member.display_name),
                    organizer=settings.mail_from,
                    dtstamp=utcnow(),
                    base_url=settings.base_url,
                    meeting_link=context["meeting_link"],
                ),
            )
        )
    return RenderedMail(subject=subject, text=text, html=html, calendar_parts=parts)
