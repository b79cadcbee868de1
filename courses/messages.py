"""German texts of the programme."""

from __future__ import annotations

KIND_LABELS = {
    "network_meeting": "Netzwerktreffen",
    "conference": "Fachtagung",
    "workshop": "Workshop",
    "online_qa": "Frag doch mal das Netzwerk",
    "webinar": "Webinar",
    "training": "Deeskalationstraining",
}
REMINDER_DAYS = "Bitte 0 (keine Erinnerung) bis 30 Tage angeben."
TITLE_REQUIRED = "Bitte geben Sie einen Titel an."
TITLE_LENGTH = "Der Titel hat 3 bis 200 Zeichen."
CONTROL_CHARS = "Der Text enthält unzulässige Steuerzeichen."
LINES_LIMIT = "Höchstens {count} Zeilen mit je höchstens {length} Zeichen."
SESSION_INCOMPLETE = "Bitte geben Sie Datum, Beginn und Ende an."
SESSION_ROWS_FULL = "Mehr Termine lassen sich hier nicht anlegen; weitere über die API."
EVENT_NOT_FOUND = "Diese Veranstaltung gibt es nicht."
SESSIONS_REQUIRED = "Bitte geben Sie mindestens einen Termin an."
SESSION_ORDER = "Ein Termin muss nach seinem Beginn enden."
KIND_UNKNOWN = "Unbekanntes Format."
SECTOR_UNKNOWN = "Unbekannter Bereich."
WINDOW_ORDER = "Die Anmeldung muss vor dem Anmeldeschluss öffnen."
PARENT_REQUIRED = "Ein Workshop gehört zu einer Fachtagung oder einem Netzwerktreffen."
PARENT_ONLY_FOR_WORKSHOPS = (
    "Nur ein Workshop gehört zu einer anderen Veranstaltung. Bitte wählen Sie als Format "
    "„Workshop“ oder lassen Sie „Gehört zu“ leer."
)
EVENT_CANCELLED_ALREADY = "Diese Veranstaltung ist bereits abgesagt."
SESSION_UNKNOWN = "Dieser Termin gehört nicht zu der Veranstaltung."
VENUE_UNKNOWN = "Diesen Veranstaltungsort gibt es nicht."
ROOM_UNKNOWN = "Diesen Online-Raum gibt es nicht."
ROOM_NOT_AT_VENUE = "Diesen Raum gibt es am gewählten Veranstaltungsort nicht."
MONTH_FORMAT = "Bitte wählen Sie einen Monat (JJJJ-MM)."
MONTH_RANGE = "Bitte wählen Sie einen Monat zwischen 2000 und 2100."
DAY_FORMAT = "Bitte ein Datum zwischen 2000 und 2100 angeben, das es gibt, z. B. 12.03.2027."
CLOCK_FORMAT = "Bitte als Uhrzeit angeben, z. B. 9:00 oder 14:30."
TRAINER_UNKNOWN = "{email} ist kein freigeschaltetes Mitglied mit der Rolle Trainerin oder Trainer."
SERIES_UNKNOWN = "Diese Veranstaltungsreihe gibt es nicht."
NOT_YOUR_COURSE = "Diese Veranstaltung gehört nicht zu Ihren Kursen."
MARK_UNKNOWN = "Unbekannte Anwesenheit. Erlaubt: present, late, excused oder absent."
BOOKING_UNKNOWN = "Die Buchung {id} gibt es nicht."
BOOKING_NOT_ON_ROSTER = "Die Buchung {id} gehört nicht zu den Teilnehmenden dieser Veranstaltung."
MEMBER_UNKNOWN = "Dieses Mitglied gibt es nicht oder es ist nicht freigeschaltet."
ALREADY_ON_ROSTER = "Diese Person steht bereits auf der Teilnahmeliste."
MARK_LABELS = {
    "present": "anwesend",
    "late": "verspätet",
    "excused": "entschuldigt",
    "absent": "abwesend",
}
WALK_IN_UNKNOWN = (
    "Unter dieser Adresse ist kein freigeschaltetes Mitglied bekannt. Wer noch kein Konto hat, "
    "meldet sich bitte zuerst an."
)
OUTCOMES_MISSING = (
    "Bescheinigungen gibt es, sobald für den letzten Termin die Anwesenheit aller "
    "Teilnehmenden eingetragen ist."
)
PARTIAL_NOTE = "teilgenommen an {sessions} von {of_sessions} {days}, {units} von {of_units} UE"
PARTIAL_DAYS = {"training": "Trainingstagen"}
"""What the partial-attendance note calls the sessions of an event of this kind."""
PARTIAL_SESSIONS = "Terminen"
CERTIFICATE_UNKNOWN = (
    "Diese Bescheinigung ist nicht bekannt. Bitte prüfen Sie die Nummer oder den Link."
)
MARKS_LOCKED = (
    "Für diese Buchung ist eine Bescheinigung ausgestellt; ihre Anwesenheit lässt sich erst "
    "nach einem Widerruf berichtigen."
)
REVOKE_REASON = "Bitte geben Sie einen Grund für den Widerruf an (höchstens 500 Zeichen)."
CERTIFICATE_REVOKED_ALREADY = "Diese Bescheinigung ist bereits widerrufen."
SESSION_ADDED = "zusätzlicher Termin"
"""What the change mail calls a session added to a booked event ("Neu – zusätzlicher Termin")."""
SESSION_DROPPED = "entfällt"
"""What the change mail says of a removed session ("Neu – Termin: entfällt (bisher: …)")."""
SESSION_IN_PAST = "Ein neuer Termin muss in der Zukunft beginnen."
SESSIONS_TOO_MANY = "Eine Veranstaltung hat höchstens {count} Termine."
SESSION_BEGUN = "Dieser Termin hat schon begonnen und lässt sich nicht mehr entfernen."
SESSION_LAST = (
    "Der einzige Termin einer Veranstaltung lässt sich nicht entfernen. Sagen Sie stattdessen "
    "die Veranstaltung ab."
)
SESSION_MARKED = (
    "Für diesen Termin ist schon Anwesenheit eingetragen; er lässt sich nicht mehr entfernen."
)
RULE_FREQ = "Bitte wählen Sie, wie oft: monatlich oder wöchentlich."
RULE_WEEKDAY = "Bitte wählen Sie einen Wochentag (Montag bis Sonntag)."
RULE_INTERVAL = "Bitte einen Abstand von 1 bis {most} Monaten oder Wochen wählen."
RULE_WEEK_OF_MONTH = (
    "Bitte wählen Sie, am wievielten Wochentag im Monat: ersten bis vierten oder letzten."
)
RULE_WEEK_OF_MONTH_WEEKLY = "Bei einer wöchentlichen Reihe gibt es keinen Wochentag im Monat."
SERIES_COUNT_OR_UNTIL = "Bitte geben Sie entweder die Zahl der Termine oder ein Enddatum an."
SERIES_COUNT = "Bitte 1 bis {most} Termine angeben."
SERIES_UNTIL_ORDER = "Das Enddatum liegt vor dem ersten Tag."
SERIES_UNTIL_TOO_MANY = (
    "Bis zu diesem Datum wären es mehr als {most} Termine. Bitte ein früheres Enddatum wählen; "
    "die Reihe lässt sich später verlängern."
)
SERIES_NO_DATES = "Bis zu diesem Datum gibt es nach der Regel keinen Termin."
SERIES_IN_PAST = "Der erste Termin muss in der Zukunft liegen."
SERIES_NO_WORKSHOPS = "Eine Reihe besteht aus eigenständigen Veranstaltungen, nicht aus Workshops."
SERIES_DATE_UNKNOWN = "Dieser Termin gehört nicht zu der Reihe."
SERIES_DATE_BEGUN = "Dieser Termin hat schon begonnen; ändern lassen sich nur künftige Termine."
SERIES_EMPTY = "Diese Reihe hat keinen Termin, nach dem sie sich verlängern ließe."
SERIES_STARTS_REQUIRED = "Bitte geben Sie die Uhrzeit des Beginns an, z. B. 17:00."
SERIES_ENDS_REQUIRED = "Bitte geben Sie die Uhrzeit des Endes an, z. B. 18:30."
SERIES_FIRST_DAY_REQUIRED = "Bitte geben Sie den ersten möglichen Tag an, z. B. 01.03.2027."
RELEASE_DEADLINE_WITHOUT_RELEASE = (
    "Eine Frist für die Freigabe gibt es nur, wenn die Veranstaltung eine Freigabe durch die "
    "Organisation verlangt."
)
OFFER_WORKING_DAYS = (
    "Bitte leer lassen (Wartende rücken sofort nach) oder 1 bis 10 Arbeitstage angeben."
)
ALLOCATION_UNKNOWN = "Bitte wählen Sie, wie die Plätze vergeben werden: first_come oder draw."
DRAW_NEEDS_DEADLINE = (
    "Für die Platzvergabe per Los braucht die Veranstaltung einen Anmeldeschluss: Dann wird gelost."
)
DRAW_RELEASE_AFTER_DEADLINE = (
    "Bei der Platzvergabe per Los muss die Freigabe bis zum Anmeldeschluss erfolgen: Dann wird "
    "gelost."
)
ALLOCATION_LOCKED = (
    "Die Art der Platzvergabe lässt sich nicht mehr ändern: Es gibt bereits Buchungen oder "
    "Anfragen, oder es wurde schon gelost."
)
DRAW_DEADLINE_LOCKED = (
    "Der Anmeldeschluss lässt sich nicht mehr ändern: Er bestimmt die Auslosung, deren "
    "Prüfwert mit den ersten Anfragen feststeht."
)
