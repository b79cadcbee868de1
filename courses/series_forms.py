"""Forms of the series pages: the planner (the event form's fields a recurring date needs,
and a rule in words), changing a date and every later one, extending a series. Kept apart
from courses.forms, which holds the single event's forms."""

from __future__ import annotations

from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from booking.core.web import Form
from courses import messages
from courses.forms import ClockField, DayField, EventForm
from courses.messages import KIND_LABELS
from courses.series import MAX_DATES, ORDINALS, WEEKDAY_NAMES, Rule

RHYTHMS = {
    "M1": ("monatlich", "monthly", 1),
    "M2": ("alle zwei Monate", "monthly", 2),
    "M3": ("alle drei Monate", "monthly", 3),
    "W1": ("wöchentlich", "weekly", 1),
    "W2": ("alle zwei Wochen", "weekly", 2),
    "W4": ("alle vier Wochen", "weekly", 4),
}
"""What the planner offers: label, frequency and interval of the rule."""


def _start_and_end() -> tuple[ClockField, ClockField]:
    return (
        ClockField("Beginn", validators=[InputRequired(messages.SERIES_STARTS_REQUIRED)]),
        ClockField("Ende", validators=[InputRequired(messages.SERIES_ENDS_REQUIRED)]),
    )


class SeriesForm(EventForm):
    """A new series: what each date is (the event form's fields for a recurring online or
    in-person date), and when the dates fall. The choices of places are set by the page."""

    kind = SelectField(
        "Format",
        choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items() if k != "workshop"],
        default="online_qa",
    )
    parent = None
    sessions = None
    # each date's booking window is its own: open until it begins
    opens_day = deadline_day = cancel_day = None  # type: ignore[assignment]
    opens_time = deadline_time = cancel_time = None  # type: ignore[assignment]
    course_code = prerequisite_code = trainers = completion_share = certificate_content = None

    rhythm = SelectField(
        "Wie oft",
        choices=[SelectChoice(k, label) for k, (label, _, _) in RHYTHMS.items()],
        default="M1",
    )
    week_of_month = SelectField(
        "Im Monat am (nur bei monatlich)",
        choices=[SelectChoice(str(n), word) for n, word in ORDINALS.items()],
        default="1",
    )
    weekday = SelectField(
        "Wochentag",
        choices=[SelectChoice(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)],
        default="2",
    )
    first_day = DayField(
        "Erster möglicher Tag", validators=[InputRequired(messages.SERIES_FIRST_DAY_REQUIRED)]
    )
    starts, ends = _start_and_end()
    count = IntegerField(
        f"Anzahl der Termine (höchstens {MAX_DATES})",
        validators=[
            Optional(),
            NumberRange(1, MAX_DATES, messages.SERIES_COUNT.format(most=MAX_DATES)),
        ],
    )
    until = DayField("oder: letzter möglicher Tag", validators=[Optional()])

    @property
    def rule(self) -> Rule:
        """The rule chosen (after validation; the choices are checked by the fields)."""
        _, freq, interval = RHYTHMS[self.rhythm.data]
        week = int(self.week_of_month.data) if freq == "monthly" else None
        return Rule(freq, int(self.weekday.data), interval, week)


class FollowingForm(Form):
    """A new time of day (and place) for one date of a series and every later one."""

    starts, ends = _start_and_end()
    venue = EventForm.venue
    room = EventForm.room
    online_room = EventForm.online_room


class ExtendForm(Form):
    count = IntegerField(
        "Weitere Termine",
        default=6,
        validators=[
            InputRequired(messages.SERIES_COUNT.format(most=MAX_DATES)),
            NumberRange(1, MAX_DATES, messages.SERIES_COUNT.format(most=MAX_DATES)),
        ],
    )
