"""Organiser forms for organisations, with German messages."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from booking.core.text import has_control_characters
from booking.core.web import Form, no_control_characters
from booking.organisations import messages
from booking.organisations.checks import is_valid_domain, normalise_domain
from booking.organisations.messages import SECTORS
from venues.models import REGIONS

SECTOR_CHOICES = [SelectChoice(key, label) for key, label in SECTORS.items()]
REGION_CHOICES = [SelectChoice(region, region) for region in REGIONS]


single_line = no_control_characters(messages.CONTROL_CHARS)


def valid_domain(_form: Form, field: StringField) -> None:
    text = field.data or ""
    if text.strip() and (
        has_control_characters(text) or not is_valid_domain(normalise_domain(text))
    ):
        raise ValidationError(messages.DOMAIN_INVALID)


def _name() -> StringField:
    return StringField(
        "Name der Organisation",
        validators=[
            DataRequired(messages.NAME_REQUIRED),
            Length(max=200, message=messages.NAME_TOO_LONG),
            single_line,
        ],
    )


def _sector() -> SelectField:
    return SelectField(
        "Bereich",
        choices=[SelectChoice("", "Bitte wählen …"), *SECTOR_CHOICES],
        validators=[DataRequired(messages.SECTOR_UNKNOWN)],
        validate_choice=True,
    )


def _region() -> SelectField:
    return SelectField(
        "Regierungsbezirk",
        choices=[SelectChoice("", "Bitte wählen …"), *REGION_CHOICES],
        validators=[DataRequired(messages.REGION_UNKNOWN)],
        validate_choice=True,
    )


def _domain(label: str) -> StringField:
    return StringField(
        label,
        validators=[
            Optional(),
            Length(max=253, message="Höchstens 253 Zeichen."),
            valid_domain,
        ],
    )


class OrganisationForm(Form):
    """Create (with an optional first domain) or edit (the domain field is left out)."""

    name = _name()
    sector = _sector()
    region = _region()
    domain = _domain("E-Mail-Domain (optional)")


class EditOrganisationForm(Form):
    name = _name()
    sector = _sector()
    region = _region()


class DomainForm(Form):
    domain = StringField(
        "Neue E-Mail-Domain",
        validators=[
            DataRequired(messages.DOMAIN_INVALID),
            Length(max=253, message="Höchstens 253 Zeichen."),
            valid_domain,
        ],
    )


class RemoveDomainForm(Form):
    domain = HiddenField(validators=[DataRequired(), Length(max=253), single_line])


class NewOrganisationForMemberForm(Form):
    """On the approval page: the pending member's organisation, created on the spot."""

    name = _name()
    sector = _sector()
    region = _region()
    domain = _domain("E-Mail-Domain der Organisation (optional)")


class MergeForm(Form):
    """Step one picks the duplicate; step two (``confirmed``) carries out the merge."""

    remove_id = SelectField("Doppelter Eintrag, der aufgelöst wird", coerce=str)
    confirmed = HiddenField()


class OrganisationFilterForm(Form):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        "Name enthält",
        validators=[
            Optional(),
            Length(max=200, message=messages.SEARCH_TOO_LONG),
            single_line,
        ],
    )
    sector = SelectField(
        "Bereich", choices=[SelectChoice("", "Alle Bereiche"), *SECTOR_CHOICES], default=""
    )
    region = SelectField(
        "Regierungsbezirk",
        choices=[SelectChoice("", "Alle Bezirke"), *REGION_CHOICES],
        default="",
    )
    nach = HiddenField(validators=[Optional(), Length(max=1000), single_line])
