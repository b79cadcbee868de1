"""A year whose figures are known: 2024, with events at its edges (Berlin midnight), a
called-off and a draft event, a conference with a workshop, a training with outcomes, and
bookings from three sectors, three Regierungsbezirke and none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings.models import Booking
from booking.members.models import Member
from booking.organisations.models import Organisation
from courses.models import Event
from tests import factories
from tests.factories import NOW

YEAR = 2024


def at(*parts: int) -> datetime:
    """A moment in UTC."""
    return datetime(*parts, tzinfo=UTC)


async def event_at(db: AsyncSession, start: datetime, **fields: object) -> Event:
    return await factories.event(db, starts_in=start - NOW, **fields)


async def book(
    db: AsyncSession,
    event: Event,
    org: Organisation | None,
    status: str,
    *,
    waitlisted: bool = False,
) -> Booking:
    """A booking of a new member of ``org`` (None: a booking without an organisation)."""
    person = await factories.member(db, org)
    booking = Booking(
        event_id=event.id,
        member_id=person.id,
        organisation_id=org.id if org else None,
        status=status,
        waitlisted_at=at(2024, 1, 2) if waitlisted else None,
    )
    db.add(booking)
    await db.commit()
    return booking


@dataclass
class Year:
    organiser: Member
    member: Member
    training: Event
    conference: Event
    workshop: Event


async def known_year(db: AsyncSession) -> Year:
    health = await factories.organisation(db, sector="gesundheit", region="Köln")
    school = await factories.organisation(db, sector="schule", region="Münster")
    police = await factories.organisation(db, sector="polizei", region="Detmold")
    organiser = await factories.member(db, school, role="organiser")
    member = await factories.member(db, school)

    # 09:00 Berlin in March, two days: counts.
    training = await event_at(db, at(2024, 3, 10, 8), kind="training", capacity=3, days=2)
    await book(db, training, health, "attended")
    await book(db, training, health, "partial")
    await book(db, training, school, "no_show")
    await book(db, training, school, "waiting", waitlisted=True)
    await book(db, training, police, "cancelled", waitlisted=True)

    conference = await event_at(db, at(2024, 6, 1, 7), kind="conference", capacity=100)
    await book(db, conference, health, "confirmed")
    await book(db, conference, school, "confirmed")
    await book(db, conference, police, "requested")
    workshop = await event_at(
        db, at(2024, 6, 1, 12), kind="workshop", capacity=10, parent_id=conference.id
    )
    await book(db, workshop, health, "confirmed")
    await book(db, workshop, school, "waiting", waitlisted=True)

    # 00:30 on New Year's Day in Berlin is still 2023 in UTC: counts for 2024.
    meeting = await event_at(db, at(2023, 12, 31, 23, 30), kind="network_meeting", capacity=50)
    await book(db, meeting, None, "confirmed")

    # Not counted: a first session at 23:30 on New Year's Eve in Berlin (2023) with a
    # second one in 2024; 00:30 on 1 January 2025 in Berlin (still 2024 in UTC); a
    # called-off webinar; a draft; a workshop of a draft conference.
    spanning = await event_at(db, at(2023, 12, 31, 22, 30), kind="network_meeting", days=2)
    await book(db, spanning, health, "confirmed")
    later = await event_at(db, at(2024, 12, 31, 23, 30), kind="webinar", capacity=500)
    await book(db, later, school, "confirmed")
    called_off = await event_at(db, at(2024, 5, 5, 8), kind="webinar", status="cancelled")
    await book(db, called_off, health, "cancelled")
    draft = await event_at(db, at(2024, 9, 9, 8), kind="training", status="draft")
    await book(db, draft, school, "confirmed")
    draft_parent = await event_at(db, at(2024, 9, 9, 8), kind="conference", status="draft")
    hidden = await event_at(
        db, at(2024, 9, 9, 9), kind="workshop", capacity=20, parent_id=draft_parent.id
    )
    await book(db, hidden, school, "confirmed")
    return Year(organiser, member, training, conference, workshop)


FORMATS_2024 = {
    # kind: events, offered, taken, ever waiting, still waiting, attended, partial, no-show
    "network_meeting": (1, 50, 1, 0, 0, 0, 0, 0),
    "conference": (1, 100, 2, 0, 0, 0, 0, 0),
    "workshop": (1, 10, 1, 1, 1, 0, 0, 0),
    "online_qa": (0, 0, 0, 0, 0, 0, 0, 0),
    "webinar": (0, 0, 0, 0, 0, 0, 0, 0),
    "training": (1, 3, 3, 2, 1, 1, 1, 1),
}
TOTAL_2024 = (3, 153, 6, 2, 1, 1, 1, 1)
SECTORS_2024 = {  # participants, bookings
    "gesundheit": (3, 3),
    "schule": (2, 3),
    "polizei": (0, 2),
    None: (1, 1),
}
REGIONS_2024 = {
    "Arnsberg": (0, 0),
    "Detmold": (0, 2),
    "Düsseldorf": (0, 0),
    "Köln": (3, 3),
    "Münster": (2, 3),
    None: (1, 1),
}
