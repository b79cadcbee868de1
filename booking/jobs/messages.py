"""German texts of the scheduler and its jobs, in one place."""

from __future__ import annotations

SWEEP_DONE = "{events} Veranstaltung(en) mit Warteliste geprüft, {promoted} Platz/Plätze vergeben."
SWEEP_BUSY = "{busy} Veranstaltung(en) gerade gesperrt, beim nächsten Lauf wieder."
REMINDERS_DONE = (
    "{events} Veranstaltung(en) mit fälligen Erinnerungen, {bookings} Erinnerung(en) geschrieben."
)
FEEDBACK_INVITATIONS_DONE = (
    "{events} beendete Veranstaltung(en) geprüft, {invited} Einladung(en) zur Rückmeldung "
    "geschrieben."
)
OFFERS_DONE = (
    "{expired} Angebot(e) nach Ablauf der Frist verfallen, {offered} Platz/Plätze weitergegeben."
)
DRAW_DONE = "{events} Veranstaltung(en) ausgelost, {requests} Anfrage(n) entschieden."
LAPSE_DONE = "{lapsed} Anfrage(n) ohne Freigabe bis zur Frist verfallen."
LOW_STOCK_DONE = "{items} Artikel unter der Meldegrenze gemeldet."
RETENTION_DONE = (
    "{total} Datensatz/Datensätze nach Ablauf der Aufbewahrungsfrist gelöscht oder geleert "
    "({parts})."
)

UNKNOWN_JOB = "Unbekannter Job „{name}“. Bekannt sind: {known}."
RUN_DONE = "{name}: {summary}"
RUN_FAILED = "Der Job „{name}“ ist fehlgeschlagen ({error})."
RUN_NOT_STARTED = "Der Job „{name}“ läuft gerade schon."
WORKER_STARTED = "Jobs laufen: {names} (beenden mit Strg+C)."
WORKER_STOPPED = "Jobs beendet."

NEVER = "noch nie"
LAST_OK = "{when} (erfolgreich)"
LAST_FAILED = "{when} (fehlgeschlagen: {error})"
LAST_RUNNING = "{when} (läuft)"
LAST_ABANDONED = "{when} (abgebrochen)"
NEXT_DUE = "{when} (fällig)"
STATUS_LINE = "{name}  zuletzt: {last}  nächster Lauf: {next}"
