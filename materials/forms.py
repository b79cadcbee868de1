"""Forms of the material pages. They carry the CSRF token and the entries as typed; the services
check the entries (every problem at once, in German), so that pages and API refuse alike.
The order form's quantities are fields named ``menge-<item id>``, read by the route."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from booking.core.web import Form
from materials import messages

NEW_ADDRESS = "neu"


def whole_number(text: str | None, *, empty: int | None = 0) -> int | None:
    """A number as typed ("24", "2.400"); ``empty`` when blank; -1 (refused by the service
    with its message) for anything else."""
    text = (text or "").strip().replace(".", "")
    if not text:
        return empty
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 7 else -1


class OrderForm(Form):
    address_choice = RadioField("Lieferanschrift", choices=[], validate_choice=False)
    delivery_address = TextAreaField("Neue Lieferanschrift (dienstlich)")
    contact = StringField("Ansprechperson (Name, Telefon oder E-Mail)")
    note = TextAreaField("Hinweis an die Geschäftsstelle (optional)")


class ItemForm(Form):
    name = StringField("Bezeichnung")
    description = TextAreaField("Beschreibung (optional)")
    unit = StringField("Einheit")
    picture = SelectField(
        "Bild",
        choices=[SelectChoice(key, label) for key, label in messages.PICTURES.items()],
        validate_choice=False,
    )
    stock = StringField("Bestand")
    yearly_limit = StringField("Jahresgrenze je Organisation (leer: keine)")
    low_stock_threshold = StringField("Meldegrenze (0: keine Meldung)")
    emergency_services_only = BooleanField(
        "Nur für Einsatzkräfte (Polizei, Feuerwehr, Rettungsdienst, THW)"
    )
    active = BooleanField("Bestellbar")


class StepForm(Form):
    aktion = HiddenField()
    reason = TextAreaField("Grund (geht an die bestellende Person)")
    shipped_on = StringField("Versanddatum")
    tracking_note = StringField("Hinweis zur Sendung (optional, z. B. Sendungsnummer)")


class QueueFilterForm(Form):
    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        choices=[
            SelectChoice("offen", messages.OPEN_LABEL),
            *(SelectChoice(k, v) for k, v in messages.STATUS_LABELS.items()),
            SelectChoice("alle", messages.ALL_LABEL),
        ],
        default="offen",
        validate_choice=False,
    )
    nach = HiddenField()
