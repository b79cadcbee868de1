"""Programme filter and organiser forms."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from booking.core.web import Form
from booking.organisations.messages import SECTORS
from courses.messages import KIND_LABELS
from venues.models import REGIONS


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
            Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message="Bitte wählen Sie einen Monat (JJJJ-MM)."),
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
            Regexp(r"^\d{4}-\d{2}-\d{2}$", message="Bitte als Datum angeben (JJJJ-MM-TT)."),
        ],
    )
    starts = StringField(
        "Beginn",
        validators=[
            InputRequired("Bitte geben Sie die Uhrzeit des Beginns an."),
            Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message="Bitte als Uhrzeit angeben (HH:MM)."),
        ],
    )
    ends = StringField(
        "Ende",
        validators=[
            InputRequired("Bitte geben Sie die Uhrzeit des Endes an."),
            Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message="Bitte als Uhrzeit angeben (HH:MM)."),
        ],
    )


class CancelEventForm(Form):
    reason = StringField(
        "Begründung für die Teilnehmenden (optional)",
        validators=[Optional(), Length(max=1000, message="Höchstens 1000 Zeichen.")],
    )
