"""Forms of the privacy pages."""

from __future__ import annotations

from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from booking.core.web import Form
from booking.privacy import messages


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
