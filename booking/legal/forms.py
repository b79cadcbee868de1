"""The accessibility statement's feedback form."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from booking.core.text import has_control_characters
from booking.core.web import Form
from booking.members.services import valid_email


def _one_line(_form: Form, field: StringField) -> None:
    if has_control_characters(field.data or ""):
        raise ValidationError("Bitte nur eine Zeile Text, ohne Steuerzeichen.")


def _text(_form: Form, field: TextAreaField) -> None:
    text = (field.data or "").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    if has_control_characters(text):
        raise ValidationError("Der Text enthält Steuerzeichen. Bitte nur Text eingeben.")


def _mailbox(_form: Form, field: StringField) -> None:
    if (field.data or "").strip() and valid_email(field.data) is None:
        raise ValidationError(
            "Bitte geben Sie eine E-Mail-Adresse an (z. B. name@beispiel.de) oder lassen Sie "
            "das Feld leer."
        )


class AccessibilityFeedbackForm(Form):
    message = TextAreaField(
        "Was ist Ihnen aufgefallen?",
        validators=[
            InputRequired("Bitte beschreiben Sie, was Ihnen aufgefallen ist."),
            Length(max=5000, message="Höchstens 5000 Zeichen."),
            _text,
        ],
    )
    page = StringField(
        "Betroffene Seite oder Funktion (optional)",
        validators=[Optional(), Length(max=300, message="Höchstens 300 Zeichen."), _one_line],
    )
    name = StringField(
        "Ihr Name (optional)",
        validators=[Optional(), Length(max=100, message="Höchstens 100 Zeichen."), _one_line],
    )
    email = StringField(
        "Ihre E-Mail-Adresse für eine Eingangsbestätigung und Antwort (optional)",
        validators=[Optional(), Length(max=254, message="Höchstens 254 Zeichen."), _mailbox],
    )
