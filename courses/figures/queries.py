"""The year in figures: events by format, seats offered and taken, waiting-list demand,
attendance, bookings by sector and Regierungsbezirk, feedback averages.

What counts for a year:

- an event whose first session starts in that calendar year in Berlin time, published (not
  a draft, not called off; a workshop only while its conference is not a draft);
- a workshop counts under its own format "Workshop", with its own seats and waiting list;
  the sums and every figure about people (attendance, sectors, Regierungsbezirke) leave
  workshops out, as their seats are taken by participants of the conference a second time;
- seats offered: the capacity of those events; seats taken: participants (confirmed or with
  an outcome, walk-ins included, so more than offered is possible);
- waiting-list demand: bookings that were ever on the waiting list (``waitlisted_at`` set),
  and those still waiting (for a past event: who never got a seat);
- attendance rate: attended and partly attended over the participants whose outcome is
  settled (attended, partial, no-show); the no-show rate over the same;
- sectors and Regierungsbezirke: from the organisation the booking was made for.

Every figure comes from two aggregate queries (the events' count and capacity; one grouped
pass over the year's bookings, found through the index on event and status), never from
rows loaded one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, Select, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from booking.bookings.models import PARTICIPANT_STATUSES, Booking, BookingStatus
from booking.core.errors import Forbidden, ValidationFailed
from booking.core.formatting import BERLIN, FIRST_YEAR, LAST_YEAR
from booking.members.models import Member
from booking.organisations.models import Organisation, Sector
from courses.feedback.queries import feedback_summary
from courses.figures import messages
from courses.listing import parent_public
from courses.models import KINDS, Event, EventKind, EventSession, EventStatus
from venues.models import REGIONS


@dataclass(frozen=True)
class FormatFigures:
    """The figures of one format (``kind``), or of all but workshops (``kind`` None)."""

    kind: str | None
    events: int = 0
    seats_offered: int = 0
    seats_taken: int = 0
    waitlisted_ever: int = 0
    still_waiting: int = 0
    attended: int = 0
    partial: int = 0
    no_show: int = 0

    @property
    def utilisation(self) -> float | None:
        """Seats taken over seats offered (None without seats)."""
        return self.seats_taken / self.seats_offered if self.seats_offered else None

    @property
    def settled(self) -> int:
        """Participants whose outcome is set."""
        return self.attended + self.partial + self.no_show

    @property
    def attendance_rate(self) -> float | None:
        return (self.attended + self.partial) / self.settled if self.settled else None

    @property
    def no_show_rate(self) -> float | None:
        return self.no_show / self.settled if self.settled else None


@dataclass(frozen=True)
class GroupFigures:
    """Bookings of one sector or Regierungsbezirk (``key`` None: without an organisation)."""

    key: str | None
    participants: int = 0
    bookings: int = 0


@dataclass(frozen=True)
class FeedbackQuestion:
    question: str
    average: float | None
    count: int


@dataclass(frozen=True)
class _Averaged:
    question: str
    average: float | None
    count: int


class FeedbackAverage(Protocol):
    """One question's figures as the feedback room gives them."""

    @property
    def question(self) -> str: ...
    @property
    def average(self) -> float | None: ...
    @property
    def count(self) -> int: ...


@dataclass(frozen=True)
class YearFigures:
    year: int
    starts: datetime
    ends: datetime
    """The year in Berlin time, as UTC bounds (``ends`` excluded)."""
    formats: list[FormatFigures]
    """Every format in the programme's order, with zeros."""
    total: FormatFigures
    """All formats but workshops."""
    sectors: list[GroupFigures]
    """Every sector in the network's order; then bookings without an organisation, if any."""
    regions: list[GroupFigures]
    """The five Regierungsbezirke; then any other name an organisation has, and none."""
    feedback: list[FeedbackQuestion] | None = field(default=None)
    """Per question, or None while there is no feedback."""


def year_window(year: int) -> tuple[datetime, datetime]:
    """The calendar year in Berlin as UTC bounds; a year outside FIRST_YEAR to LAST_YEAR is
    refused."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(messages.YEAR_RANGE, {"year": messages.YEAR_RANGE})
    return datetime(year, 1, 1, tzinfo=BERLIN), datetime(year + 1, 1, 1, tzinfo=BERLIN)


def require_organiser(actor: Member) -> None:
    """The figures are for the organisers only."""
    if not actor.is_organiser:
        raise Forbidden()


async def year_choices(
    session: AsyncSession, actor: Member, now: datetime, chosen: int | None = None
) -> list[int]:
    """The years to offer, newest first: from the first session's to the last one's, and
    this year and the chosen one (organisers only). Two index look-ups."""
    require_organiser(actor)
    first, last = (
        await session.execute(
            select(func.min(EventSession.starts_at), func.max(EventSession.starts_at))
        )
    ).one()
    this_year = now.astimezone(BERLIN).year
    years = {this_year} | ({chosen} if chosen is not None else set())
    if first is not None and last is not None:
        low = max(first.astimezone(BERLIN).year, FIRST_YEAR)
        high = min(last.astimezone(BERLIN).year, LAST_YEAR)
        years |= set(range(low, high + 1))
    return sorted((y for y in years if FIRST_YEAR <= y <= LAST_YEAR), reverse=True)


def counted_events(starts: datetime, ends: datetime) -> Select[int, str, int]:
    """The events that count for the window: published, first session within it. Found by
    the sessions that start in the window (index on ``starts_at``), less those with an
    earlier session (index on ``event_id``)."""
    in_window = select(EventSession.event_id).where(
        EventSession.starts_at >= starts, EventSession.starts_at < ends
    )
    earlier = aliased(EventSession)
    return select(Event.id, Event.kind, Event.capacity).where(
        Event.id.in_(in_window),
        Event.status == EventStatus.PUBLISHED,
        parent_public(),
        ~exists().where(earlier.event_id == Event.id, earlier.starts_at < starts),
    )


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def year_figures(
    session: AsyncSession,
    *,
    year: int,
    actor: Member,
    feedback: Iterable[FeedbackAverage] | None = None,
) -> YearFigures:
    """The figures of ``year`` (organisers only); ``feedback`` are averages per question over
    the same year (by default the feedback room's, of the events that ended in the year)."""
    require_organiser(actor)
    starts, ends = year_window(year)
    if feedback is None:
        summary = await feedback_summary(session, starts=starts, ends=ends)
        if summary.answered:
            feedback = [_Averaged(q.label, q.average, q.count) for q in summary.questions]
    counted = counted_events(starts, ends).subquery()

    events = {
        kind: (count, seats)
        for kind, count, seats in await session.execute(
            select(
                counted.c.kind, func.count(), func.coalesce(func.sum(counted.c.capacity), 0)
            ).group_by(counted.c.kind)
        )
    }
    # One pass over the year's bookings: grouped by format and by the organisation's sector
    # and Regierungsbezirk (a few hundred groups at most), summed up here both ways.
    status = Booking.status
    rows = await session.execute(
        select(
            counted.c.kind,
            Organisation.sector,
            Organisation.region,
            _count(status.in_(PARTICIPANT_STATUSES)),
            _count(Booking.waitlisted_at.is_not(None)),
            _count(status == BookingStatus.WAITING),
            _count(status == BookingStatus.ATTENDED),
            _count(status == BookingStatus.PARTIAL),
            _count(status == BookingStatus.NO_SHOW),
            func.count(),
        )
        .select_from(Booking)
        .join(counted, counted.c.id == Booking.event_id)
        .outerjoin(Organisation, Organisation.id == Booking.organisation_id)
        .group_by(counted.c.kind, Organisation.sector, Organisation.region)
    )
    booked: dict[str, list[int]] = {}
    by_sector: dict[str | None, list[int]] = {}
    by_region: dict[str | None, list[int]] = {}
    for kind, sector, region, taken, *counts, bookings in rows:
        sums = booked.setdefault(kind, [0] * 6)
        for i, value in enumerate((taken, *counts)):
            sums[i] += value
        if kind == EventKind.WORKSHOP:
            continue
        for target, key in ((by_sector, sector), (by_region, region)):
            group = target.setdefault(key, [0, 0])
            group[0] += taken
            group[1] += bookings
    formats = []
    for kind in KINDS:
        count, seats = events.get(kind, (0, 0))
        taken, waitlisted, waiting, attended, partial, no_show = booked.get(kind, [0] * 6)
        formats.append(
            FormatFigures(
                kind=kind,
                events=count,
                seats_offered=seats,
                seats_taken=taken,
                waitlisted_ever=waitlisted,
                still_waiting=waiting,
                attended=attended,
                partial=partial,
                no_show=no_show,
            )
        )
    total = _sum(f for f in formats if f.kind != EventKind.WORKSHOP)
    return YearFigures(
        year=year,
        starts=starts,
        ends=ends,
        formats=formats,
        total=total,
        sectors=_groups(by_sector, [s.value for s in Sector]),
        regions=_groups(by_region, list(REGIONS)),
        feedback=feedback_section(feedback),
    )


def _sum(parts: Iterable[FormatFigures]) -> FormatFigures:
    found = list(parts)
    return FormatFigures(
        kind=None,
        **{
            name: sum(getattr(f, name) for f in found)
            for name in (
                "events",
                "seats_offered",
                "seats_taken",
                "waitlisted_ever",
                "still_waiting",
                "attended",
                "partial",
                "no_show",
            )
        },
    )


def _groups(found: dict[str | None, list[int]], order: list[str]) -> list[GroupFigures]:
    """Every key of ``order`` (zeros too), then any other found key by name, then None."""
    others = sorted(k for k in found if k is not None and k not in order)
    keys: list[str | None] = [*order, *others]
    if None in found:
        keys.append(None)
    return [GroupFigures(key, *found.get(key, [0, 0])) for key in keys]


# -- feedback -------------------------------------------------------------------------------------


def feedback_section(summary: Iterable[FeedbackAverage] | None) -> list[FeedbackQuestion] | None:
    """The feedback part of the figures: the average and number of answers per question, as
    the feedback room computes them over the year; None (shown as "Noch keine
    Rückmeldungen") when there is none."""
    if summary is None:
        return None
    questions = [FeedbackQuestion(q.question, q.average, q.count) for q in summary]
    return questions or None
