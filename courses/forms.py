"""Programme filter and organiser forms."""

from __future__ import annotations

import re
from datetime import date, time

import wtforms
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from booking.core.formatting import FIRST_YEAR, LAST_YEAR, parse_clock_de, parse_day_de
from booking.core.web import Form
from booking.organisations.messages import SECTORS
from courses import messages
from courses.messages import KIND_LABELS
from venues.models import REGIONS


class FullMatch:
    """Like wtforms' ``Regexp``, but the whole value must match: ``$`` in ``Regexp`` lets a
    trailing line break through. A mismatch ends the field's checks."""

    def __init__(self, pattern: str, message: str) -> None:
        self.pattern = re.compile(pattern)
        self.message = message

    def __call__(self, form: wtforms.Form, field: wtforms.Field) -> None:
        if not self.pattern.fullmatch(field.data or ""):
            raise StopValidation(self.message)


def month_in_range(form: wtforms.Form, field: wtforms.Field) -> None:
    """After the format check: "2026-03" with a year from FIRST_YEAR to LAST_YEAR."""
    if not FIRST_YEAR <= int(field.data[:4]) <= LAST_YEAR:
        raise ValidationError(messages.MONTH_RANGE)


class DayField(StringField):  # type: ignore[misc]
    """A day typed as "12.03.2027" (or "12.3.27", or ISO); once valid, ``parsed`` holds it.
    Whether it may be empty is for its validators (InputRequired or Optional) to say."""

    parsed: date | None = None

    def pre_validate(self, form: wtforms.Form) -> None:
        self.parsed = None
        if (self.data or "").strip():
            try:
                self.parsed = parse_day_de(self.data)
            except ValueError:
                raise StopValidation(messages.DAY_FORMAT) from None


class ClockField(StringField):  # type: ignore[misc]
    """A time of day typed as "9:00", "09:00", "9.30" or "9 Uhr"; once valid, ``parsed``."""

    parsed: time | None = None

    def pre_validate(self, form: wtforms.Form) -> None:
        self.parsed = None
        if (self.data or "").strip():
            try:
                self.parsed = parse_clock_de(self.data)
            except ValueError:
                raise StopValidation(messages.CLOCK_FORMAT) from None


class ProgrammeFilterForm(Form):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    kind = SelectField(
        "Format",
        choices=[
            SelectChoice("", "Alle Formate"),
            *(SelectChoice(k, v) for k, v in KIND_LABELS.items() if k != "workshop"),
        ],
        default="",
    )
    sector = SelectField(
        "Bereich",
        choices=[
            SelectChoice("", "Alle Bereiche"),
            *(SelectChoice(k, v) for k, v in SECTORS.items()),
        ],
        default="",
    )
    region = SelectField(
        "Regierungsbezirk",
        choices=[SelectChoice("", "Alle Bezirke"), *(SelectChoice(r, r) for r in REGIONS)],
        default="",
    )
    month = StringField(
        "Monat",
        validators=[
            Optional(),
            FullMatch(r"[0-9]{4}-(0[1-9]|1[0-2])", messages.MONTH_FORMAT),
            month_in_range,
        ],
    )
    free_only = BooleanField("Nur mit freien Plätzen")


class CapacityForm(Form):
    capacity = IntegerField(
        "Plätze",
        validators=[
            InputRequired("Bitte geben Sie die Zahl der Plätze an."),
            NumberRange(0, 100_000, "Bitte eine ganze Zahl zwischen 0 und 100000."),
        ],
    )
    seats_per_organisation = IntegerField(
        "Plätze je Organisation (leer: keine Begrenzung)",
        validators=[Optional(), NumberRange(1, 100_000, "Bitte leer lassen oder eine Zahl ab 1.")],
    )


class SessionForm(Form):
    """Move one session: date and times in Berlin local time, as organisers think of them."""

    day = DayField("Datum", validators=[InputRequired("Bitte geben Sie das Datum an.")])
    starts = ClockField(
        "Beginn", validators=[InputRequired("Bitte geben Sie die Uhrzeit des Beginns an.")]
    )
    ends = ClockField(
        "Ende", validators=[InputRequired("Bitte geben Sie die Uhrzeit des Endes an.")]
    )


class CancelEventForm(Form):
    reason = StringField(
        "Begründung für die Teilnehmenden (optional)",
        validators=[Optional(), Length(max=1000, message="Höchstens 1000 Zeichen.")],
    )
