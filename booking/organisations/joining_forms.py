"""Forms of joining online: the public application, the organisers' answers, the public list's
filters. The service checks everything again (booking.organisations.joining)."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from booking.core.web import Form
from booking.organisations import messages
from booking.organisations.forms import REGION_CHOICES, SECTOR_CHOICES, single_line


def _line(label: str, required: str | None, most: int) -> StringField:
    validators = [
        DataRequired(required) if required else Optional(),
        Length(max=most, message=messages.TEXT_TOO_LONG.format(max=most)),
        single_line,
    ]
    return StringField(label, validators=validators)


class JoiningForm(Form):
    name = _line("Name der Organisation", messages.NAME_REQUIRED, 200)
    sector = SelectField(
        "Bereich",
        choices=[SelectChoice("", "Bitte wählen …"), *SECTOR_CHOICES],
        validators=[DataRequired(messages.SECTOR_UNKNOWN)],
        validate_choice=True,
    )
    region = SelectField(
        "Regierungsbezirk",
        choices=[SelectChoice("", "Bitte wählen …"), *REGION_CHOICES],
        validators=[DataRequired(messages.REGION_UNKNOWN)],
        validate_choice=True,
    )
    street = _line("Straße und Hausnummer oder Postfach", messages.STREET_REQUIRED, 200)
    address_extra = _line("Adresszusatz (optional)", None, 200)
    postal_code = _line("Postleitzahl", messages.POSTAL_CODE_INVALID, 5)
    city = _line("Ort", messages.CITY_REQUIRED, 100)
    head_name = _line("Name der Leitung", messages.HEAD_NAME_REQUIRED, 200)
    head_function = _line("Funktion der Leitung", messages.HEAD_FUNCTION_REQUIRED, 200)
    contact_first_name = _line("Vorname", messages.CONTACT_FIRST_NAME_REQUIRED, 100)
    contact_last_name = _line("Nachname", messages.CONTACT_LAST_NAME_REQUIRED, 100)
    contact_email = _line("Dienstliche E-Mail-Adresse", messages.CONTACT_EMAIL_INVALID, 254)
    domains = _line("E-Mail-Domains der Organisation", messages.DOMAINS_REQUIRED, 2000)
    listed = BooleanField("Unsere Organisation darf in der öffentlichen Liste genannt werden")


class QuestionForm(Form):
    question = TextAreaField(
        "Ihre Rückfrage",
        validators=[
            DataRequired(messages.QUESTION_REQUIRED),
            Length(max=2000, message=messages.QUESTION_REQUIRED),
        ],
    )


class DeclineForm(Form):
    reason = TextAreaField(
        "Grund der Ablehnung",
        validators=[
            DataRequired(messages.REASON_REQUIRED),
            Length(max=2000, message=messages.REASON_REQUIRED),
        ],
    )


class MergeIntoForm(Form):
    organisation = StringField(
        "Bestehende Organisation (Name oder E-Mail-Domain)",
        validators=[
            DataRequired(messages.MERGE_TARGET_REQUIRED),
            Length(max=254, message=messages.MERGE_TARGET_REQUIRED),
            single_line,
        ],
    )


class ConfirmLinkForm(Form):
    token = HiddenField(validators=[DataRequired(), Length(max=1000)])


class PartnerFilterForm(Form):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    sector = SelectField(
        "Bereich", choices=[SelectChoice("", "Alle Bereiche"), *SECTOR_CHOICES], default=""
    )
    region = SelectField(
        "Regierungsbezirk", choices=[SelectChoice("", "Alle Bezirke"), *REGION_CHOICES], default=""
    )
    nach = HiddenField(validators=[Optional(), Length(max=1000), single_line])
