"""What happens to bookings when organisers change an event: sessions move, capacity and
the per-organisation limit change, or the event is called off. Participants are told by
mail, with the updated or cancelled invitation; freed seats go to the waiting list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings import messages as booking_messages
from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingStatus, Draw
from booking.bookings.notices import notify
from booking.bookings.promotion import promote
from booking.bookings.services import checked_reason, lock_event, lock_events
from booking.core.errors import Forbidden, InvalidState, ValidationFailed
from booking.core.formatting import range_de
from booking.core.transactions import write_transaction
from booking.members.models import Member
from booking.privacy.audit import record
from courses import messages
from courses.attendance.models import AttendanceMark
from courses.models import Allocation, Event, EventSession, EventStatus
from courses.services import Place, apply_details, details_of, event_detail, resolve_trainers
from venues.models import OnlineRoom, Room, Venue

Change = dict[str, str]
"""What changed for the mail: ``{"what": "Termin", "new": …, "old": …}``."""


@dataclass(frozen=True)
class SessionChange:
    session_id: int
    starts_at: datetime
    ends_at: datetime
    teaching_units: int | None | object = ...
    """New teaching units (None: from the length); ``...``: unchanged."""


async def _participants(session: AsyncSession, event_id: int) -> list[Booking]:
    result = await session.scalars(
        select(Booking)
        .where(Booking.event_id == event_id, Booking.status.in_(ACTIVE_STATUSES))
        .options(selectinload(Booking.member))
        .order_by(Booking.id)
    )
    return list(result)


@dataclass(frozen=True)
class EventChanged:
    event: Event
    promoted: list[Booking]


async def change_event(
    session: AsyncSession,
    *,
    event_id: int,
    actor: Member,
    now: datetime,
    sessions: Sequence[SessionChange] | None = None,
    added: Sequence[NewSession] = (),
    removed: Sequence[int] = (),
    capacity: int | None = None,
    seats_per_organisation: int | None | object = ...,
    completion_share: int | None | object = ...,
    trainers: Sequence[str] | None = None,
    certificate_content: Sequence[str] | None = None,
    place: Place | None = None,
    details: Mapping[str, Any] | None = None,
    publish: bool = False,
) -> EventChanged:
    """Change an event's sessions (moved, added, removed), place, details, capacity and
    per-organisation limit in one transaction: all of it or nothing, mails included. When
    time or place changed, confirmed participants get an updated invitation (same UID,
    higher SEQUENCE) and those waiting a short notice, each saying what changed ("neu: …,
    bisher: …"); other changes send nothing. More seats move waiting members up at once
    (rule 4); fewer never remove anyone (rule 5). ``details`` names fields of
    courses.services.EventDetails to change; ``publish`` puts a draft into the programme."""
    if not actor.is_organiser:
        raise Forbidden()
    if sessions is not None:
        _check_session_changes(sessions)
    _check_new_sessions(added, now)
    async with write_transaction(session):
        event = await lock_event(session, event_id)
        promoted = await apply_change(
            session, event, actor=actor, now=now, sessions=sessions, added=added, removed=removed,
            capacity=capacity, seats_per_organisation=seats_per_organisation,
            completion_share=completion_share, trainers=trainers,
            certificate_content=certificate_content, place=place, details=details,
            publish=publish,
        )  # fmt: skip
    return EventChanged(await event_detail(session, event_id, actor), promoted)


async def apply_change(
    session: AsyncSession,
    event: Event,
    *,
    actor: Member,
    now: datetime,
    sessions: Sequence[SessionChange] | None = None,
    added: Sequence[NewSession] = (),
    removed: Sequence[int] = (),
    capacity: int | None = None,
    seats_per_organisation: int | None | object = ...,
    completion_share: int | None | object = ...,
    trainers: Sequence[str] | None = None,
    certificate_content: Sequence[str] | None = None,
    place: Place | None = None,
    details: Mapping[str, Any] | None = None,
    publish: bool = False,
) -> list[Booking]:
    """:func:`change_event` on an event the caller has locked, inside the caller's write
    transaction (several events change together so: a series' dates from one on). The
    arguments are checked as there; returns the bookings moved up from the waiting list."""
    if event.status == EventStatus.CANCELLED and (sessions or added or removed or place or details):
        raise InvalidState(messages.EVENT_CANCELLED_ALREADY)
    changed = await _move_sessions(event, sessions) if sessions is not None else []
    withdrawn = await _remove_sessions(session, event, removed, now) if removed else []
    changed += [
        {"what": "Termin", "new": messages.SESSION_DROPPED, "old": w["range"]} for w in withdrawn
    ]
    changed += _add_sessions(event, added)
    if place is not None:
        changed += await _move_place(session, event, place)
    if changed:
        event.sequence += 1
        if event.starts_at is not None:  # an open offer never outlasts the event's start
            await session.execute(
                update(Booking)
                .where(
                    Booking.event_id == event.id,
                    Booking.status == BookingStatus.OFFERED,
                    Booking.offer_expires_at > event.starts_at,
                )
                .values(offer_expires_at=event.starts_at)
                .execution_options(synchronize_session=False)
            )
        participants = await _participants(session, event.id)
        extra = {"withdrawn": [w["session"] for w in withdrawn]} if withdrawn else {}
        await notify(
            session,
            event,
            participants,
            "event_changed",
            method="REQUEST",
            changes=changed,
            **extra,
        )
    if details:
        await session.refresh(event, ["sectors"])
        if details.get("allocation", event.allocation) != event.allocation:
            await _check_allocation_free(session, event)
        deadline = details.get("registration_deadline", event.registration_deadline)
        if event.allocation == Allocation.DRAW and deadline != event.registration_deadline:
            # The deadline is part of the draw's seed, whose check value members were shown.
            await _check_allocation_free(
                session, event, "registration_deadline", messages.DRAW_DEADLINE_LOCKED
            )
        apply_details(event, replace(details_of(event), **details))
    if publish and event.status == EventStatus.DRAFT:
        event.status = EventStatus.PUBLISHED
    _set_limits_recorded(session, event, actor, now, capacity, seats_per_organisation)
    if completion_share is not ...:
        event.completion_share = completion_share  # type: ignore[assignment]
    if certificate_content is not None:
        event.certificate_content = "\n".join(certificate_content)
    if trainers is not None:
        await session.refresh(event, ["trainers"])
        event.trainers = await resolve_trainers(session, trainers)
    await session.flush()
    return await promote(session, event, now)


async def change_sessions(
    session: AsyncSession,
    *,
    event_id: int,
    changes: Sequence[SessionChange],
    actor: Member,
    now: datetime,
) -> Event:
    """Move sessions of an event (see :func:`change_event`)."""
    changed = await change_event(session, event_id=event_id, actor=actor, now=now, sessions=changes)
    return changed.event


def _check_session_changes(changes: Sequence[SessionChange]) -> None:
    if not changes:
        raise ValidationFailed(messages.SESSIONS_REQUIRED, {"sessions": messages.SESSIONS_REQUIRED})
    if any(c.ends_at <= c.starts_at for c in changes):
        raise ValidationFailed(messages.SESSION_ORDER, {"sessions": messages.SESSION_ORDER})


async def _move_sessions(event: Event, changes: Sequence[SessionChange]) -> list[Change]:
    """Apply the changes to the locked event; the sessions that moved, as the mail says it."""
    by_id = {s.id: s for s in event.sessions}
    if any(c.session_id not in by_id for c in changes):
        raise ValidationFailed(messages.SESSION_UNKNOWN, {"sessions": messages.SESSION_UNKNOWN})
    moved = []
    for change in changes:
        sitting = by_id[change.session_id]
        if change.teaching_units is not ...:
            sitting.teaching_units = change.teaching_units  # type: ignore[assignment]
        if (sitting.starts_at, sitting.ends_at) != (change.starts_at, change.ends_at):
            old = range_de(sitting.starts_at, sitting.ends_at)
            sitting.starts_at, sitting.ends_at = change.starts_at, change.ends_at
            sitting.sequence += 1
            moved.append(
                {"what": "Termin", "new": range_de(change.starts_at, change.ends_at), "old": old}
            )
    return moved


@dataclass(frozen=True)
class NewSession:
    """A session added to an event that exists."""

    starts_at: datetime
    ends_at: datetime
    teaching_units: int | None = None
    """None: whole 45 minutes of its length."""


SESSIONS_MAX = 100
"""Sessions an event may have (the API takes as many when creating one)."""


def _check_new_sessions(added: Sequence[NewSession], now: datetime) -> None:
    if any(a.ends_at <= a.starts_at for a in added):
        raise ValidationFailed(messages.SESSION_ORDER, {"sessions": messages.SESSION_ORDER})
    if any(a.starts_at <= now for a in added):
        raise ValidationFailed(messages.SESSION_IN_PAST, {"sessions": messages.SESSION_IN_PAST})


def _add_sessions(event: Event, added: Sequence[NewSession]) -> list[Change]:
    """Add sessions to the locked event, all in order of their start; what the mail says."""
    if not added:
        return []
    if len(event.sessions) + len(added) > SESSIONS_MAX:
        message = messages.SESSIONS_TOO_MANY.format(count=SESSIONS_MAX)
        raise ValidationFailed(message, {"sessions": message})
    new = [
        EventSession(starts_at=a.starts_at, ends_at=a.ends_at, teaching_units=a.teaching_units)
        for a in added
    ]
    event.sessions = sorted([*event.sessions, *new], key=lambda s: s.starts_at)
    return [
        {"what": messages.SESSION_ADDED, "new": range_de(a.starts_at, a.ends_at), "old": ""}
        for a in sorted(added, key=lambda a: a.starts_at)
    ]


async def _remove_sessions(
    session: AsyncSession, event: Event, removed: Sequence[int], now: datetime
) -> list[dict[str, Any]]:
    """Remove sessions of the locked event that have not begun and have no attendance
    marks, never the last one. Each removed session: its ``range`` as the mail says it and
    the ``session`` (id and times) that the updated invitation marks as cancelled."""
    by_id = {s.id: s for s in event.sessions}
    wanted = list(dict.fromkeys(removed))
    if any(i not in by_id for i in wanted):
        raise ValidationFailed(messages.SESSION_UNKNOWN, {"sessions": messages.SESSION_UNKNOWN})
    if any(by_id[i].starts_at <= now for i in wanted):
        raise InvalidState(messages.SESSION_BEGUN)
    if len(wanted) >= len(event.sessions):
        raise InvalidState(messages.SESSION_LAST)
    marked = await session.scalar(
        select(AttendanceMark.id).where(AttendanceMark.session_id.in_(wanted)).limit(1)
    )
    if marked is not None:
        raise InvalidState(messages.SESSION_MARKED)
    gone = [by_id[i] for i in sorted(wanted, key=lambda i: by_id[i].starts_at)]
    event.sessions = [s for s in event.sessions if s.id not in wanted]
    return [
        {
            "range": range_de(s.starts_at, s.ends_at),
            "session": {
                "id": s.id,
                "starts_at": s.starts_at.isoformat(),
                "ends_at": s.ends_at.isoformat(),
            },
        }
        for s in gone
    ]


async def add_session(
    session: AsyncSession,
    *,
    event_id: int,
    new: NewSession,
    actor: Member,
    now: datetime,
) -> Event:
    """Add a session to an event (see :func:`change_event`): it must begin in the future;
    participants get the updated invitation ("Neu – zusätzlicher Termin: …")."""
    changed = await change_event(session, event_id=event_id, actor=actor, now=now, added=[new])
    return changed.event


async def remove_session(
    session: AsyncSession,
    *,
    event_id: int,
    session_id: int,
    actor: Member,
    now: datetime,
) -> Event:
    """Remove a session that has not begun and has no attendance marks, never an event's
    last one (409 in German otherwise); participants get the updated invitation, in which
    the session stands as cancelled, and the mail says "Neu – Termin: entfällt (bisher: …)"."""
    changed = await change_event(
        session, event_id=event_id, actor=actor, now=now, removed=[session_id]
    )
    return changed.event


async def _move_place(session: AsyncSession, event: Event, place: Place) -> list[Change]:
    """Set the locked event's place; what changed, as the mail says it."""
    venue_id = event.venue_id if place.venue_id is ... else place.venue_id
    room_id = event.room_id if place.room_id is ... else place.room_id
    online_id = event.online_room_id if place.online_room_id is ... else place.online_room_id
    venue = await session.get(Venue, venue_id) if venue_id is not None else None
    if venue_id is not None and venue is None:
        raise ValidationFailed(messages.VENUE_UNKNOWN, {"venue_id": messages.VENUE_UNKNOWN})
    room = await session.get(Room, room_id) if room_id is not None else None
    if room_id is not None and (room is None or room.venue_id != venue_id):
        raise ValidationFailed(messages.ROOM_NOT_AT_VENUE, {"room_id": messages.ROOM_NOT_AT_VENUE})
    online = await session.get(OnlineRoom, online_id) if online_id is not None else None
    if online_id is not None and online is None:
        raise ValidationFailed(messages.ROOM_UNKNOWN, {"online_room_id": messages.ROOM_UNKNOWN})
    await session.refresh(event, ["venue", "room", "online_room"])
    before = _where(event.venue, event.room, event.online_room)
    event.venue, event.room, event.online_room = venue, room, online
    after = _where(venue, room, online)
    return [] if after == before else [{"what": "Ort", "new": after, "old": before}]


def _where(venue: Venue | None, room: Room | None, online: OnlineRoom | None) -> str:
    """ "Polizeipräsidium Münster, Friesenring 43, 48147 Münster, Raum Sporthalle"."""
    parts = []
    if venue is not None:
        address = f"{venue.postcode} {venue.city}".strip()
        parts.append(", ".join(p for p in (venue.name, venue.street, address) if p))
    if room is not None:
        parts.append(f"Raum {room.name}")
    if online is not None:
        parts.append(f"online ({online.name})")
    return ", ".join(parts) or "noch offen"


async def cancel_event(
    session: AsyncSession, *, event_id: int, actor: Member, now: datetime, reason: str = ""
) -> Event:
    """The organisers call an event off: every active booking is cancelled, confirmed
    participants get a METHOD:CANCEL for their invitation, waiting members a notice.
    Workshops of the event are called off with it."""
    if not actor.is_organiser:
        raise Forbidden()
    reason = checked_reason(reason, required=False)
    async with write_transaction(session):
        event = await lock_event(session, event_id)
        if event.status == EventStatus.CANCELLED:
            raise InvalidState(messages.EVENT_CANCELLED_ALREADY)
        workshop_ids = select(Event.id).where(Event.parent_id == event.id)
        workshops = await lock_events(session, list(await session.scalars(workshop_ids)))
        for target in [event, *workshops]:
            previous = target.status
            target.status = EventStatus.CANCELLED
            target.sequence += 1
            participants = await _participants(session, target.id)
            await notify(
                session,
                target,
                participants,
                "event_cancelled",
                method="CANCEL",
                reason=reason,
            )
            for booking in participants:
                booking.status = BookingStatus.CANCELLED
                booking.cancelled_at = now
                booking.cancelled_by = "organiser"
            record(
                session,
                actor=actor,
                action="event_cancelled",
                now=now,
                event_id=target.id,
                before={"event_status": previous, "bookings": len(participants)},
                after={"event_status": EventStatus.CANCELLED},
                reason=reason,
            )
        await session.flush()
    return await event_detail(session, event_id, actor)


def set_limits(
    event: Event,
    capacity: int | None = None,
    seats_per_organisation: int | None | object = ...,
) -> None:
    """Set capacity and the per-organisation limit on a locked event (``...``: unchanged).
    Lowering never removes a confirmed participant (rule 5): the caller promotes after."""
    if capacity is not None:
        if not 0 <= capacity <= 100_000:
            raise ValidationFailed(
                booking_messages.CAPACITY_RANGE, {"capacity": booking_messages.CAPACITY_RANGE}
            )
        event.capacity = capacity
    if seats_per_organisation is not ...:
        if seats_per_organisation is not None and (
            not isinstance(seats_per_organisation, int) or seats_per_organisation < 1
        ):
            raise ValidationFailed(
                booking_messages.SEATS_PER_ORG_RANGE,
                {"seats_per_organisation": booking_messages.SEATS_PER_ORG_RANGE},
            )
        event.seats_per_organisation = seats_per_organisation


def _set_limits_recorded(
    session: AsyncSession,
    event: Event,
    actor: Member,
    now: datetime,
    capacity: int | None,
    seats_per_organisation: int | None | object,
) -> None:
    """:func:`set_limits`, and an audit entry with what changed."""
    keys = ("capacity", "seats_per_organisation")
    before = {key: getattr(event, key) for key in keys}
    set_limits(event, capacity, seats_per_organisation)
    changed = [key for key in keys if getattr(event, key) != before[key]]
    if changed:
        record(
            session,
            actor=actor,
            action="limits_changed",
            now=now,
            event_id=event.id,
            before={key: before[key] for key in changed},
            after={key: getattr(event, key) for key in changed},
        )


async def change_limits(
    session: AsyncSession,
    *,
    event_id: int,
    actor: Member,
    now: datetime,
    capacity: int | None = None,
    seats_per_organisation: int | None | object = ...,
) -> list[Booking]:
    """Organisers set capacity and the per-organisation limit. Lowering never removes a
    confirmed participant (rule 5); raising promotes waiting members at once (rule 4)."""
    if not actor.is_organiser:
        raise Forbidden()
    async with write_transaction(session):
        event = await lock_event(session, event_id)
        _set_limits_recorded(session, event, actor, now, capacity, seats_per_organisation)
        await session.flush()
        promoted = await promote(session, event, now)
    return promoted


async def _check_allocation_free(
    session: AsyncSession,
    event: Event,
    field: str = "allocation",
    message: str = messages.ALLOCATION_LOCKED,
) -> None:
    """The way seats are allocated (and a draw's deadline, part of its seed) changes only
    while the event has no bookings (of any status) and has not been drawn: requests made
    for a draw, or seats given by the first come, stay as they were promised."""
    booked = await session.scalar(select(exists().where(Booking.event_id == event.id)))
    drawn = await session.scalar(select(exists().where(Draw.event_id == event.id)))
    if booked or drawn:
        raise ValidationFailed(message, {field: message})
