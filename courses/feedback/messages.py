"""German texts of the feedback after events."""

from __future__ import annotations

LINK_UNKNOWN = (
    "Diesen Rückmeldelink kennen wir nicht. Bitte prüfen Sie, ob die Adresse aus der E-Mail "
    "vollständig übernommen wurde."
)
LINK_USED = (
    "Mit diesem Link wurde bereits eine Rückmeldung abgegeben. Jede Person kann einmal "
    "antworten – vielen Dank für Ihre Rückmeldung!"
)
LINK_EXPIRED = (
    "Dieser Rückmeldelink ist abgelaufen: Rückmeldungen waren bis {day} möglich. "
    "Vielen Dank für Ihr Interesse."
)
EVENT_CANCELLED = "Diese Veranstaltung wurde abgesagt; Rückmeldungen sind nicht mehr möglich."
RATING_INVALID = "Bitte wählen Sie einen Wert von 1 bis 5 oder „keine Angabe“."
QUESTION_UNKNOWN = "Diese Frage gibt es nicht."
NOTHING_ANSWERED = (
    "Bitte beantworten Sie mindestens eine Frage oder schreiben Sie uns ein paar Worte."
)
COMMENT_TOO_LONG = "Bitte fassen Sie sich kürzer (höchstens {max} Zeichen)."
CONTROL_CHARS = "Der Text enthält unzulässige Steuerzeichen."
NO_ANSWER = "keine Angabe"

WINDOW_ORDER = "Das Ende des Zeitraums muss nach seinem Anfang liegen."
YEAR_RANGE = "Bitte wählen Sie ein Jahr zwischen 2000 und 2100."
