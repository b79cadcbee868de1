"""German texts of the material catalogue and orders."""

from __future__ import annotations

STATUS_LABELS = {
    "received": "eingegangen",
    "approved": "freigegeben",
    "shipped": "versandt",
    "rejected": "abgelehnt",
    "cancelled": "storniert",
}
STATUS_ICONS = {"received": "…", "approved": "✓", "shipped": "➜", "rejected": "✕", "cancelled": "✕"}
OPEN_LABEL = "offen (eingegangen oder freigegeben)"
ALL_LABEL = "alle"

PICTURES = {
    "": "Kein Bild",
    "tuerkeil.svg": "Türkeil",
    "taschenkarte.svg": "Taschenkarte",
    "leitfaden.svg": "Leitfaden",
}
"""The pictures shipped under static/img/material/ that an item may show."""

# -- the catalogue --------------------------------------------------------------------------------

NAME_REQUIRED = "Bitte geben Sie die Bezeichnung des Artikels an."
NAME_TOO_LONG = "Die Bezeichnung ist zu lang (höchstens 200 Zeichen)."
NAME_TAKEN = "Einen Artikel „{name}“ gibt es bereits."
DESCRIPTION_TOO_LONG = "Die Beschreibung ist zu lang (höchstens 2.000 Zeichen)."
UNIT_REQUIRED = "Bitte geben Sie die Einheit an, z. B. Stück oder Packung."
UNIT_TOO_LONG = "Die Einheit ist zu lang (höchstens 40 Zeichen)."
CONTROL_CHARS = "Der Text enthält unzulässige Steuerzeichen."
STOCK_RANGE = "Bitte geben Sie den Bestand als ganze Zahl von 0 bis 1.000.000 an."
LIMIT_RANGE = (
    "Bitte geben Sie die Jahresgrenze als ganze Zahl von 1 bis 1.000.000 an (leer: keine Grenze)."
)
THRESHOLD_RANGE = (
    "Bitte geben Sie die Meldegrenze als ganze Zahl von 0 bis 1.000.000 an (0: keine Meldung)."
)
PICTURE_UNKNOWN = "Bitte wählen Sie ein Bild aus der Liste."
ITEM_UNKNOWN = "Diesen Artikel gibt es nicht."
ITEM_CREATED = "Der Artikel „{name}“ ist angelegt."
ITEM_SAVED = "Der Artikel „{name}“ ist gespeichert."
NOTHING_TO_CHANGE = "Bitte geben Sie mindestens eine Änderung an."

# -- ordering -------------------------------------------------------------------------------------

NO_ORGANISATION = (
    "Material bestellen können nur Mitglieder, die einer Organisation des Netzwerks angehören. "
    "Bitte wenden Sie sich an die Geschäftsstelle."
)
NOTHING_ORDERED = "Bitte geben Sie bei mindestens einem Artikel eine Menge an."
TOO_MANY_LINES = "Eine Bestellung kann höchstens {count} Artikel umfassen."
QUANTITY_RANGE = "Bitte geben Sie eine ganze Zahl von 1 bis 100.000 an."
QUANTITY_FIELD_RANGE = "Bitte geben Sie eine ganze Zahl von 0 bis 100.000 an."
ITEM_TWICE = "Der Artikel „{name}“ steht zweimal in der Bestellung."
ITEM_NOT_ORDERABLE = "Diesen Artikel gibt es nicht oder er ist zurzeit nicht bestellbar."
NOT_EMERGENCY = (
    "„{name}“ können nur Organisationen der Einsatzkräfte (Polizei, Feuerwehr, "
    "Rettungsdienst, THW) bestellen; {organisation} gehört zum Bereich „{sector}“."
)
OVER_LIMIT = (
    "Über der Jahresgrenze: Von „{name}“ kann {organisation} {year} noch {left} {unit} "
    "bestellen (Grenze {limit} je Kalenderjahr)."
)
OUT_OF_STOCK = "Nicht genug auf Lager: Von „{name}“ sind noch {available} {unit} verfügbar."
ADDRESS_REQUIRED = "Bitte geben Sie die Lieferanschrift Ihrer Organisation an."
ADDRESS_LINES = "Die Lieferanschrift hat 2 bis 6 Zeilen (Sie haben {count} angegeben)."
ADDRESS_LINE_TOO_LONG = "Jede Zeile der Lieferanschrift hat höchstens 100 Zeichen."
ADDRESS_POSTCODE = (
    "Die letzte Zeile der Lieferanschrift nennt Postleitzahl (fünf Ziffern) und Ort, "
    "z. B. „48143 Münster“."
)
ADDRESS_ORGANISATION = (
    "Die erste Zeile der Lieferanschrift nennt Ihre Organisation („{organisation}“): Material "
    "geht nur an dienstliche Anschriften, nie an eine Privatanschrift."
)
ADDRESS_CHOICE_UNKNOWN = (
    "Bitte wählen Sie eine Anschrift aus der Liste oder geben Sie eine neue an."
)
CONTACT_REQUIRED = "Bitte nennen Sie eine Ansprechperson mit Telefon oder E-Mail."
CONTACT_TOO_LONG = "Die Angabe zur Ansprechperson ist zu lang (höchstens 200 Zeichen)."
NOTE_TOO_LONG = "Der Hinweis ist zu lang (höchstens 1.000 Zeichen)."
ORDER_PLACED = (
    "Ihre Bestellung {number} ist eingegangen. Die Mengen sind für Sie reserviert; "
    "eine Bestätigung ist per E-Mail unterwegs."
)

# -- the workflow ---------------------------------------------------------------------------------

ORDER_UNKNOWN = "Diese Bestellung gibt es nicht."
ORDER_FORBIDDEN = (
    "Diese Bestellung sehen nur die bestellende Person, die Koordination ihrer Organisation "
    "und die Geschäftsstelle."
)
ORGANISERS_ONLY = "Das kann nur die Geschäftsstelle."
STEP_NOT_POSSIBLE = "Eine {current} Bestellung kann nicht {wanted} werden."
STEP_VERBS = {
    "approved": "freigegeben",
    "shipped": "versandt",
    "rejected": "abgelehnt",
    "cancelled": "storniert",
}
STEP_ADJECTIVES = {
    "received": "eingegangene",
    "approved": "freigegebene",
    "shipped": "versandte",
    "rejected": "abgelehnte",
    "cancelled": "stornierte",
}
STATUS_UNKNOWN = "Unbekannter Schritt. Möglich sind: freigeben, versenden, ablehnen, stornieren."
REASON_REQUIRED = (
    "Bitte geben Sie einen Grund für die Ablehnung an; er geht an die Bestellerin oder den "
    "Besteller."
)
REASON_TOO_LONG = "Der Grund ist zu lang (höchstens 1.000 Zeichen)."
TRACKING_TOO_LONG = "Der Hinweis zur Sendung ist zu lang (höchstens 500 Zeichen)."
SHIPPED_ON_INVALID = "Bitte geben Sie das Versanddatum an, z. B. 12.03.2026."
SHIPPED_ON_FUTURE = "Das Versanddatum darf nicht in der Zukunft liegen."
ONLY_OWN_CANCEL = (
    "Sie können nur eine eingegangene Bestellung stornieren. Danach wenden Sie sich bitte an die "
    "Geschäftsstelle."
)
QUANTITIES_CLOSED = "Die Mengen einer {current} Bestellung können nicht mehr geändert werden."
QUANTITIES_ALL_ZERO = (
    "Mindestens ein Artikel braucht eine Menge; um die ganze Bestellung zurückzunehmen, "
    "stornieren Sie sie."
)
QUANTITIES_UNCHANGED = "Die Mengen sind unverändert."
STEP_DONE = {
    "approved": "Die Bestellung {number} ist freigegeben.",
    "shipped": "Die Bestellung {number} ist als versandt vermerkt.",
    "rejected": "Die Bestellung {number} ist abgelehnt; der Bestand ist zurückgebucht.",
    "cancelled": "Die Bestellung {number} ist storniert; der Bestand ist zurückgebucht.",
}
QUANTITIES_CHANGED = "Die Mengen der Bestellung {number} sind geändert."

# -- lists, exports, the packing slip -------------------------------------------------------------

FILTER_UNKNOWN = "Bitte wählen Sie einen Status aus der Liste."
EXPORT_FILENAME = "offene-bestellungen-{day}"
EXPORT_SHEET = "Offene Bestellungen"
EXPORT_HEADER = (
    "Bestellnummer", "Eingegangen", "Status", "Organisation", "Lieferanschrift",
    "Ansprechperson", "Artikel", "Menge", "Einheit", "Hinweis",
)  # fmt: skip
SLIP_TITLE = "Lieferschein"
SLIP_FILENAME = "lieferschein-{number}.pdf"
