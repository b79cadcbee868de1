"""German texts of the year in figures: headings, column names, the counting rules, errors."""

from __future__ import annotations

from booking.core.formatting import FIRST_YEAR, LAST_YEAR

YEAR_LABEL = "Jahr"
YEAR_FORMAT = "Bitte wählen Sie ein Jahr, z. B. 2026."
YEAR_RANGE = f"Bitte wählen Sie ein Jahr zwischen {FIRST_YEAR} und {LAST_YEAR}."

TOTAL = "Summe ohne Workshops"
NO_ORGANISATION = "ohne Organisation"
NO_FEEDBACK = "Noch keine Rückmeldungen"

FILENAME = "sicherimdienst-zahlen-{year}"
"""The XLSX's name without the extension."""
WORKBOOK_TITLE = "#sicherimDienst – das Jahr {year} in Zahlen"

FORMAT = "Format"
EVENTS = "Veranstaltungen"
SEATS_OFFERED = "Plätze angeboten"
SEATS_TAKEN = "Plätze belegt"
UTILISATION = "Auslastung in %"
WAITLISTED_EVER = "Jemals auf der Warteliste"
STILL_WAITING = "Noch auf der Warteliste"
SETTLED = "Teilnahme festgestellt"
ATTENDED = "Teilgenommen"
PARTIAL = "Teilweise teilgenommen"
NO_SHOW = "Nicht erschienen"
ATTENDANCE_RATE = "Teilnahmequote in %"
NO_SHOW_RATE = "Quote nicht erschienen in %"
SECTOR = "Bereich"
REGION = "Regierungsbezirk"
PARTICIPANTS = "Teilnehmende (Plätze belegt)"
BOOKINGS = "Anmeldungen insgesamt"
QUESTION = "Frage"
AVERAGE = "Durchschnitt"
ANSWERS = "Antworten"

SHEET_FORMATS = "Formate und Plätze"
SHEET_ATTENDANCE = "Anwesenheit"
SHEET_SECTORS = "Bereiche"
SHEET_REGIONS = "Regierungsbezirke"
SHEET_FEEDBACK = "Rückmeldungen"

CHART_EVENTS = "Veranstaltungen nach Format"
CHART_EVENTS_DESC = "Balkendiagramm, Zahl der Veranstaltungen je Format im Jahr {year}."
CHART_SEATS = "Plätze angeboten und belegt nach Format"
CHART_SEATS_DESC = (
    "Balkendiagramm, je Format ein Balken für die angebotenen Plätze (voll) und einer für die "
    "belegten (schraffiert), im Jahr {year}."
)
SERIES_OFFERED = "angeboten"
SERIES_TAKEN = "belegt"
CHART_WAITING = "Nachfrage auf der Warteliste nach Format"
CHART_WAITING_DESC = (
    "Balkendiagramm, je Format ein Balken für die Buchungen, die je auf der Warteliste standen "
    "(voll), und einer für die, die noch warten (schraffiert), im Jahr {year}."
)
SERIES_EVER = "je gewartet"
SERIES_STILL = "noch wartend"
CHART_ATTENDANCE = "Anwesenheit der Teilnehmenden"
CHART_ATTENDANCE_DESC = (
    "Balkendiagramm, Teilnehmende mit festgestellter Teilnahme nach Ergebnis, mit Anteil, "
    "im Jahr {year} (ohne Workshops)."
)
CHART_SECTORS = "Teilnehmende nach Bereich"
CHART_SECTORS_DESC = (
    "Balkendiagramm, belegte Plätze nach dem Bereich der buchenden Organisation im Jahr {year} "
    "(ohne Workshops)."
)
CHART_REGIONS = "Teilnehmende nach Regierungsbezirk"
CHART_REGIONS_DESC = (
    "Balkendiagramm, belegte Plätze nach dem Regierungsbezirk der buchenden Organisation im "
    "Jahr {year} (ohne Workshops)."
)
