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
