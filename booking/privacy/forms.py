"""The audit log's filter (a GET form: it changes nothing, so it carries no CSRF token)."""

from __future__ import annotations

from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from booking.core.web import Form
from booking.privacy.messages import ACTIONS
from courses.forms import DayField


class AuditFilterForm(Form):
    class Meta:
        csrf = False

    veranstaltung = IntegerField(
        "Veranstaltung (Nummer)",
        validators=[Optional(), NumberRange(1, 2_000_000_000, "Bitte eine Nummer ab 1.")],
    )
    person = StringField("Betroffene Person (E-Mail)", validators=[Optional(), Length(max=254)])
    durch = StringField("Geändert von (E-Mail)", validators=[Optional(), Length(max=254)])
    aktion = SelectField(
        "Aktion",
        choices=[SelectChoice("", "Alle"), *(SelectChoice(k, v) for k, v in ACTIONS.items())],
        default="",
    )
    von = DayField("Von (Datum)", validators=[Optional()])
    bis = DayField("Bis einschließlich (Datum)", validators=[Optional()])
