"""Forms of the booking pages."""

from __future__ import annotations

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from booking.bookings.offers import TOKEN_MAX
from booking.core.web import Form


class RemoveForm(Form):
    """An organiser cancels someone else's booking: the reason goes into their mail and
    the audit log."""

    reason = TextAreaField(
        "Begründung für die Person (optional)",
        validators=[Optional(), Length(max=1000, message="Höchstens 1000 Zeichen.")],
    )


class DeclineForm(Form):
    """A coordinator declines a request: the reason goes into the member's mail."""

    reason = TextAreaField(
        "Begründung für die Person",
        validators=[
            InputRequired("Bitte begründen Sie die Ablehnung."),
            Length(max=1000, message="Höchstens 1000 Zeichen."),
        ],
    )


class SubstituteForm(Form):
    """A coordinator hands a confirmed seat to a colleague."""

    email = StringField(
        "E-Mail-Adresse der Kollegin oder des Kollegen",
        validators=[
            InputRequired("Bitte geben Sie die E-Mail-Adresse an."),
            Length(max=254, message="Höchstens 254 Zeichen."),
        ],
    )


class OfferLinkForm(Form):
    """The button behind an offer's mail link: only this POST answers the offer (mail
    scanners open links)."""

    token = HiddenField(validators=[DataRequired(), Length(max=TOKEN_MAX)])
