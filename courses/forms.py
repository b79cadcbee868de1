"""Programme filter and organiser forms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, time

import wtforms
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from booking.core.formatting import FIRST_YEAR, LAST_YEAR, parse_clock_de, parse_day_de
from booking.core.text import LINE_BREAKS
from booking.core.web import Form, no_control_characters
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


def _capacity() -> IntegerField:
    return IntegerField(
        "Plätze",
        validators=[
            InputRequired("Bitte geben Sie die Zahl der Plätze an."),
            NumberRange(0, 100_000, "Bitte eine ganze Zahl zwischen 0 und 100000."),
        ],
    )


def _seats_per_organisation() -> IntegerField:
    return IntegerField(
        "Plätze je Organisation (leer: keine Begrenzung)",
        validators=[Optional(), NumberRange(1, 100_000, "Bitte leer lassen oder eine Zahl ab 1.")],
    )


class CapacityForm(Form):
    capacity = _capacity()
    seats_per_organisation = _seats_per_organisation()


class OnBehalfForm(Form):
    """The back office books a member (booking.bookings.services.book_on_behalf checks it)."""

    email = StringField(
        "E-Mail-Adresse des Mitglieds",
        validators=[
            InputRequired("Bitte geben Sie die E-Mail-Adresse an."),
            Length(max=254, message="Höchstens 254 Zeichen."),
        ],
    )
    override_limit = BooleanField("Über das Kontingent der Organisation hinaus (mit Begründung)")
    reason = TextAreaField(
        "Begründung",
        validators=[Optional(), Length(max=1000, message="Höchstens 1000 Zeichen.")],
    )


class PositionForm(Form):
    """A waiting member's new place on the waiting list."""

    position = IntegerField(
        "Neuer Platz",
        validators=[
            InputRequired("Bitte geben Sie den neuen Platz als Zahl an."),
            NumberRange(min=1, max=1_000_000, message="Bitte geben Sie einen Platz ab 1 an."),
        ],
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


SESSION_ROWS_MAX = 30
"""Sessions one form takes (the API takes more)."""


class SessionRowForm(wtforms.Form):  # type: ignore[misc]
    """One session of a new event; a row left empty is no session. Part of EventForm,
    whose CSRF token covers it."""

    day = DayField("Datum", validators=[Optional()])
    starts = ClockField("Beginn", validators=[Optional()])
    ends = ClockField("Ende", validators=[Optional()])
    units = IntegerField(
        "UE (leer: aus der Dauer)",
        validators=[Optional(), NumberRange(0, 24, "Bitte leer lassen oder 0 bis 24 UE.")],
    )

    @property
    def filled(self) -> bool:
        return any((f.data or "").strip() for f in (self.day, self.starts, self.ends))


def lines(text: str | None) -> list[str]:
    """The non-empty lines of a text area, stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


no_control_chars = no_control_characters(messages.CONTROL_CHARS, allowed=LINE_BREAKS)
"""Control characters (NUL, which PostgreSQL refuses, among them) have no place in a text;
line breaks and tabs do."""


def one_line(form: wtforms.Form, field: wtforms.Field) -> None:
    """A title or code: no control characters, line breaks included."""
    if any(unicodedata.category(c) == "Cc" for c in field.data or ""):
        raise ValidationError(messages.CONTROL_CHARS)


def at_most_lines(count: int, length: int) -> Callable[[wtforms.Form, wtforms.Field], None]:
    def check(form: wtforms.Form, field: wtforms.Field) -> None:
        found = lines(field.data)
        if len(found) > count or any(len(line) > length for line in found):
            raise ValidationError(messages.LINES_LIMIT.format(count=count, length=length))

    return check


class EventForm(Form):
    """A new event of any format. Choices of parents, venues, rooms and online rooms are set
    by the page from what exists."""

    kind = SelectField(
        "Format",
        choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()],
    )
    title = StringField(
        "Titel",
        validators=[
            InputRequired(messages.TITLE_REQUIRED),
            Length(3, 200, messages.TITLE_LENGTH),
            one_line,
        ],
    )
    parent = SelectField("Gehört zu (nur für Workshops)", choices=[], default="")
    summary = TextAreaField(
        "Kurzbeschreibung für das Programm",
        validators=[
            Optional(),
            Length(max=500, message="Höchstens 500 Zeichen."),
            no_control_chars,
        ],
    )
    description = TextAreaField(
        "Beschreibung",
        validators=[
            Optional(), Length(max=20_000, message="Höchstens 20000 Zeichen."), no_control_chars
        ],
    )  # fmt: skip
    sessions = FieldList(FormField(SessionRowForm), min_entries=3, max_entries=SESSION_ROWS_MAX)
    capacity = _capacity()
    seats_per_organisation = _seats_per_organisation()
    venue = SelectField("Veranstaltungsort", choices=[], default="")
    room = SelectField("Raum", choices=[], default="")
    online_room = SelectField(
        "Online-Raum (der Link geht nur an Bestätigte)", choices=[], default=""
    )
    opens_day = DayField("Anmeldung ab (Datum, leer: sofort)", validators=[Optional()])
    opens_time = ClockField("Uhrzeit", validators=[Optional()])
    deadline_day = DayField("Anmeldeschluss (Datum, leer: Beginn)", validators=[Optional()])
    deadline_time = ClockField("Uhrzeit", validators=[Optional()])
    cancel_day = DayField("Stornieren bis (Datum, leer: Beginn)", validators=[Optional()])
    cancel_time = ClockField("Uhrzeit", validators=[Optional()])
    allocation = SelectField(
        "Platzvergabe",
        choices=[
            SelectChoice("first_come", "Wer zuerst kommt: sofort ein Platz, sonst Warteliste"),
            SelectChoice("draw", "Per Los nach dem Anmeldeschluss, reihum über die Organisationen"),
        ],
        default="first_come",
    )
    requires_release = BooleanField("Teilnahme nur mit Freigabe durch die Organisation")
    release_day = DayField("Freigabe bis (Datum, leer: Anmeldeschluss)", validators=[Optional()])
    release_time = ClockField("Uhrzeit", validators=[Optional()])
    offer_working_days = IntegerField(
        "Frei gewordene Plätze anbieten: Frist in Arbeitstagen (leer: Wartende rücken sofort nach)",
        validators=[Optional(), NumberRange(1, 10, messages.OFFER_WORKING_DAYS)],
    )
    sectors = SelectMultipleField(
        "Nur für diese Bereiche (keiner gewählt: für alle)",
        choices=[SelectChoice(k, v) for k, v in SECTORS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )
    reminder_days = IntegerField(
        "Erinnerung an die Teilnehmenden: Tage vorher (0: keine; leer: 2)",
        default=2,
        validators=[
            Optional(),
            NumberRange(0, 30, "Bitte 0 (keine Erinnerung) bis 30 Tage angeben."),
        ],
    )
    course_code = StringField(
        "Kursnummer (z. B. BIUS-I)",
        validators=[Optional(), Length(max=40, message="Höchstens 40 Zeichen."), one_line],
    )
    prerequisite_code = StringField(
        "Voraussetzung: Kursnummer eines besuchten Kurses",
        validators=[Optional(), Length(max=40, message="Höchstens 40 Zeichen."), one_line],
    )
    trainers = TextAreaField(
        "Trainerinnen und Trainer (E-Mail-Adressen, eine je Zeile)",
        validators=[Optional(), at_most_lines(20, 320), no_control_chars],
    )
    completion_share = IntegerField(
        "Für „teilgenommen“ nötiger Anteil der UE in Prozent (leer: alle)",
        validators=[Optional(), NumberRange(0, 100, "Bitte leer lassen oder 0 bis 100.")],
    )
    certificate_content = TextAreaField(
        "Inhalte für die Teilnahmebescheinigung (eine Zeile je Inhalt)",
        validators=[Optional(), at_most_lines(8, 150), no_control_chars],
    )


class EventEditForm(EventForm):
    """An existing event's details and place. Its format stays; sessions are moved one by
    one, seats changed on the event's page."""

    kind = None
    parent = None
    sessions = None
    capacity = None
    seats_per_organisation = None


class CopyEventForm(Form):
    first_day = DayField(
        "Erster Tag der Kopie", validators=[InputRequired("Bitte geben Sie das Datum an.")]
    )


class MessageForm(Form):
    """A message to an event's people (booking.bookings.announcements checks it again)."""

    to = RadioField(
        "An",
        choices=[
            SelectChoice("confirmed", "die bestätigten Teilnehmenden"),
            SelectChoice("waiting", "die Warteliste"),
            SelectChoice("all", "Teilnehmende und Warteliste"),
        ],
        default="confirmed",
    )
    subject = StringField(
        "Betreff",
        validators=[
            InputRequired("Bitte geben Sie einen Betreff an."),
            Length(max=200, message="Höchstens 200 Zeichen."),
            one_line,
        ],
    )
    body = TextAreaField(
        "Text",
        validators=[
            InputRequired("Bitte geben Sie einen Text an."),
            Length(max=10_000, message="Höchstens 10000 Zeichen."),
            no_control_chars,
        ],
    )
