"""Sign-in, profile and approval forms, with German messages."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from booking.core.web import Form, no_control_characters
from booking.members import messages, services


def one_mailbox(_form: Form, field: StringField) -> None:
    """Exactly one address, as the mail library will read it (see services.valid_email)."""
    if services.valid_email(field.data or "") is None:
        raise ValidationError(messages.EMAIL_INVALID_HINT)


NO_CONTROL = no_control_characters(messages.CONTROL_CHARACTERS)


class SignInForm(Form):
    email = StringField(
        "Dienstliche E-Mail-Adresse",
        validators=[
            DataRequired("Bitte geben Sie Ihre dienstliche E-Mail-Adresse an."),
            Length(max=254, message="Die E-Mail-Adresse ist zu lang (höchstens 254 Zeichen)."),
            one_mailbox,
        ],
    )


class SignInLinkForm(Form):
    token = HiddenField(validators=[DataRequired(), Length(max=1000)])


class ProfileForm(Form):
    first_name = StringField(
        "Vorname",
        validators=[
            NO_CONTROL,
            DataRequired("Bitte geben Sie Ihren Vornamen an."),
            Length(max=100, message="Höchstens 100 Zeichen."),
        ],
    )
    last_name = StringField(
        "Nachname",
        validators=[
            NO_CONTROL,
            DataRequired("Bitte geben Sie Ihren Nachnamen an."),
            Length(max=100, message="Höchstens 100 Zeichen."),
        ],
    )
    function = StringField(
        "Funktion (optional)",
        validators=[
            NO_CONTROL,
            Optional(),
            Length(max=200, message="Höchstens 200 Zeichen."),
        ],
    )
    organisation_name = StringField(
        "Dienststelle oder Organisation",
        validators=[
            NO_CONTROL,
            Optional(),
            Length(max=200, message="Höchstens 200 Zeichen."),
        ],
    )


class ApproveForm(Form):
    organisation = StringField(
        "Organisation (Name oder Domain)",
        validators=[
            NO_CONTROL,
            DataRequired(messages.ORGANISATION_REQUIRED),
            Length(max=254, message=messages.ORGANISATION_TOO_LONG),
        ],
    )


class RoleForm(Form):
    """An organiser gives a member a role (services.grant_role checks it again)."""

    email = StringField(
        "E-Mail-Adresse des Mitglieds",
        validators=[
            DataRequired("Bitte geben Sie die E-Mail-Adresse an."),
            Length(max=254),
            one_mailbox,
        ],
    )
    role = SelectField(
        "Rolle",
        choices=[SelectChoice(role, label) for role, label in messages.ROLE_LABELS.items()],
        default="coordinator",
    )
