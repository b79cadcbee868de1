"""Series: recurring events such as the monthly online Q&A. Their dates come from a rule an
organiser chooses in words ("monatlich am ersten Mittwoch, 17:00–18:30 Uhr"), stored as an
RRULE that only this module builds; each date is an event of its own (bookings, seats,
invitation), tied to its series by ``series_id``.

The rule counts in Berlin wall time, so a 17:00 Q&A stays at 17:00 in summer and winter.
A series is planned at most :data:`MAX_DATES` dates at a time, and may be extended by the
rule later. Changing "this and every later date" goes through booking.bookings.changes, so
that the participants of each changed date get the updated invitation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice

from dateutil.rrule import rrulestr
from sqlalchemy import Subquery, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings import changes
from booking.bookings.services import lock_events
from booking.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from booking.core.formatting import BERLIN, FIRST_YEAR, LAST_YEAR
from booking.core.transactions import write_transaction
from booking.members.models import Member
from courses import messages
from courses.models import Event, EventKind, EventSession, EventStatus, Series
from courses.services import (
    NewEvent,
    Place,
    build_event,
    check_references,
    copy_of,
    resolve_trainers,
    validate_new_event,
)

MAX_DATES = 60
"""Dates planned (or added) at once: five years of a monthly series, a year of a weekly one."""
MAX_INTERVAL = 12
FREQUENCIES = ("monthly", "weekly")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
"""RRULE's names of the days, Monday first (``weekday`` 0)."""
WEEKS_OF_MONTH = (1, 2, 3, 4, -1)
"""The first to fourth, or the last (-1), of its weekday in the month."""
WEEKDAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
ORDINALS = {1: "ersten", 2: "zweiten", 3: "dritten", 4: "vierten", -1: "letzten"}
NUMBERS = {2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs"}


@dataclass(frozen=True)
class Rule:
    """How the dates recur: monthly on the n-th (or last) weekday, or weekly on a weekday,
    every ``interval`` months or weeks."""

    freq: str
    weekday: int
    """0 (Monday) to 6 (Sunday)."""
    interval: int = 1
    week_of_month: int | None = None
    """Monthly only: 1 to 4, or -1 for the last."""

    def problems(self) -> dict[str, str]:
        """What is wrong with the rule, by field, in German (empty: nothing)."""
        errors = {}
        if self.freq not in FREQUENCIES:
            errors["freq"] = messages.RULE_FREQ
        if not (isinstance(self.weekday, int) and 0 <= self.weekday <= 6):
            errors["weekday"] = messages.RULE_WEEKDAY
        if not (isinstance(self.interval, int) and 1 <= self.interval <= MAX_INTERVAL):
            errors["interval"] = messages.RULE_INTERVAL.format(most=MAX_INTERVAL)
        if self.freq == "monthly" and self.week_of_month not in WEEKS_OF_MONTH:
            errors["week_of_month"] = messages.RULE_WEEK_OF_MONTH
        if self.freq == "weekly" and self.week_of_month is not None:
            errors["week_of_month"] = messages.RULE_WEEK_OF_MONTH_WEEKLY
        return errors

    @property
    def rrule(self) -> str:
        """ "FREQ=MONTHLY;INTERVAL=1;BYDAY=1WE": the stored form (checked rules only)."""
        day = WEEKDAYS[self.weekday]
        if self.freq == "monthly":
            day = f"{self.week_of_month}{day}"
        return f"FREQ={self.freq.upper()};INTERVAL={self.interval};BYDAY={day}"

    @property
    def words(self) -> str:
        """ "monatlich am ersten Mittwoch", "alle zwei Wochen am Dienstag"."""
        day = WEEKDAY_NAMES[self.weekday]
        if self.freq == "monthly":
            every = (
                "monatlich"
                if self.interval == 1
                else f"alle {NUMBERS.get(self.interval, self.interval)} Monate"
            )
            return f"{every} am {ORDINALS[self.week_of_month or 1]} {day}"
        every = (
            "wöchentlich"
            if self.interval == 1
            else f"alle {NUMBERS.get(self.interval, self.interval)} Wochen"
        )
        return f"{every} am {day}"


def rule_of(rrule: str) -> Rule | None:
    """The rule a stored RRULE states, or None when it is not one this module builds
    (``FREQ=MONTHLY;BYDAY=1WE`` is read as monthly, every month)."""
    parts = dict(p.partition("=")[::2] for p in rrule.upper().split(";") if p)
    byday = parts.get("BYDAY", "")
    day, week = byday[-2:], byday[:-2]
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY"} or day not in WEEKDAYS:
        return None
    try:
        interval = int(parts.get("INTERVAL", "1"))
        week_of_month = int(week) if week else None
    except ValueError:
        return None
    rule = Rule(parts.get("FREQ", "").lower(), WEEKDAYS.index(day), interval, week_of_month)
    return None if rule.problems() else rule


@dataclass(frozen=True)
class Schedule:
    """A rule, the day it starts from, the time of day, and how many dates (``count``) or
    until which day (``until``): exactly one of the two."""

    rule: Rule
    first_day: date
    starts: time
    ends: time
    count: int | None = None
    until: date | None = None


def schedule_dates(schedule: Schedule, now: datetime) -> list[tuple[datetime, datetime]]:
    """The dates of a schedule (start and end, in UTC): the rule's days from ``first_day``
    on, each at the same wall-clock time in Berlin. A German 422 naming the field for a
    broken rule, an end before the start, neither or both of count and until, more than
    :data:`MAX_DATES` dates, none at all, or a first date that is not in the future."""
    errors = schedule.rule.problems()
    if schedule.ends <= schedule.starts:
        errors["ends"] = messages.SESSION_ORDER
    if (schedule.count is None) == (schedule.until is None):
        errors["count"] = messages.SERIES_COUNT_OR_UNTIL
    elif schedule.count is not None and not 1 <= schedule.count <= MAX_DATES:
        errors["count"] = messages.SERIES_COUNT.format(most=MAX_DATES)
    for name, day in (("first_day", schedule.first_day), ("until", schedule.until)):
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            errors[name] = messages.DAY_FORMAT
    if "until" not in errors and schedule.until is not None and schedule.until < schedule.first_day:
        errors["until"] = messages.SERIES_UNTIL_ORDER
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
    # The first date is the rule's first day on or after first_day; every second week (or
    # month) counts from there, not from the week first_day falls in.
    every_time = replace(schedule.rule, interval=1).rrule
    first = next(
        iter(rrulestr(every_time, dtstart=datetime.combine(schedule.first_day, schedule.starts)))
    )
    rule = rrulestr(schedule.rule.rrule, dtstart=first)
    last = datetime.combine(schedule.until or date(LAST_YEAR, 12, 31), time.max)
    starts = [s for s in islice(rule, (schedule.count or MAX_DATES) + 1) if s <= last]
    if schedule.count is None and len(starts) > MAX_DATES:
        message = messages.SERIES_UNTIL_TOO_MANY.format(most=MAX_DATES)
        raise ValidationFailed(message, {"until": message})
    starts = starts[: schedule.count or MAX_DATES]
    if not starts:
        raise ValidationFailed(messages.SERIES_NO_DATES, {"until": messages.SERIES_NO_DATES})
    length = datetime.combine(date.min, schedule.ends) - datetime.combine(date.min, schedule.starts)
    dates = [_utc(s, length) for s in starts]
    if dates[0][0] <= now:
        raise ValidationFailed(messages.SERIES_IN_PAST, {"first_day": messages.SERIES_IN_PAST})
    return dates


def _utc(local_start: datetime, length: timedelta) -> tuple[datetime, datetime]:
    """A naive Berlin wall-clock start and a length as UTC start and end (the end on the
    wall clock too, so a length never shifts across a change of summer time)."""
    start = local_start.replace(tzinfo=BERLIN)
    return start.astimezone(UTC), (start + length).astimezone(UTC)


async def create_series(
    session: AsyncSession,
    *,
    schedule: Schedule,
    event: NewEvent,
    actor: Member,
    now: datetime,
) -> Series:
    """A series and one event per date of its schedule, each like ``event`` (its title,
    texts, seats, place, sectors, reminder; draft or published as ``event.status``), all
    in one transaction: every date or none."""
    if not actor.is_organiser:
        raise Forbidden()
    dates = schedule_dates(schedule, now)
    if event.kind == EventKind.WORKSHOP:
        raise ValidationFailed(messages.SERIES_NO_WORKSHOPS, {"kind": messages.SERIES_NO_WORKSHOPS})
    template = replace(event, sessions=dates[:1], parent_id=None)
    validate_new_event(template)
    async with write_transaction(session):
        await check_references(session, template)
        trainers = await resolve_trainers(session, template.trainers)
        first_start, first_end = dates[0]
        series = Series(
            title=event.title,
            rrule=schedule.rule.rrule,
            first_starts_at=first_start,
            duration_minutes=int((first_end - first_start).total_seconds() // 60),
        )
        series.events = [build_event(replace(template, sessions=[d]), trainers) for d in dates]
        session.add(series)
    return series


async def _series_for_update(session: AsyncSession, series_id: int) -> Series:
    series = await session.get(Series, series_id, with_for_update=True)
    if series is None:
        raise NotFound(messages.SERIES_UNKNOWN)
    return series


def _dates(series_id: int) -> Subquery:
    """The series' events with their first start (``event_id``, ``starts_at``)."""
    return (
        select(EventSession.event_id, func.min(EventSession.starts_at).label("starts_at"))
        .join(Event, Event.id == EventSession.event_id)
        .where(Event.series_id == series_id)
        .group_by(EventSession.event_id)
        .subquery()
    )


async def change_following(
    session: AsyncSession,
    *,
    series_id: int,
    event_id: int,
    starts: time,
    ends: time,
    place: Place | None,
    actor: Member,
    now: datetime,
) -> list[Event]:
    """Give the date ``event_id`` and every later date of its series that has not begun a
    new time of day (each on its own day) and, with ``place``, a new place; called-off
    dates stay as they are. One transaction; the participants of each date that changed get
    one mail with the updated invitation (booking.bookings.changes). The series' rule counts
    from the chosen date at the new time from now on (for extending it). Returns the dates
    changed, by start."""
    if not actor.is_organiser:
        raise Forbidden()
    if ends <= starts:
        raise ValidationFailed(messages.SESSION_ORDER, {"ends": messages.SESSION_ORDER})
    async with write_transaction(session):
        series = await _series_for_update(session, series_id)
        spans = _dates(series.id)
        chosen_start = await session.scalar(
            select(spans.c.starts_at).where(spans.c.event_id == event_id)
        )
        if chosen_start is None:
            raise NotFound(messages.SERIES_DATE_UNKNOWN)
        if chosen_start <= now:
            raise InvalidState(messages.SERIES_DATE_BEGUN)
        later = await session.scalars(
            select(spans.c.event_id).where(spans.c.starts_at >= chosen_start)
        )
        events = await lock_events(session, list(later))
        targets = sorted(
            (
                e
                for e in events
                if e.status != EventStatus.CANCELLED and all(s.starts_at > now for s in e.sessions)
            ),
            key=lambda e: (e.sessions[0].starts_at, e.id),
        )
        for target in targets:
            moved = [
                changes.SessionChange(s.id, *_at(s.starts_at, starts, ends))
                for s in target.sessions
            ]
            await changes.apply_change(
                session, target, actor=actor, now=now, sessions=moved, place=place
            )
        if targets:
            first_start, first_end = _at(targets[0].sessions[0].starts_at, starts, ends)
            series.first_starts_at = first_start
            series.duration_minutes = int((first_end - first_start).total_seconds() // 60)
    return targets


def _at(moment: datetime, starts: time, ends: time) -> tuple[datetime, datetime]:
    """The Berlin day of ``moment`` from ``starts`` to ``ends``, in UTC."""
    day = moment.astimezone(BERLIN).date()
    return (
        datetime.combine(day, starts, BERLIN).astimezone(UTC),
        datetime.combine(day, ends, BERLIN).astimezone(UTC),
    )


async def extend_series(
    session: AsyncSession,
    *,
    series_id: int,
    count: int,
    status: str,
    actor: Member,
    now: datetime,
) -> list[Event]:
    """``count`` more dates after the series' last one, by its rule and at its time, each a
    copy of its latest date that is not called off (texts, seats, place, sectors, trainers,
    the booking window moved along), titled as the series; draft or published."""
    if not actor.is_organiser:
        raise Forbidden()
    if not 1 <= count <= MAX_DATES:
        message = messages.SERIES_COUNT.format(most=MAX_DATES)
        raise ValidationFailed(message, {"count": message})
    async with write_transaction(session):
        series = await _series_for_update(session, series_id)
        spans = _dates(series.id)
        last = await session.execute(
            select(spans.c.event_id, spans.c.starts_at, Event.status)
            .join(Event, Event.id == spans.c.event_id)
            .order_by(
                (Event.status == EventStatus.CANCELLED).asc(),
                spans.c.starts_at.desc(),
                Event.id.desc(),
            )
            .limit(1)
        )
        row = last.first()
        latest_start = await session.scalar(select(func.max(spans.c.starts_at)))
        if row is None or latest_start is None:
            raise InvalidState(messages.SERIES_EMPTY)
        template = await session.scalar(
            select(Event)
            .where(Event.id == row.event_id)
            .options(
                selectinload(Event.sessions),
                selectinload(Event.sectors),
                selectinload(Event.trainers),
            )
        )
        assert template is not None
        dates = next_dates(series, after=latest_start, count=count)
        template_day = template.sessions[0].starts_at.astimezone(BERLIN).date()
        added = []
        for starts_at, ends_at in dates:
            copy = copy_of(template, (starts_at.astimezone(BERLIN).date() - template_day).days)
            copy.title, copy.status, copy.series_id = series.title, status, series.id
            copy.sessions = [EventSession(starts_at=starts_at, ends_at=ends_at)]
            added.append(copy)
        session.add_all(added)
    return added


def next_dates(series: Series, *, after: datetime, count: int) -> list[tuple[datetime, datetime]]:
    """The series' next ``count`` dates (UTC) whose day comes after that of ``after``, by
    its rule from its ``first_starts_at``, at that wall-clock time and length."""
    anchor = series.first_starts_at.astimezone(BERLIN).replace(tzinfo=None)
    rule = rrulestr(series.rrule, dtstart=anchor)
    last_day = after.astimezone(BERLIN).date()
    start_from = max(anchor, datetime.combine(last_day + timedelta(days=1), time.min))
    length = timedelta(minutes=series.duration_minutes)
    return [_utc(s, length) for s in rule.xafter(start_from, count=count, inc=True)]


def words(series: Series) -> str:
    """The series' rule in German, or its RRULE when it is not one the planner builds."""
    rule = rule_of(series.rrule)
    return rule.words if rule is not None else series.rrule
