"""German texts of sign-in and membership."""

from __future__ import annotations

LINK_INVALID = (
    "Dieser Anmeldelink ist ungültig oder abgelaufen. Bitte fordern Sie einen neuen Link an."
)
LINK_USED = "Dieser Anmeldelink wurde bereits verwendet. Bitte fordern Sie einen neuen Link an."
ACCOUNT_REJECTED = (
    "Für diese Adresse ist kein Zugang möglich. Bitte wenden Sie sich an die Geschäftsstelle."
)
ORGANISATION_UNKNOWN = "Diese Organisation gibt es nicht."
NOT_PENDING = "Dieser Zugang wartet nicht auf eine Freigabe."
EMAIL_INVALID = "Bitte geben Sie eine gültige dienstliche E-Mail-Adresse an."
ORGANISATION_NAME_REQUIRED = "Bitte nennen Sie Ihre Dienststelle."
ROLE_UNKNOWN = "Unbekannte Rolle. Erlaubt sind: member, trainer, organiser."
NO_MEMBER = "Kein Mitglied mit der Adresse {emails}."
EMAIL_INVALID_HINT = (
    "Bitte geben Sie genau eine dienstliche E-Mail-Adresse an, z. B. "
    "vorname.nachname@stadt-muenster.de – ohne Namen, Klammern, Anführungszeichen, Kommas, "
    "Semikolons oder Leerzeichen."
)
CONTROL_CHARACTERS = "Bitte verwenden Sie keine Steuerzeichen (etwa Null-Bytes oder Tabulatoren)."
TOKEN_DAYS = "Die Gültigkeit eines Tokens muss zwischen 1 und {most} Tagen liegen."
TOKEN_NAME = "Die Bezeichnung ist zu lang (höchstens 100 Zeichen) oder enthält Steuerzeichen."
TOKEN_UNKNOWN = "Dieses API-Token gibt es nicht."
