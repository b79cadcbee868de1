"""The programme: listing with filters, event details, creating events, series dates."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from dateutil.rrule import rrulestr
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from booking.core.formatting import BERLIN
from booking.core.transactions import write_transaction
from booking.members.models import Member
from booking.organisations.messages import SECTORS
from courses import messages
from courses.models import (
    ALLOCATIONS,
    KINDS,
    Allocation,
    Event,
    EventKind,
    EventSector,
    EventSession,
    EventStatus,
    Series,
)
from venues.models import OnlineRoom, Room, Venue

TRAINER_ROLES = ("trainer", "organiser")


def with_details(query: Select[Event]) -> Select[Event]:
    return query.options(
        selectinload(Event.sessions),
        selectinload(Event.sectors),
        selectinload(Event.venue),
        selectinload(Event.online_room),
    )


async def event_detail(session: AsyncSession, event_id: int, viewer: Member | None) -> Event:
    """An event with everything its page shows. Drafts, and workshops of a draft, are
    visible to organisers only."""
    organiser = viewer is not None and viewer.is_organiser
    workshops = (
        Event.workshops if organiser else Event.workshops.and_(Event.status != EventStatus.DRAFT)
    )
    event = await session.scalar(
        with_details(select(Event).where(Event.id == event_id)).options(
            selectinload(Event.parent),
            selectinload(workshops).selectinload(Event.sessions),
            selectinload(Event.trainers),
            selectinload(Event.room),
        )
    )
    if event is None:
        raise NotFound(messages.EVENT_NOT_FOUND)
    parent_draft = event.parent is not None and event.parent.status == EventStatus.DRAFT
    if (event.status == EventStatus.DRAFT or parent_draft) and not organiser:
        raise NotFound(messages.EVENT_NOT_FOUND)
    return event


async def event_for_organiser(session: AsyncSession, event_id: int, actor: Member) -> Event:
    """An event for the organisers' pages: 403 for everyone else, 404 when it is unknown."""
    if not actor.is_organiser:
        raise Forbidden()
    return await event_detail(session, event_id, actor)


# -- creating -----------------------------------------------------------------------------------


@dataclass
class NewEvent:
    title: str
    kind: str
    capacity: int
    sessions: list[tuple[datetime, datetime]]
    summary: str = ""
    description: str = ""
    booking_opens_at: datetime | None = None
    registration_deadline: datetime | None = None
    cancellation_deadline: datetime | None = None
    seats_per_organisation: int | None = None
    target_sectors: list[str] = field(default_factory=list)
    parent_id: int | None = None
    venue_id: int | None = None
    room_id: int | None = None
    online_room_id: int | None = None
    course_code: str | None = None
    prerequisite_code: str | None = None
    teaching_units: int | None = None
    status: str = EventStatus.PUBLISHED
    session_units: list[int | None] = field(default_factory=list)
    """Teaching units of each session, in the order of ``sessions``; None or missing: from
    the session's length."""
    trainers: list[str] = field(default_factory=list)
    """Addresses of members with the trainer role (or organisers)."""
    completion_share: int | None = None
    certificate_content: list[str] = field(default_factory=list)
    """What the course covers, one line each, printed on its certificates."""
    reminder_days: int = 2
    """Days before the first session that participants are reminded; 0: no reminder."""
    requires_release: bool = False
    release_deadline: datetime | None = None
    offer_working_days: int | None = None
    """A freed seat is offered to the first waiting member for this many working days;
    None: they move up at once."""
    allocation: str = Allocation.FIRST_COME
    """first_come, or draw: requests until the registration deadline, then a draw."""


def _allocation_errors(
    allocation: str,
    registration_deadline: datetime | None,
    requires_release: bool,
    release_deadline: datetime | None,
) -> dict[str, str]:
    """A draw happens at the registration deadline: the event needs one, and releases must
    come before it."""
    errors: dict[str, str] = {}
    if allocation not in ALLOCATIONS:
        errors["allocation"] = messages.ALLOCATION_UNKNOWN
    elif allocation == Allocation.DRAW:
        if registration_deadline is None:
            errors["registration_deadline"] = messages.DRAW_NEEDS_DEADLINE
        elif requires_release and release_deadline and release_deadline > registration_deadline:
            errors["release_deadline"] = messages.DRAW_RELEASE_AFTER_DEADLINE
    return errors


def ensure_draw_salt(event: Event) -> None:
    """An event set to allocate by draw gets the secret random part of its seed once; it
    is kept when the event changes (booking.bookings.draw)."""
    if event.allocation == Allocation.DRAW and event.draw_salt is None:
        event.draw_salt = secrets.token_hex(32)


def validate_new_event(data: NewEvent) -> None:
    errors: dict[str, str] = {}
    if data.kind not in KINDS:
        errors["kind"] = messages.KIND_UNKNOWN
    if not data.sessions:
        errors["sessions"] = messages.SESSIONS_REQUIRED
    elif any(end <= start for start, end in data.sessions):
        errors["sessions"] = messages.SESSION_ORDER
    unknown = [s for s in data.target_sectors if s not in SECTORS]
    if unknown:
        errors["target_sectors"] = messages.SECTOR_UNKNOWN
    if (
        data.booking_opens_at
        and data.registration_deadline
        and data.booking_opens_at >= data.registration_deadline
    ):
        errors["booking_opens_at"] = messages.WINDOW_ORDER
    if data.kind == EventKind.WORKSHOP and data.parent_id is None:
        errors["parent_id"] = messages.PARENT_REQUIRED
    if data.kind != EventKind.WORKSHOP and data.parent_id is not None:
        errors["parent_id"] = messages.PARENT_ONLY_FOR_WORKSHOPS
    if data.release_deadline is not None and not data.requires_release:
        errors["release_deadline"] = messages.RELEASE_DEADLINE_WITHOUT_RELEASE
    _check_offer_days(data.offer_working_days, errors)
    errors.update(
        _allocation_errors(
            data.allocation,
            data.registration_deadline,
            data.requires_release,
            data.release_deadline,
        )
    )
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)


OFFER_DAYS_MAX = 10


def _check_offer_days(days: int | None, errors: dict[str, str]) -> None:
    if days is not None and not 1 <= days <= OFFER_DAYS_MAX:
        errors["offer_working_days"] = messages.OFFER_WORKING_DAYS


@dataclass(frozen=True)
class EventDetails:
    """What an event says about itself, changed as a whole on its edit page. Changing it
    sends no mail (time and place do: booking.bookings.changes)."""

    title: str
    summary: str
    description: str
    booking_opens_at: datetime | None
    registration_deadline: datetime | None
    cancellation_deadline: datetime | None
    target_sectors: list[str]
    course_code: str | None
    prerequisite_code: str | None
    reminder_days: int = 2
    """Days before the first session of the reminder; 0: none."""
    requires_release: bool = False
    """Bookings are requests that the member's organisation releases."""
    release_deadline: datetime | None = None
    """Requests not released by then lapse; None: the registration deadline."""
    offer_working_days: int | None = None
    """Working days to accept an offered seat; None: waiting members move up at once.
    Offers already made keep their deadline when this changes."""
    allocation: str = Allocation.FIRST_COME
    """first_come or draw; changed only while the event has no bookings
    (booking.bookings.changes)."""


@dataclass(frozen=True)
class Place:
    """Where an event takes place: a venue with one of its rooms, and an online room; a
    part left as ``...`` stays as it is."""

    venue_id: int | None | object = ...
    room_id: int | None | object = ...
    online_room_id: int | None | object = ...


def details_of(event: Event) -> EventDetails:
    """The event's details as they are (its sectors loaded)."""
    return EventDetails(
        title=event.title,
        summary=event.summary,
        description=event.description,
        booking_opens_at=event.booking_opens_at,
        registration_deadline=event.registration_deadline,
        cancellation_deadline=event.cancellation_deadline,
        target_sectors=event.target_sectors,
        course_code=event.course_code,
        prerequisite_code=event.prerequisite_code,
        reminder_days=event.reminder_days,
        requires_release=event.requires_release,
        release_deadline=event.release_deadline,
        offer_working_days=event.offer_working_days,
        allocation=event.allocation,
    )


def apply_details(event: Event, details: EventDetails) -> None:
    """Check the details (German 422 naming the field) and set them on the locked event,
    whose sectors are loaded."""
    errors: dict[str, str] = {}
    if not 3 <= len(details.title) <= 200:
        errors["title"] = messages.TITLE_LENGTH
    if any(s not in SECTORS for s in details.target_sectors):
        errors["target_sectors"] = messages.SECTOR_UNKNOWN
    opens, closes = details.booking_opens_at, details.registration_deadline
    if opens is not None and closes is not None and opens >= closes:
        errors["booking_opens_at"] = messages.WINDOW_ORDER
    if not 0 <= details.reminder_days <= 30:
        errors["reminder_days"] = messages.REMINDER_DAYS
    if details.release_deadline is not None and not details.requires_release:
        errors["release_deadline"] = messages.RELEASE_DEADLINE_WITHOUT_RELEASE
    _check_offer_days(details.offer_working_days, errors)
    errors.update(
        _allocation_errors(
            details.allocation,
            details.registration_deadline,
            details.requires_release,
            details.release_deadline,
        )
    )
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
    event.title, event.summary, event.description = (
        details.title,
        details.summary,
        details.description,
    )
    event.booking_opens_at = details.booking_opens_at
    event.registration_deadline = details.registration_deadline
    event.cancellation_deadline = details.cancellation_deadline
    event.course_code, event.prerequisite_code = details.course_code, details.prerequisite_code
    event.reminder_days = details.reminder_days
    event.requires_release = details.requires_release
    event.release_deadline = details.release_deadline
    event.offer_working_days = details.offer_working_days
    event.allocation = details.allocation
    ensure_draw_salt(event)
    wanted = set(details.target_sectors)
    kept = [s for s in event.sectors if s.sector in wanted]
    have = {s.sector for s in kept}
    event.sectors = kept + [EventSector(sector=s) for s in sorted(wanted - have)]


async def create_event(session: AsyncSession, *, data: NewEvent, actor: Member) -> Event:
    if not actor.is_organiser:
        raise Forbidden()
    validate_new_event(data)
    async with write_transaction(session):
        await check_references(session, data)
        event = build_event(data, await resolve_trainers(session, data.trainers))
        session.add(event)
    return await event_detail(session, event.id, actor)


async def check_references(session: AsyncSession, data: NewEvent) -> None:
    """The parent, venue, room (of that venue) and online room that ``data`` names exist; a
    German 422 naming the field otherwise."""
    if data.parent_id is not None and await session.get(Event, data.parent_id) is None:
        raise ValidationFailed(messages.PARENT_REQUIRED, {"parent_id": messages.PARENT_REQUIRED})
    if data.venue_id is not None and await session.get(Venue, data.venue_id) is None:
        raise ValidationFailed(messages.VENUE_UNKNOWN, {"venue_id": messages.VENUE_UNKNOWN})
    if data.room_id is not None:
        room = await session.get(Room, data.room_id)
        if room is None or room.venue_id != data.venue_id:
            raise ValidationFailed(
                messages.ROOM_NOT_AT_VENUE, {"room_id": messages.ROOM_NOT_AT_VENUE}
            )
    if (
        data.online_room_id is not None
        and await session.get(OnlineRoom, data.online_room_id) is None
    ):
        raise ValidationFailed(messages.ROOM_UNKNOWN, {"online_room_id": messages.ROOM_UNKNOWN})


def build_event(data: NewEvent, trainers: list[Member]) -> Event:
    """The event ``data`` describes (checked by :func:`validate_new_event` and
    :func:`check_references`), its sessions by start, not yet added to a session."""
    event = Event(
        title=data.title,
        kind=data.kind,
        status=data.status,
        capacity=data.capacity,
        summary=data.summary,
        description=data.description,
        booking_opens_at=data.booking_opens_at,
        registration_deadline=data.registration_deadline,
        cancellation_deadline=data.cancellation_deadline,
        seats_per_organisation=data.seats_per_organisation,
        parent_id=data.parent_id,
        venue_id=data.venue_id,
        room_id=data.room_id,
        online_room_id=data.online_room_id,
        course_code=data.course_code,
        prerequisite_code=data.prerequisite_code,
        teaching_units=data.teaching_units,
    )
    units = [*data.session_units, *[None] * len(data.sessions)]
    event.sessions = [
        EventSession(starts_at=s, ends_at=e, teaching_units=u)
        for (s, e), u in sorted(zip(data.sessions, units, strict=False), key=lambda p: p[0])
    ]
    event.trainers = list(trainers)
    event.completion_share = data.completion_share
    event.certificate_content = "\n".join(data.certificate_content)
    event.reminder_days = data.reminder_days
    event.requires_release = data.requires_release
    event.release_deadline = data.release_deadline
    event.offer_working_days = data.offer_working_days
    event.allocation = data.allocation
    ensure_draw_salt(event)
    event.sectors = [EventSector(sector=s) for s in sorted(set(data.target_sectors))]
    return event


async def publish_event(session: AsyncSession, *, event_id: int, actor: Member) -> Event:
    """A draft goes into the programme (its published workshops with it). Published
    already: nothing changes; called off: 409."""
    if not actor.is_organiser:
        raise Forbidden()
    async with write_transaction(session):
        event = await session.get(Event, event_id, with_for_update=True)
        if event is None:
            raise NotFound(messages.EVENT_NOT_FOUND)
        if event.status == EventStatus.CANCELLED:
            raise InvalidState(messages.EVENT_CANCELLED_ALREADY)
        event.status = EventStatus.PUBLISHED
    return event


def shifted(moment: datetime, days: int) -> datetime:
    """The same wall-clock time in Berlin ``days`` days later (or earlier), in UTC: a
    9:00 session stays at 9:00 across a change of summer time."""
    local = moment.astimezone(BERLIN)
    return datetime.combine(local.date() + timedelta(days=days), local.time(), BERLIN).astimezone(
        UTC
    )


def copy_of(event: Event, days: int) -> Event:
    """A draft of ``event`` ``days`` days later: its texts, seats, place, rules, sectors and
    trainers; the booking window moves with it."""

    def later(moment: datetime | None) -> datetime | None:
        return shifted(moment, days) if moment is not None else None

    copy = Event(
        kind=event.kind,
        status=EventStatus.DRAFT,
        title=event.title,
        summary=event.summary,
        description=event.description,
        capacity=event.capacity,
        seats_per_organisation=event.seats_per_organisation,
        course_code=event.course_code,
        prerequisite_code=event.prerequisite_code,
        teaching_units=event.teaching_units,
        completion_share=event.completion_share,
        certificate_content=event.certificate_content,
        reminder_days=event.reminder_days,
        requires_release=event.requires_release,
        release_deadline=later(event.release_deadline),
        offer_working_days=event.offer_working_days,
        allocation=event.allocation,
        venue_id=event.venue_id,
        room_id=event.room_id,
        online_room_id=event.online_room_id,
        booking_opens_at=later(event.booking_opens_at),
        registration_deadline=later(event.registration_deadline),
        cancellation_deadline=later(event.cancellation_deadline),
        sessions=[
            EventSession(
                starts_at=shifted(s.starts_at, days),
                ends_at=shifted(s.ends_at, days),
                title=s.title,
                teaching_units=s.teaching_units,
            )
            for s in event.sessions
        ],
        sectors=[EventSector(sector=s.sector) for s in event.sectors],
        trainers=list(event.trainers),
    )
    ensure_draw_salt(copy)  # a salt of its own: every draw has a seed of its own
    return copy


async def copy_event(
    session: AsyncSession, *, event_id: int, first_day: date, actor: Member
) -> Event:
    """A copy of the event (with its workshops) whose first session falls on ``first_day``,
    every session at the same time of day; a draft, for the organisers to check and publish.
    Bookings are not copied."""
    if not actor.is_organiser:
        raise Forbidden()
    async with write_transaction(session):
        event = await session.scalar(
            select(Event)
            .where(Event.id == event_id)
            .options(
                selectinload(Event.sessions),
                selectinload(Event.sectors),
                selectinload(Event.trainers),
                selectinload(Event.workshops).selectinload(Event.sessions),
                selectinload(Event.workshops).selectinload(Event.sectors),
                selectinload(Event.workshops).selectinload(Event.trainers),
            )
        )
        if event is None:
            raise NotFound(messages.EVENT_NOT_FOUND)
        if not event.sessions:
            raise ValidationFailed(
                messages.SESSIONS_REQUIRED, {"sessions": messages.SESSIONS_REQUIRED}
            )
        days = (first_day - event.sessions[0].starts_at.astimezone(BERLIN).date()).days
        copy = copy_of(event, days)
        copy.parent_id = event.parent_id
        copy.workshops = [copy_of(w, days) for w in event.workshops]
        session.add(copy)
    return copy


async def resolve_trainers(session: AsyncSession, emails: Sequence[str]) -> list[Member]:
    """The members the addresses name, each with the trainer role or an organiser's; a
    German 422 naming the first address that is neither."""
    wanted = list(dict.fromkeys(e.strip().lower() for e in emails))
    found = {
        m.email: m for m in await session.scalars(select(Member).where(Member.email.in_(wanted)))
    }
    for email in wanted:
        person = found.get(email)
        if person is None or person.status != "active" or person.role not in TRAINER_ROLES:
            message = messages.TRAINER_UNKNOWN.format(email=email)
            raise ValidationFailed(message, {"trainers": message})
    return [found[email] for email in wanted]


def series_dates(series: Series, count: int) -> list[tuple[datetime, datetime]]:
    """The first ``count`` dates of a series, computed in Berlin time so that a monthly
    "first Wednesday, 14:00" stays at 14:00 across daylight-saving changes."""
    start_local = series.first_starts_at.astimezone(BERLIN).replace(tzinfo=None)
    rule = rrulestr(series.rrule, dtstart=start_local)
    duration = timedelta(minutes=series.duration_minutes)
    dates = []
    for local_start in rule.xafter(start_local, count=count, inc=True):
        starts = local_start.replace(tzinfo=BERLIN)
        dates.append((starts, starts + duration))
    return dates


@dataclass(frozen=True)
class Slot:
    """Workshops of a conference that run at the same time: members choose one of them."""

    starts_at: datetime | None
    ends_at: datetime | None
    workshops: list[Event]

    @property
    def parallel(self) -> bool:
        return len(self.workshops) > 1


def parallel_slots(workshops: Sequence[Event]) -> list[Slot]:
    """Workshops grouped by their time (first start and last end), in order of time, each
    slot's workshops by title; workshops without a session last."""
    slots: dict[tuple[datetime | None, datetime | None], list[Event]] = {}
    for workshop in workshops:
        slots.setdefault((workshop.starts_at, workshop.ends_at), []).append(workshop)
    never = datetime.max.replace(tzinfo=UTC)
    return [
        Slot(starts, ends, sorted(group, key=lambda w: w.title))
        for (starts, ends), group in sorted(
            slots.items(), key=lambda item: (item[0][0] or never, item[0][1] or never)
        )
    ]
