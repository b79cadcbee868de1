"""What the JSON API takes and gives for series: a rule as a small object (never RRULE
text), the event fields each date shares, and a series with its dates."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from booking.core.formatting import FIRST_YEAR, LAST_YEAR
from booking.core.schemas import MESSAGES, Description, Id, Input, Instant, Summary, Title
from booking.organisations.schemas import Sector
from courses.schemas import Capacity, ReminderDays, SeatsPerOrganisation
from courses.series import MAX_DATES, MAX_INTERVAL, WEEKDAYS, Rule
from courses.services import NewEvent

Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
"""courses.series.WEEKDAYS (a test keeps them equal)."""
SeriesKind = Literal["network_meeting", "conference", "online_qa", "webinar", "training"]
"""Every format but the workshop, which belongs to a conference."""

CLOCK = "Bitte geben Sie die Uhrzeit ohne Zeitzone an (Ortszeit Berlin), z. B. 17:00."


def _in_years(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError("datetime_range", MESSAGES["datetime_range"])
    return value


def _wall_clock(value: time) -> time:
    if value.tzinfo is not None:
        raise PydanticCustomError("clock_with_zone", CLOCK)
    return value


Day = Annotated[date, AfterValidator(_in_years)]
Clock = Annotated[
    time,
    AfterValidator(_wall_clock),
    Field(description="A time of day in Berlin (wall clock), e.g. 17:00."),
]


class RuleIn(Input):
    """How the dates recur: ``monthly`` on the ``week_of_month``-th (1 to 4, or -1 for the
    last) ``weekday``, or ``weekly`` on the ``weekday``; every ``interval`` months or
    weeks."""

    freq: Literal["monthly", "weekly"]
    weekday: Weekday
    interval: Annotated[int, Field(ge=1, le=MAX_INTERVAL)] = 1
    week_of_month: Literal[1, 2, 3, 4, -1] | None = Field(
        default=None, description="Monthly only (and needed there)."
    )

    def to_rule(self) -> Rule:
        return Rule(self.freq, WEEKDAYS.index(self.weekday), self.interval, self.week_of_month)


class SeriesIn(Input):
    """A new series (organisers only): its rule, first possible day, times and how many
    dates (``count``) or until which day (``until``), one of the two; and what each date
    is. Every date becomes an event of its own, all created together or none."""

    title: Title
    kind: SeriesKind = "online_qa"
    rule: RuleIn
    first_day: Day = Field(description="The first date is the rule's first day from this one.")
    starts: Clock
    ends: Clock
    count: Annotated[int, Field(ge=1, le=MAX_DATES)] | None = None
    until: Day | None = Field(default=None, description="The last possible day, inclusive.")
    capacity: Capacity
    seats_per_organisation: SeatsPerOrganisation | None = None
    summary: Summary = ""
    description: Description = ""
    target_sectors: Annotated[list[Sector], Field(max_length=20)] = Field(
        default_factory=list, description="Open only to these sectors; empty: to every sector."
    )
    venue_id: Id | None = None
    room_id: Id | None = None
    online_room_id: Id | None = None
    reminder_days: ReminderDays = 2
    status: Literal["draft", "published"] = "published"

    def to_new_event(self) -> NewEvent:
        return NewEvent(
            title=self.title,
            kind=self.kind,
            capacity=self.capacity,
            sessions=[],
            summary=self.summary,
            description=self.description,
            seats_per_organisation=self.seats_per_organisation,
            target_sectors=list(self.target_sectors),
            venue_id=self.venue_id,
            room_id=self.room_id,
            online_room_id=self.online_room_id,
            status=self.status,
            reminder_days=self.reminder_days,
        )


class RuleOut(BaseModel):
    freq: str
    weekday: str
    interval: int
    week_of_month: int | None


class SeriesDateOut(BaseModel):
    event_id: int
    status: Literal["draft", "published", "cancelled"]
    title: str
    starts_at: Instant | None
    ends_at: Instant | None
    capacity: int
    seats_left: int
    waitlist_length: int
    url: str = Field(description="The date's page for people.")


class SeriesOut(BaseModel):
    id: int
    title: str
    rule: RuleOut | None = Field(description="Null for a stored rule the planner does not build.")
    rule_text: str = Field(description='The rule in German, e.g. "monatlich am ersten Mittwoch".')
    rrule: str = Field(description="The stored RRULE (read only).")
    starts_at: Instant = Field(
        description="The start the rule counts from (the first date, or the first one of the "
        "latest change of all following dates)."
    )
    duration_minutes: int
    dates_total: int = Field(description="Dates the caller may see, in all.")
    dates: list[SeriesDateOut] = Field(
        description="A page of them by start; drafts for organisers only."
    )
    next_cursor: str | None = Field(description="Pass as cursor for the next page of dates.")
