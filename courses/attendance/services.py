"""Marking attendance and what follows from it: the roster of a session, marks with their
history, walk-ins, and each booking's outcome once the last session is marked.

A trainer sees and marks only the events they are assigned to; organisers may do everything
a trainer can. Late counts as attended; excused and absent do not. When the event's last
session has marks, every participant's booking gets its outcome from the teaching units
attended: ``attended`` when they reach the event's completion share, ``partial`` when some
but not enough, ``no_show`` when none. Only ``attended`` meets a prerequisite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings.models import PARTICIPANT_STATUSES, Booking, BookingStatus
from booking.bookings.services import lock_event
from booking.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from booking.core.formatting import date_de, range_de
from booking.core.transactions import write_transaction
from booking.members.models import Member
from booking.members.services import member_by_email
from booking.privacy.audit import record
from courses import messages
from courses.attendance.models import ATTENDED_MARKS, AttendanceChange, AttendanceMark, Mark
from courses.attendance.sheet import SheetRow, SignInSheet
from courses.certificates.models import Certificate
from courses.models import Event, EventSession, event_trainers

FULL_SHARE = 100


async def event_for_trainer(session: AsyncSession, event_id: int, actor: Member | None) -> Event:
    """An event with its sessions, for one of its trainers or an organiser (``None``: the
    operator at the command line, who holds the database anyway): 404 when unknown, 403 for
    anyone else."""
    event = await session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .options(selectinload(Event.sessions), selectinload(Event.trainers))
    )
    if event is None:
        raise NotFound(messages.EVENT_NOT_FOUND)
    if actor is not None and not may_mark(event, actor):
        raise Forbidden(messages.NOT_YOUR_COURSE)
    return event


def may_mark(event: Event, actor: Member) -> bool:
    return actor.is_organiser or (
        actor.status == "active" and any(t.id == actor.id for t in event.trainers)
    )


COURSES_PAST = timedelta(days=90)
"""How long after its end an event stays on "Meine Kurse" (to mark late, to issue)."""


async def trainer_events(session: AsyncSession, actor: Member, now: datetime) -> list[Event]:
    """The events a trainer is assigned to that are not over, or ended within
    :data:`COURSES_PAST`, with their sessions, by first session: a bounded list however many
    years of courses a trainer has given."""
    assigned = select(event_trainers.c.event_id).where(event_trainers.c.member_id == actor.id)
    recent = select(EventSession.event_id).where(EventSession.ends_at > now - COURSES_PAST)
    events = list(
        await session.scalars(
            select(Event)
            .where(Event.id.in_(assigned), Event.id.in_(recent))
            .options(selectinload(Event.sessions))
        )
    )
    return sorted(events, key=lambda e: (e.starts_at is None, e.starts_at, e.id))


@dataclass(frozen=True)
class RosterLine:
    booking: Booking
    mark: str | None
    certified: bool = False
    """The booking holds a valid certificate: its marks stay as they are until it is revoked."""


def last_session_begun(event: Event, now: datetime) -> bool:
    """Certificates follow the last session's marks: issuing is offered once it has begun."""
    return bool(event.sessions) and event.sessions[-1].starts_at <= now


def event_dates(event: Event) -> str:
    """ "Di., 05.01.2027, 08:30–16:30 Uhr", or the first and the last day of several, as the
    sign-in sheet and the certificate print them."""
    first, last = event.sessions[0], event.sessions[-1]
    if len(event.sessions) == 1:
        return range_de(first.starts_at, first.ends_at)
    return f"{date_de(first.starts_at)} bis {date_de(last.starts_at)}"


async def event_marks(session: AsyncSession, event_id: int) -> dict[int, dict[int, str]]:
    """Every mark of an event's bookings: booking id → session id → mark."""
    rows = await session.execute(
        select(AttendanceMark.booking_id, AttendanceMark.session_id, AttendanceMark.status)
        .join(Booking, Booking.id == AttendanceMark.booking_id)
        .where(Booking.event_id == event_id)
    )
    marks: dict[int, dict[int, str]] = {}
    for booking_id, session_id, status in rows:
        marks.setdefault(booking_id, {})[session_id] = status
    return marks


def _sitting(event: Event, session_id: int) -> EventSession:
    sitting = next((s for s in event.sessions if s.id == session_id), None)
    if sitting is None:
        raise NotFound(messages.SESSION_UNKNOWN)
    return sitting


async def roster(
    session: AsyncSession, event_id: int, session_id: int, actor: Member
) -> tuple[Event, EventSession, list[RosterLine]]:
    """Every participant of the event (confirmed, or with an outcome) with their mark for
    the session, by name."""
    event = await event_for_trainer(session, event_id, actor)
    sitting = _sitting(event, session_id)
    bookings = list(
        await session.scalars(
            select(Booking)
            .where(Booking.event_id == event_id, Booking.status.in_(PARTICIPANT_STATUSES))
            .options(selectinload(Booking.member), selectinload(Booking.organisation))
        )
    )
    rows = await session.execute(
        select(AttendanceMark.booking_id, AttendanceMark.status).where(
            AttendanceMark.session_id == session_id
        )
    )
    marks = {booking_id: status for booking_id, status in rows}
    certified = set(
        await session.scalars(
            select(Certificate.booking_id).where(
                Certificate.event_id == event_id, Certificate.revoked_at.is_(None)
            )
        )
    )
    lines = [RosterLine(b, marks.get(b.id), b.id in certified) for b in bookings]
    lines.sort(key=lambda line: (line.booking.member.last_name.casefold(), line.booking.id))
    return event, sitting, lines


async def mark(
    session: AsyncSession,
    *,
    event_id: int,
    session_id: int,
    marks: Sequence[tuple[int, str]],
    actor: Member,
    now: datetime,
) -> None:
    """Set the marks ``(booking id, mark)`` of one session in one transaction, keeping every
    change; then the outcomes, if the last session is marked. Unknown bookings: 404; a
    booking of another event, or one that is not a participant: 422; a changed mark of a
    booking with a valid certificate: 409 (its unchanged mark is passed over); nothing is
    written."""
    wanted: dict[int, str] = {}
    for booking_id, status in marks:
        if status not in set(Mark):
            raise ValidationFailed(messages.MARK_UNKNOWN, {"marks": messages.MARK_UNKNOWN})
        wanted[booking_id] = status
    async with write_transaction(session):
        event = await _locked_for_marking(session, event_id, session_id, actor)
        bookings = {
            b.id: b for b in await session.scalars(select(Booking).where(Booking.id.in_(wanted)))
        }
        if missing := set(wanted) - set(bookings):
            raise NotFound(messages.BOOKING_UNKNOWN.format(id=min(missing)))
        for booking in bookings.values():
            if booking.event_id != event_id or booking.status not in PARTICIPANT_STATUSES:
                message = messages.BOOKING_NOT_ON_ROSTER.format(id=booking.id)
                raise ValidationFailed(message, {"marks": message})
        certified = {
            booking_id
            for booking_id in await session.scalars(
                select(Certificate.booking_id).where(
                    Certificate.booking_id.in_(wanted), Certificate.revoked_at.is_(None)
                )
            )
            if booking_id is not None
        }
        if certified:
            rows = await session.execute(
                select(AttendanceMark.booking_id, AttendanceMark.status).where(
                    AttendanceMark.session_id == session_id,
                    AttendanceMark.booking_id.in_(certified),
                )
            )
            current = {booking_id: status for booking_id, status in rows}
            if any(wanted[booking_id] != current.get(booking_id) for booking_id in certified):
                raise InvalidState(messages.MARKS_LOCKED)
            wanted = {b: m for b, m in wanted.items() if b not in certified}
        await _write_marks(session, event, session_id, wanted, actor, now)


async def mark_all_present(
    session: AsyncSession, *, event_id: int, session_id: int, actor: Member, now: datetime
) -> int:
    """ "Alle anwesend": every participant without a mark for the session is marked
    present; marks already set stay. Returns how many were marked."""
    async with write_transaction(session):
        event = await _locked_for_marking(session, event_id, session_id, actor)
        marked = select(AttendanceMark.booking_id).where(AttendanceMark.session_id == session_id)
        unmarked = await session.scalars(
            select(Booking.id).where(
                Booking.event_id == event_id,
                Booking.status.in_(PARTICIPANT_STATUSES),
                Booking.id.not_in(marked),
            )
        )
        wanted = {booking_id: Mark.PRESENT.value for booking_id in unmarked}
        await _write_marks(session, event, session_id, wanted, actor, now)
    return len(wanted)


async def _locked_for_marking(
    session: AsyncSession, event_id: int, session_id: int, actor: Member
) -> Event:
    """The event, locked (two trainers marking at once take turns), with its sessions and
    trainers; 404/403 as :func:`event_for_trainer`, 404 for a session of another event."""
    await lock_event(session, event_id)
    event = await event_for_trainer(session, event_id, actor)
    _sitting(event, session_id)
    return event


async def _write_marks(
    session: AsyncSession,
    event: Event,
    session_id: int,
    wanted: dict[int, str],
    actor: Member,
    now: datetime,
) -> None:
    existing = {
        m.booking_id: m
        for m in await session.scalars(
            select(AttendanceMark).where(
                AttendanceMark.session_id == session_id, AttendanceMark.booking_id.in_(wanted)
            )
        )
    }
    changed = [
        b for b, status in wanted.items() if existing.get(b) is None or existing[b].status != status
    ]
    members = dict(
        (
            await session.execute(
                select(Booking.id, Booking.member_id).where(Booking.id.in_(changed))
            )
        ).all()
    )
    for booking_id, status in wanted.items():
        current = existing.get(booking_id)
        if current is not None and current.status == status:
            continue
        record(
            session,
            actor=actor,
            action="attendance_marked",
            now=now,
            event_id=event.id,
            member_id=members.get(booking_id),
            booking_id=booking_id,
            before={"mark": current.status if current is not None else None},
            after={"mark": status},
        )
        session.add(
            AttendanceChange(
                booking_id=booking_id,
                session_id=session_id,
                old_status=current.status if current is not None else None,
                new_status=status,
                changed_by=actor.id,
                changed_at=now,
            )
        )
        if current is None:
            session.add(
                AttendanceMark(
                    booking_id=booking_id,
                    session_id=session_id,
                    status=status,
                    marked_by=actor.id,
                    marked_at=now,
                )
            )
        else:
            current.status, current.marked_by, current.marked_at = status, actor.id, now
    await session.flush()
    await settle_outcomes(session, event)


@dataclass(frozen=True)
class Outcome:
    status: BookingStatus
    units_attended: int
    units_offered: int
    sessions_attended: int
    sessions_offered: int


def outcome(event: Event, marks: dict[int, str]) -> Outcome:
    """What a booking comes to, from its marks by session id (a missing mark: absent)."""
    offered = sum(s.units for s in event.sessions)
    attended_sessions = [s for s in event.sessions if marks.get(s.id) in ATTENDED_MARKS]
    attended = sum(s.units for s in attended_sessions)
    share = FULL_SHARE if event.completion_share is None else event.completion_share
    if attended_sessions and attended * FULL_SHARE >= share * offered:
        status = BookingStatus.ATTENDED
    elif attended_sessions:
        status = BookingStatus.PARTIAL
    else:
        status = BookingStatus.NO_SHOW
    return Outcome(status, attended, offered, len(attended_sessions), len(event.sessions))


async def settle_outcomes(session: AsyncSession, event: Event) -> None:
    """Once the event's last session has marks, every participant's booking gets its
    outcome (again, after a correction). Before that, bookings stay confirmed."""
    if not event.sessions:
        return
    last = max(event.sessions, key=lambda s: (s.starts_at, s.id))
    by_booking = await event_marks(session, event.id)
    if not any(last.id in marks for marks in by_booking.values()):
        return
    participants = await session.scalars(
        select(Booking).where(
            Booking.event_id == event.id, Booking.status.in_(PARTICIPANT_STATUSES)
        )
    )
    for booking in participants:
        booking.status = outcome(event, by_booking.get(booking.id, {})).status


async def add_walk_in(
    session: AsyncSession, *, event_id: int, email: str, actor: Member, now: datetime
) -> Booking:
    """A member who came without a booking, named by their address: a confirmed booking
    added on site, without the seat limits; refused when the address names no active
    member, or when they hold a booking of the event already."""
    address = email.strip().lower()
    unknown = ValidationFailed(messages.WALK_IN_UNKNOWN, {"email": messages.WALK_IN_UNKNOWN})
    if not address or len(address) > 320 or not address.isprintable():
        raise unknown
    async with write_transaction(session):
        await lock_event(session, event_id)
        await event_for_trainer(session, event_id, actor)
        member = await member_by_email(session, address)
        if member is None or member.status != "active":
            raise unknown
        member_id = member.id
        held = await session.scalar(
            select(Booking).where(
                Booking.event_id == event_id,
                Booking.member_id == member_id,
                Booking.status.in_((*PARTICIPANT_STATUSES, BookingStatus.WAITING)),
            )
        )
        if held is not None and held.status != BookingStatus.WAITING:
            raise ValidationFailed(messages.ALREADY_ON_ROSTER)
        if held is not None:  # from the waiting list to the door
            held.status, held.confirmed_at, held.added_on_site = (
                BookingStatus.CONFIRMED,
                now,
                True,
            )
            booking = held
        else:
            booking = Booking(
                event_id=event_id,
                member_id=member_id,
                organisation_id=member.organisation_id,
                status=BookingStatus.CONFIRMED,
                created_at=now,
                confirmed_at=now,
                added_on_site=True,
            )
            session.add(booking)
        await session.flush()
        record(
            session,
            actor=actor,
            action="walk_in_added",
            now=now,
            event_id=event_id,
            member_id=member_id,
            booking_id=booking.id,
            after={"status": BookingStatus.CONFIRMED},
        )
    return booking


async def sign_in_sheet(
    session: AsyncSession, event_id: int, actor: Member, today: date
) -> SignInSheet:
    """What the printed sign-in sheet of an event shows: its confirmed participants by name,
    one signature column per session day, its trainers."""
    event = await event_for_trainer(session, event_id, actor)
    await session.refresh(event, ["venue"])
    bookings = await session.scalars(
        select(Booking)
        .where(Booking.event_id == event_id, Booking.status.in_(PARTICIPANT_STATUSES))
        .options(selectinload(Booking.member), selectinload(Booking.organisation))
    )
    rows = [
        SheetRow(b.member.display_name, b.organisation.name if b.organisation is not None else "")
        for b in sorted(bookings, key=lambda b: (b.member.last_name.casefold(), b.id))
    ]
    venue = event.venue
    return SignInSheet(
        event_title=event.title,
        dates=event_dates(event),
        place=f"{venue.name}, {venue.city}" if venue is not None else "",
        days=tuple(date_de(s.starts_at) for s in event.sessions),
        rows=tuple(rows),
        trainers=tuple(t.display_name for t in event.trainers),
        printed_on=today,
    )
