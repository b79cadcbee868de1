"""Who may book what, and when (DESIGN.md rules 6 and the programme's restrictions).

:func:`eligibility_error` is pure: it decides from facts the caller has loaded, so the
booking transaction (which loads the facts of many requests at once) and the event page
(which loads them for one) apply the very same rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import messages
from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingStatus
from booking.core.errors import BookingClosed, DomainError, NotEligible, ScheduleClash
from booking.core.formatting import datetime_de
from booking.members.models import Member
from booking.organisations.messages import SECTORS
from courses.models import Event, EventSession, EventStatus


def registration_deadline(event: Event) -> datetime | None:
    """The explicit deadline, or else the start of the first session."""
    return event.registration_deadline or event.starts_at


def cancellation_deadline(event: Event) -> datetime | None:
    return event.cancellation_deadline or event.starts_at


def self_cancellation_open(event: Event, booking: Booking, now: datetime) -> bool:
    """Whether a member may still cancel their own booking (rule 6). Leaving a waiting list
    is always possible; a confirmed seat only until the cancellation deadline."""
    if booking.status != BookingStatus.CONFIRMED:
        return True
    deadline = cancellation_deadline(event)
    return deadline is None or now < deadline


def cancellation_allowed(event: Event, booking: Booking, actor: Member, now: datetime) -> bool:
    """Whether ``actor`` may cancel ``booking`` now: organisers always, the member their own
    within the self-cancellation rule. The one rule for the service and the pages."""
    if actor.is_organiser:
        return True
    return booking.member_id == actor.id and self_cancellation_open(event, booking, now)


def meeting_link(event: Event, booking: Booking | None) -> str | None:
    """The online room's link, for confirmed participants only (DESIGN.md rule 7)."""
    if event.online_room is None or booking is None or booking.status != BookingStatus.CONFIRMED:
        return None
    return event.online_room.meeting_url


def _window_closed(event: Event, now: datetime, *, by_organiser: bool = False) -> str | None:
    """Which part of rule 6 keeps the event from taking bookings at ``now``, or None.
    The back office books on a member's behalf outside the booking window too, until the
    event is over."""
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if event.status != EventStatus.PUBLISHED:
        return "draft"
    if by_organiser:
        ends = event.ends_at
        return "ended" if ends is not None and now >= ends else None
    if event.booking_opens_at is not None and now < event.booking_opens_at:
        return "not_yet"
    deadline = registration_deadline(event)
    if deadline is not None and now >= deadline:
        return "over"
    return None


def booking_window_open(event: Event, now: datetime) -> bool:
    """Whether the event takes bookings at ``now`` (rule 6); for lists, which need no why."""
    return _window_closed(event, now) is None


def booking_window_problem(
    event: Event, now: datetime, *, by_organiser: bool = False
) -> str | None:
    """Why the event takes no bookings at ``now`` (rule 6), or None."""
    closed = _window_closed(event, now, by_organiser=by_organiser)
    if closed == "ended":
        return messages.EVENT_OVER
    if closed == "cancelled":
        return messages.EVENT_CANCELLED
    if closed == "draft":
        return messages.EVENT_NOT_PUBLISHED
    if closed == "not_yet":
        assert event.booking_opens_at is not None
        return messages.BOOKING_NOT_YET_OPEN.format(when=datetime_de(event.booking_opens_at))
    if closed == "over":
        deadline = registration_deadline(event)
        assert deadline is not None
        return messages.BOOKING_DEADLINE_PASSED.format(when=datetime_de(deadline))
    return None


@dataclass(frozen=True)
class Facts:
    """What the rules need beyond the event and the member."""

    prerequisite_met: bool = True
    prerequisite_title: str = ""
    parent_seat: bool = True
    parent_title: str = ""
    clash_title: str = ""
    """A workshop of the same conference at an overlapping time that the member holds."""


def eligibility_error(
    event: Event, member: Member, now: datetime, facts: Facts, *, by_organiser: bool = False
) -> DomainError | None:
    """The reason why ``member`` may not book ``event`` at ``now``, or None. With
    ``by_organiser``, for a booking the back office makes on the member's behalf."""
    problem = booking_window_problem(event, now, by_organiser=by_organiser)
    if problem:
        return BookingClosed(problem)
    if member.status != "active" and by_organiser:
        return NotEligible(messages.THEIR_ACCESS_INACTIVE)
    if member.status == "pending":
        return NotEligible(messages.MEMBER_PENDING)
    if member.status != "active":
        return NotEligible(messages.MEMBER_INACTIVE)
    sectors = event.target_sectors
    if sectors:
        sector = member.organisation.sector if member.organisation else None
        if sector not in sectors:
            names = ", ".join(SECTORS.get(s, s) for s in sectors)
            return NotEligible(messages.SECTOR_RESTRICTED.format(sectors=names))
    if event.prerequisite_code and not facts.prerequisite_met:
        course = facts.prerequisite_title or event.prerequisite_code
        return NotEligible(messages.PREREQUISITE_MISSING.format(course=course))
    if event.parent_id is not None and not facts.parent_seat:
        text = messages.THEY_NEED_PARENT if by_organiser else messages.WORKSHOP_NEEDS_PARENT
        return NotEligible(text.format(parent=facts.parent_title))
    if facts.clash_title:
        text = messages.THEIR_WORKSHOP_CLASH if by_organiser else messages.WORKSHOP_CLASH
        return ScheduleClash(text.format(workshop=facts.clash_title))
    return None


async def attended_codes(
    session: AsyncSession, member_ids: set[int], codes: set[str]
) -> set[tuple[int, str]]:
    """(member, course code) pairs with an attended booking."""
    if not member_ids or not codes:
        return set()
    rows = await session.execute(
        select(Booking.member_id, Event.course_code)
        .join(Event, Event.id == Booking.event_id)
        .where(
            Booking.member_id.in_(member_ids),
            Booking.status == BookingStatus.ATTENDED,
            Event.course_code.in_(codes),
        )
        .distinct()
    )
    return {(m, str(c)) for m, c in rows}


async def parent_seats(
    session: AsyncSession, member_ids: set[int], parent_ids: set[int]
) -> set[tuple[int, int]]:
    """(member, parent event) pairs with a confirmed seat."""
    if not member_ids or not parent_ids:
        return set()
    rows = await session.execute(
        select(Booking.member_id, Booking.event_id).where(
            Booking.member_id.in_(member_ids),
            Booking.event_id.in_(parent_ids),
            Booking.status == BookingStatus.CONFIRMED,
        )
    )
    return {(m, e) for m, e in rows}


async def titles(
    session: AsyncSession, codes: set[str], parent_ids: set[int]
) -> tuple[dict[str, str], dict[int, str]]:
    """Titles for the messages: of a course code's first event, and of parent events."""
    by_code: dict[str, str] = {}
    if codes:
        rows = await session.execute(
            select(Event.course_code, Event.title)
            .where(Event.course_code.in_(codes))
            .order_by(Event.id.desc())
        )
        by_code = {str(code): title for code, title in rows}
    by_id: dict[int, str] = {}
    if parent_ids:
        parents = await session.execute(
            select(Event.id, Event.title).where(Event.id.in_(parent_ids))
        )
        by_id = {i: t for i, t in parents}
    return by_code, by_id


@dataclass(frozen=True)
class HeldWorkshop:
    """A workshop a member holds an active booking of, with the times of its sessions."""

    event_id: int
    parent_id: int
    title: str
    spans: tuple[tuple[datetime, datetime], ...]

    def clashes_with(self, event: Event) -> bool:
        """Whether ``event``, another workshop of the same conference, overlaps in time."""
        return (
            event.parent_id == self.parent_id
            and event.id != self.event_id
            and any(
                start < other_end and other_start < end
                for start, end in self.spans
                for other_start, other_end in ((s.starts_at, s.ends_at) for s in event.sessions)
            )
        )


def held_workshop(event: Event) -> HeldWorkshop:
    assert event.parent_id is not None
    spans = tuple((s.starts_at, s.ends_at) for s in event.sessions)
    return HeldWorkshop(event.id, event.parent_id, event.title, spans)


@dataclass(frozen=True)
class KnownFacts:
    """The facts of many members and events, loaded at once (:func:`load_facts`)."""

    attended: set[tuple[int, str]]
    seated: set[tuple[int, int]]
    titles_by_code: dict[str, str]
    titles_by_parent: dict[int, str]
    held: dict[int, list[HeldWorkshop]] = field(default_factory=dict)
    """By member: the workshops of the events' conferences they hold."""

    def of(self, event: Event, member_id: int) -> Facts:
        code, parent = event.prerequisite_code or "", event.parent_id or 0
        clash = next((w.title for w in self.held.get(member_id, ()) if w.clashes_with(event)), "")
        return Facts(
            prerequisite_met=not code or (member_id, code) in self.attended,
            prerequisite_title=self.titles_by_code.get(code, ""),
            parent_seat=not parent or (member_id, parent) in self.seated,
            parent_title=self.titles_by_parent.get(parent, ""),
            clash_title=clash,
        )

    def hold(self, event: Event, member_id: int) -> None:
        """Record a booking decided in this batch, for the requests after it."""
        if event.parent_id is not None:
            self.held.setdefault(member_id, []).append(held_workshop(event))


async def held_workshops(
    session: AsyncSession, member_ids: set[int], parent_ids: set[int]
) -> dict[int, list[HeldWorkshop]]:
    """The workshops of ``parent_ids`` that the members hold an active booking of."""
    if not member_ids or not parent_ids:
        return {}
    rows = await session.execute(
        select(
            Booking.member_id,
            Event.id,
            Event.parent_id,
            Event.title,
            EventSession.starts_at,
            EventSession.ends_at,
        )
        .join(Event, Event.id == Booking.event_id)
        .join(EventSession, EventSession.event_id == Event.id)
        .where(
            Booking.member_id.in_(member_ids),
            Booking.status.in_(ACTIVE_STATUSES),
            Event.parent_id.in_(parent_ids),
        )
        .order_by(Booking.id, EventSession.starts_at)
    )
    spans: dict[tuple[int, int], list[tuple[datetime, datetime]]] = {}
    names: dict[tuple[int, int], tuple[int, str]] = {}
    for member_id, event_id, parent_id, title, starts_at, ends_at in rows:
        spans.setdefault((member_id, event_id), []).append((starts_at, ends_at))
        names[(member_id, event_id)] = (parent_id or 0, title)
    held: dict[int, list[HeldWorkshop]] = {}
    for (member_id, event_id), times in spans.items():
        parent_id, title = names[(member_id, event_id)]
        held.setdefault(member_id, []).append(
            HeldWorkshop(event_id, parent_id, title, tuple(times))
        )
    return held


async def load_facts(
    session: AsyncSession, events: Iterable[Event], member_ids: set[int]
) -> KnownFacts:
    """Prerequisites attended, conference seats held and the titles the messages name, for
    every pair of ``member_ids`` and ``events``; no query for what no event asks."""
    events = list(events)
    codes = {e.prerequisite_code for e in events if e.prerequisite_code}
    parents = {e.parent_id for e in events if e.parent_id is not None}
    by_code, by_parent = await titles(session, codes, parents)
    return KnownFacts(
        attended=await attended_codes(session, member_ids, codes),
        seated=await parent_seats(session, member_ids, parents),
        titles_by_code=by_code,
        titles_by_parent=by_parent,
        held=await held_workshops(session, member_ids, parents),
    )


async def check_eligible(
    session: AsyncSession, event: Event, member: Member, now: datetime
) -> None:
    """Raise the reason why ``member`` may not book ``event`` now (for the event page)."""
    facts = (await load_facts(session, [event], {member.id})).of(event, member.id)
    error = eligibility_error(event, member, now, facts)
    if error is not None:
        raise error
