"""German texts of sign-in and membership."""

from __future__ import annotations

LINK_INVALID = (
    "Dieser Anmeldelink ist ungültig oder abgelaufen. Bitte fordern Sie einen neuen Link an."
)
LINK_USED = "Dieser Anmeldelink wurde bereits verwendet. Bitte fordern Sie einen neuen Link an."
ACCOUNT_REJECTED = (
    "Für diese Adresse ist kein Zugang möglich. Bitte wenden Sie sich an die Geschäftsstelle."
)
ORGANISATION_REQUIRED = (
    "Bitte geben Sie den Namen der Organisation oder eine ihrer E-Mail-Domains an."
)
ORGANISATION_TOO_LONG = "Höchstens 254 Zeichen."
ORGANISATION_UNKNOWN = (
    "Keine Organisation heißt „{text}“ oder hat diese E-Mail-Domain. Fehlt sie, legen Sie "
    "sie mit „Organisation fehlt?“ neu an."
)
ORGANISATION_UNKNOWN_BUT = (
    "Keine Organisation heißt „{text}“ oder hat diese E-Mail-Domain. Ähnlich sind: {names}."
)
ORGANISATION_AMBIGUOUS = (
    "„{text}“ passt auf mehrere Organisationen: {names}. Bitte geben Sie den Namen genau so "
    "an, wie er hier steht."
)
NOT_PENDING = "Dieser Zugang wartet nicht auf eine Freigabe."
EMAIL_INVALID = "Bitte geben Sie eine gültige dienstliche E-Mail-Adresse an."
ORGANISATION_NAME_REQUIRED = "Bitte nennen Sie Ihre Dienststelle."
ROLE_UNKNOWN = "Unbekannte Rolle. Erlaubt sind: member, trainer, coordinator, organiser."
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
COORDINATOR_WITHOUT_ORGANISATION = (
    "Koordinieren kann nur, wer zu einer Organisation gehört. Bitte ordnen Sie die Person "
    "zuerst einer Organisation zu."
)
ROLES_FORBIDDEN = "Rollen vergibt nur die Geschäftsstelle."
OWN_ROLE = "Die eigene Rolle als Geschäftsstelle geben Sie nicht selbst ab; das tut eine Kollegin."
ROLE_LABELS = {
    "member": "Mitglied",
    "trainer": "Trainerin oder Trainer",
    "coordinator": "Koordination der Organisation",
    "organiser": "Geschäftsstelle",
}
