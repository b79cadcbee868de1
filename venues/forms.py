"""Organiser forms for venues, rooms and online rooms. They carry the CSRF token and the
entries as typed; the services check the entries (every problem at once, in German), so that
the pages and the API refuse alike."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from booking.core.web import Form
from venues.models import REGIONS

REGION_CHOICES = [SelectChoice(region, region) for region in REGIONS]


def whole_number(text: str | None) -> int:
    """A number of seats as typed ("24"); anything else is 0, which the service refuses with
    its message (1 to 10000)."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else 0


class VenueForm(Form):
    name = StringField("Name des Veranstaltungsorts")
    street = StringField("Straße und Hausnummer")
    postal_code = StringField("Postleitzahl")
    city = StringField("Stadt oder Gemeinde")
    region = SelectField(
        "Regierungsbezirk",
        choices=[SelectChoice("", "Bitte wählen …"), *REGION_CHOICES],
        validate_choice=False,
    )
    step_free = BooleanField("Stufenloser Zugang")
    hearing_loop = BooleanField("Induktionsschleife für Hörgeräte")
    accessible_toilet = BooleanField("Barrierefreies WC, stufenlos erreichbar")
    accessibility_notes = TextAreaField("Hinweise zur Barrierefreiheit (optional)")


class RoomForm(Form):
    name = StringField("Name des Raums")
    capacity = StringField("Plätze")


class NewRoomForm(Form):
    """On the venue's page, beside the venue's own form (whose ``name`` it must not repeat)."""

    room_name = StringField("Name des Raums")
    capacity = StringField("Plätze")


class OnlineRoomForm(Form):
    name = StringField("Name des Online-Raums")
    meeting_url = StringField("Zugangslink")
    dial_in = StringField("Telefon-Einwahl (optional)")


class VenueFilterForm(Form):
    """A GET form: it changes nothing, so it carries no CSRF token. The query checks it."""

    class Meta:
        csrf = False

    q = StringField("Name oder Stadt enthält")
    region = SelectField(
        "Regierungsbezirk",
        choices=[SelectChoice("", "Alle Bezirke"), *REGION_CHOICES],
        default="",
        validate_choice=False,
    )
    nach = HiddenField()


class OnlineRoomFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField("Name enthält")
    nach = HiddenField()
