"""An event's bookings as a table for a spreadsheet (booking.core.spreadsheets writes it as
CSV or XLSX): for the organisers, and read-only for the event's trainers.

One row per booking: the name (family name first), address, organisation with its sector and
Regierungsbezirk, the status in words, the waiting-list position, when it was booked (Berlin
time); for a conference or network meeting the member's workshops, and once any session of
the event is marked, the mark of each session.

The order: participants (confirmed, or with an outcome), then the waiting list by position,
then requests, then cancelled bookings; within each, in the organisers' lists' order (the
order the bookings came; a spreadsheet sorts by name in one click). The bookings are read
as plain columns a chunk at a time (keyset on that order), so that no chunk's objects
outlive it however large the event.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import messages
from booking.bookings.models import (
    PARTICIPANT_STATUSES,
    WAITLIST_ORDER,
    Booking,
    BookingStatus,
)
from booking.core.errors import Forbidden
from booking.core.formatting import BERLIN, date_de, datetime_de
from booking.core.paging import after_key
from booking.core.spreadsheets import Table, Value
from booking.members.models import Member
from booking.organisations.messages import SECTOR_LABELS
from booking.organisations.models import Organisation
from courses.attendance.models import AttendanceMark
from courses.attendance.services import event_for_trainer
from courses.messages import MARK_LABELS
from courses.models import Event, EventSession

CHUNK = 500
"""Bookings read at a time."""

GROUPS: tuple[tuple[str, ...], ...] = (
    PARTICIPANT_STATUSES,
    (BookingStatus.OFFERED,),
    (BookingStatus.WAITING,),
    (BookingStatus.REQUESTED,),
    (BookingStatus.CANCELLED,),
)
"""The parts of the table, in order; every status is in one of them."""


def export_filename(event_id: int, today: date) -> str:
    """ "teilnehmende-12-2026-03-12", without the extension."""
    return messages.EXPORT_FILENAME.format(event_id=event_id, day=today.isoformat())


async def participants_table(
    session: AsyncSession, event_id: int, actor: Member, *, chunk: int = CHUNK
) -> Table:
    """The event's bookings as a table; 404 when the event is unknown, 403 for anyone but
    the organisers and the event's trainers."""
    try:
        event = await event_for_trainer(session, event_id, actor)
    except Forbidden:
        raise Forbidden(messages.EXPORT_FORBIDDEN) from None
    has_workshops = bool(await session.scalar(select(exists().where(Event.parent_id == event_id))))
    sittings = list(event.sessions)
    marked = bool(sittings) and bool(
        await session.scalar(
            select(exists().where(AttendanceMark.session_id.in_([s.id for s in sittings])))
        )
    )
    header = list(messages.EXPORT_HEADER)
    if has_workshops:
        header.append(messages.EXPORT_WORKSHOPS)
    if marked:
        header += [messages.EXPORT_ATTENDANCE.format(session=name) for name in _names(sittings)]

    rows: list[tuple[Value, ...]] = []
    for statuses in GROUPS:
        waiting = statuses == (BookingStatus.WAITING,)
        order = WAITLIST_ORDER if waiting else (Booking.id,)
        after: tuple[int, ...] | None = None
        position = 0
        while True:
            bookings = await _chunk(session, event_id, statuses, order, after, chunk)
            if not bookings:
                break
            members = [b.member_id for b in bookings]
            workshops = await _workshops(session, event_id, members) if has_workshops else {}
            marks = await _marks(session, [b.id for b in bookings]) if marked else {}
            for b in bookings:
                position += waiting
                row: list[Value] = [
                    b.last_name,
                    b.first_name,
                    b.email,
                    b.organisation,
                    SECTOR_LABELS.get(b.sector, b.sector) if b.sector else None,
                    b.region,
                    messages.status_label(b.status, draw=event.by_draw),
                    position if waiting else None,
                    b.created_at.astimezone(BERLIN).replace(tzinfo=None, microsecond=0),
                ]
                if has_workshops:
                    row.append("; ".join(workshops.get(b.member_id, [])) or None)
                if marked:
                    mine = marks.get(b.id, {})
                    row += [MARK_LABELS.get(mine.get(s.id, ""), None) for s in sittings]
                rows.append(tuple(row))
            if len(bookings) < chunk:
                break
            last = bookings[-1]
            after = (last.rank, last.id) if waiting else (last.id,)
    return Table(title=event.title, sheet=messages.EXPORT_SHEET, header=tuple(header), rows=rows)


async def _chunk(
    session: AsyncSession,
    event_id: int,
    statuses: Collection[str],
    order: tuple[Any, ...],
    after: tuple[int, ...] | None,
    limit: int,
) -> Sequence[Row[*tuple[Any, ...]]]:
    query = (
        select(
            Booking.id,
            WAITLIST_ORDER[0].label("rank"),
            Booking.member_id,
            Booking.status,
            Booking.created_at,
            Member.last_name,
            Member.first_name,
            Member.email,
            Organisation.name.label("organisation"),
            Organisation.sector,
            Organisation.region,
        )
        .join(Member, Member.id == Booking.member_id)
        .outerjoin(Organisation, Organisation.id == Booking.organisation_id)
        .where(Booking.event_id == event_id, Booking.status.in_(statuses))
        .order_by(*order)
        .limit(limit)
    )
    if after is not None:
        query = query.where(after_key(order, after))
    return (await session.execute(query)).all()


async def _workshops(
    session: AsyncSession, event_id: int, member_ids: Collection[int]
) -> dict[int, list[str]]:
    """Member id → their bookings of the event's workshops (all but cancelled ones), by
    title: "Workshop A", or "Workshop B (Warteliste)" for a booking without a seat yet."""
    rows = await session.execute(
        select(Booking.member_id, Event.title, Booking.status)
        .join(Event, Event.id == Booking.event_id)
        .where(
            Event.parent_id == event_id,
            Booking.member_id.in_(member_ids),
            Booking.status != BookingStatus.CANCELLED,
        )
        .order_by(Event.title, Event.id)
    )
    choices: dict[int, list[str]] = {}
    for member_id, title, status in rows:
        if status != BookingStatus.CONFIRMED:
            label = messages.STATUS_LABELS.get(status, status)
            title = messages.EXPORT_WORKSHOP_STATUS.format(title=title, status=label)
        choices.setdefault(member_id, []).append(title)
    return choices


async def _marks(session: AsyncSession, booking_ids: Collection[int]) -> dict[int, dict[int, str]]:
    """Booking id → session id → mark."""
    rows = await session.execute(
        select(AttendanceMark.booking_id, AttendanceMark.session_id, AttendanceMark.status).where(
            AttendanceMark.booking_id.in_(booking_ids)
        )
    )
    marks: dict[int, dict[int, str]] = {}
    for booking_id, session_id, status in rows:
        marks.setdefault(booking_id, {})[session_id] = status
    return marks


def _names(sittings: Sequence[EventSession]) -> list[str]:
    """Each session by its day ("Di., 05.01.2027"), or by day and time when two share a day."""
    days = [date_de(s.starts_at) for s in sittings]
    if len(set(days)) == len(days):
        return days
    return [datetime_de(s.starts_at) for s in sittings]
