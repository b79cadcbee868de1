"""iCalendar: invitations (iTIP REQUEST/CANCEL) and feeds (PUBLISH), from one builder.

- UID: one per session, ``event-<event id>-session-<session id>@sicherimdienst``, stable
  for the life of the event, so that updates and cancellations replace the same entries.
- SEQUENCE: :func:`invite_sequence` — rises with every change of the event and with every
  booking and cancellation of the same member, so a calendar never ignores a newer message.
- Times in Europe/Berlin with a VTIMEZONE (RRULE form, as Thunderbird and Outlook write it).
- The meeting link of an online event only goes to confirmed participants (DESIGN.md rule 7).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText
from icalendar import Event as VEvent

from booking.core.formatting import BERLIN
from courses.messages import KIND_LABELS
from courses.models import Event, EventStatus

PRODID = "-//#sicherimDienst//Veranstaltungsbuchung//DE"
UID_DOMAIN = "sicherimdienst"


def invite_sequence(event_sequence: int, earlier_bookings: int, cancelled: bool) -> int:
    """Every message to one member about one event carries a higher SEQUENCE than the last:
    a change of the event raises ``event_sequence``; each earlier booking of the member
    (booked, then cancelled) used up two numbers."""
    return event_sequence + 2 * earlier_bookings + (1 if cancelled else 0)


def session_uid(event_id: int, session_id: int) -> str:
    return f"event-{event_id}-session-{session_id}@{UID_DOMAIN}"


def berlin_timezone() -> Timezone:
    tz = Timezone()
    tz.add("tzid", "Europe/Berlin")
    daylight = TimezoneDaylight()
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    daylight.add("tzname", "CEST")
    daylight.add("dtstart", datetime(1970, 3, 29, 2, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    standard = TimezoneStandard()
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    standard.add("tzname", "CET")
    standard.add("dtstart", datetime(1970, 10, 25, 3, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str


def _calendar(method: str | None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Europe/Berlin")
    cal.add_component(berlin_timezone())
    return cal


def _location(event: Event, meeting_link: str | None) -> str:
    if event.venue is not None:
        v = event.venue
        room = f", {event.room.name}" if event.room is not None else ""
        return f"{v.name}{room}, {v.street}, {v.postcode} {v.city}"
    if event.online_room is not None:
        return meeting_link or "Online (Zugangslink für bestätigte Teilnehmende)"
    return ""


def _description(event: Event, meeting_link: str | None, base_url: str) -> str:
    parts = [f"{KIND_LABELS.get(event.kind, event.kind)}: {event.title}"]
    if event.summary:
        parts.append(event.summary)
    if meeting_link:
        parts.append(f"Zugangslink: {meeting_link}")
    parts.append(f"Details und Stornierung: {base_url}/veranstaltungen/{event.id}")
    return "\n\n".join(parts)


def _vevents(
    event: Event,
    *,
    sequence: int,
    dtstamp: datetime,
    meeting_link: str | None,
    base_url: str,
    cancelled: bool,
    organizer: str | None,
    attendee: Attendee | None,
) -> Iterable[VEvent]:
    count = len(event.sessions)
    for number, sitting in enumerate(event.sessions, start=1):
        vevent = VEvent()
        vevent.add("uid", session_uid(event.id, sitting.id))
        vevent.add("sequence", sequence)
        vevent.add("dtstamp", dtstamp)
        vevent.add("dtstart", sitting.starts_at.astimezone(BERLIN))
        vevent.add("dtend", sitting.ends_at.astimezone(BERLIN))
        title = event.title if count == 1 else f"{event.title} (Tag {number} von {count})"
        vevent.add("summary", title)
        vevent.add("description", _description(event, meeting_link, base_url))
        location = _location(event, meeting_link)
        if location:
            vevent.add("location", location)
        vevent.add("url", meeting_link or f"{base_url}/veranstaltungen/{event.id}")
        vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        vevent.add("transp", "OPAQUE")
        if organizer:
            name, address = parseaddr(organizer)
            org = vCalAddress(f"mailto:{address}")
            org.params["cn"] = vText(name or "#sicherimDienst")
            vevent.add("organizer", org)
        if attendee is not None:
            att = vCalAddress(f"mailto:{attendee.email}")
            att.params["cn"] = vText(attendee.name)
            att.params["role"] = vText("REQ-PARTICIPANT")
            att.params["partstat"] = vText("DECLINED" if cancelled else "ACCEPTED")
            att.params["rsvp"] = vText("FALSE")
            vevent.add("attendee", att)
        yield vevent


@dataclass(frozen=True)
class Withdrawn:
    """A session taken out of a booked event: its entry stays in the update, cancelled."""

    session_id: int
    starts_at: datetime
    ends_at: datetime


def invitation(
    event: Event,
    *,
    method: str,
    sequence: int,
    attendee: Attendee,
    organizer: str,
    dtstamp: datetime,
    base_url: str,
    meeting_link: str | None = None,
    withdrawn: Iterable[Withdrawn] = (),
) -> str:
    """An iTIP message: ``REQUEST`` (booked, promoted, moved) or ``CANCEL``. A REQUEST
    carries the ``withdrawn`` sessions' entries (same UIDs) with STATUS:CANCELLED, so that
    calendars drop a session that was taken out of the event."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(method)
    cal = _calendar(method)
    cancelled = method == "CANCEL"
    for vevent in _vevents(
        event,
        sequence=sequence,
        dtstamp=dtstamp,
        meeting_link=None if cancelled else meeting_link,
        base_url=base_url,
        cancelled=cancelled,
        organizer=organizer,
        attendee=attendee,
    ):
        cal.add_component(vevent)
    for gone in withdrawn:
        vevent = VEvent()
        vevent.add("uid", session_uid(event.id, gone.session_id))
        vevent.add("sequence", sequence)
        vevent.add("dtstamp", dtstamp)
        vevent.add("dtstart", gone.starts_at.astimezone(BERLIN))
        vevent.add("dtend", gone.ends_at.astimezone(BERLIN))
        vevent.add("summary", f"Entfällt: {event.title}")
        vevent.add("status", "CANCELLED")
        name, address = parseaddr(organizer)
        org = vCalAddress(f"mailto:{address}")
        org.params["cn"] = vText(name or "#sicherimDienst")
        vevent.add("organizer", org)
        cal.add_component(vevent)
    return str(cal.to_ical().decode())


@dataclass(frozen=True)
class FeedEntry:
    event: Event
    meeting_link: str | None = None


def feed(entries: Iterable[FeedEntry], *, name: str, dtstamp: datetime, base_url: str) -> str:
    """A subscribable calendar (``PUBLISH``): the programme, or a member's own bookings."""
    return feed_head(name) + feed_events(entries, dtstamp=dtstamp, base_url=base_url) + FEED_END


FEED_END = "END:VCALENDAR\r\n"


def feed_head(name: str) -> str:
    """A feed's calendar up to its first event: properties and the time zone."""
    text = str(_calendar(None, name=name).to_ical().decode())
    assert text.endswith(FEED_END)
    return text.removesuffix(FEED_END)


def feed_events(entries: Iterable[FeedEntry], *, dtstamp: datetime, base_url: str) -> str:
    """The VEVENTs of ``entries``, one after another, as they stand in a feed: a large feed
    can be written a part at a time, between :func:`feed_head` and :data:`FEED_END`."""
    return "".join(
        vevent.to_ical().decode()
        for entry in entries
        for vevent in _vevents(
            entry.event,
            sequence=entry.event.sequence,
            dtstamp=dtstamp,
            meeting_link=entry.meeting_link,
            base_url=base_url,
            cancelled=entry.event.status == EventStatus.CANCELLED,
            organizer=None,
            attendee=None,
        )
    )
