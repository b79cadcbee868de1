"""German texts of organisations: sector names, errors and confirmations."""

from __future__ import annotations

SECTOR_LABELS: dict[str, str] = {
    "verwaltung": "Kommunal- und Landesverwaltung",
    "soziales": "Soziales und Jobcenter",
    "schule": "Schule",
    "hochschule": "Hochschule",
    "gesundheit": "Gesundheitswesen",
    "polizei": "Polizei",
    "feuerwehr": "Feuerwehr",
    "rettungsdienst": "Rettungsdienst",
    "thw": "THW und Katastrophenschutz",
    "justiz": "Justiz",
}
"""Every sector's name as the network writes it, in the network's order (the keys are
booking.organisations.models.Sector; a test keeps them equal)."""
SECTORS = SECTOR_LABELS

EMERGENCY_LABEL = "Einsatzkräfte"

NAME_REQUIRED = "Bitte geben Sie den Namen der Organisation an."
NAME_TOO_LONG = "Der Name ist zu lang (höchstens 200 Zeichen)."
NAME_CONTROL_CHARS = "Der Name enthält unzulässige Steuerzeichen."
NAME_TAKEN = "Eine Organisation mit dem Namen „{name}“ gibt es bereits."
SECTOR_UNKNOWN = "Bitte wählen Sie einen Bereich aus der Liste."
REGION_UNKNOWN = "Bitte wählen Sie einen Regierungsbezirk aus der Liste."
DOMAIN_INVALID = (
    "Bitte geben Sie eine gültige E-Mail-Domain an, z. B. stadt-muenster.de "
    "(ohne @, nur Buchstaben a–z, Ziffern, Bindestriche und Punkte)."
)
DOMAIN_TAKEN = "Die Domain {domain} gehört bereits zur Organisation „{name}“."
DOMAIN_NOT_HERE = "Die Domain {domain} gehört nicht zu dieser Organisation."
MERGE_SAME = "Bitte wählen Sie zwei verschiedene Organisationen."
MERGE_UNKNOWN = "Diese Organisation gibt es nicht (mehr)."
SEARCH_TOO_LONG = "Der Suchbegriff ist zu lang (höchstens 200 Zeichen)."
CHECK_INPUT = "Bitte prüfen Sie Ihre Eingaben."

IMPORT_LINE = "Zeile {line}: {message}"
IMPORT_DUPLICATE = "„{name}“ steht schon in Zeile {first}."
IMPORT_DOMAIN_TWICE = "Die Domain {domain} steht schon in Zeile {first}."
IMPORT_NOTHING_WRITTEN = "Es wurde nichts importiert ({count} Fehler)."
