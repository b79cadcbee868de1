"""Programme filter and organiser forms."""

from __future__ import annotations

import re
from datetime import date

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

from booking.core.formatting import FIRST_YEAR, LAST_YEAR
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


def day_in_range(form: wtforms.Form, field: wtforms.Field) -> None:
    """After the format check: a real calendar day from FIRST_YEAR to LAST_YEAR."""
    try:
        day = date.fromisoformat(field.data)
    except ValueError:
        raise ValidationError(messages.DAY_UNKNOWN) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(messages.DAY_RANGE)


CLOCK = r"([01][0-9]|2[0-3]):[0-5][0-9]"


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

    day = StringField(
        "Datum",
        validators=[
            InputRequired("Bitte geben Sie das Datum an."),
            FullMatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", messages.DAY_FORMAT),
            day_in_range,
        ],
    )
    starts = StringField(
        "Beginn",
        validators=[
            InputRequired("Bitte geben Sie die Uhrzeit des Beginns an."),
            FullMatch(CLOCK, messages.CLOCK_FORMAT),
        ],
    )
    ends = StringField(
        "Ende",
        validators=[
            InputRequired("Bitte geben Sie die Uhrzeit des Endes an."),
            FullMatch(CLOCK, messages.CLOCK_FORMAT),
        ],
    )


class CancelEventForm(Form):
    reason = StringField(
        "Begründung für die Teilnehmenden (optional)",
        validators=[Optional(), Length(max=1000, message="Höchstens 1000 Zeichen.")],
    )
