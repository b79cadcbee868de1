"""Forms of the privacy pages: the audit log's filter, erasing oneself or a member."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from booking.core.web import Form
from booking.privacy import messages
from booking.privacy.messages import ACTIONS
from courses.forms import DayField


class AuditFilterForm(Form):
    """A GET form: it changes nothing, so it carries no CSRF token."""

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


class EraseOwnForm(Form):
    confirm = BooleanField(
        "Ja, ich möchte mein Konto und meine Daten endgültig löschen.",
        validators=[DataRequired(messages.CONFIRM_MISSING)],
    )


class EraseMemberForm(Form):
    reason = TextAreaField(
        "Auf wessen Antrag, wann gestellt (wird protokolliert)",
        validators=[
            InputRequired(messages.ERASE_REASON_MISSING),
            Length(max=1000, message="Höchstens 1000 Zeichen."),
        ],
    )
    confirm = BooleanField(
        "Ja, die Daten dieses Mitglieds endgültig löschen.",
        validators=[DataRequired(messages.CONFIRM_MISSING)],
    )
