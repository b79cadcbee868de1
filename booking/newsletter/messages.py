"""German texts of the newsletter, with the versioned consent texts."""

from __future__ import annotations

CONSENT_TEXTS: dict[str, str] = {
    "2026-12": (
        "Ich möchte den Newsletter des Präventionsnetzwerks #sicherimDienst an diese "
        "dienstliche E-Mail-Adresse erhalten (etwa zwölf Ausgaben im Jahr: Veranstaltungen, "
        "Material, Neues aus dem Netzwerk). Meine Einwilligung kann ich jederzeit mit einem "
        "Klick widerrufen: über den Abmeldelink in jeder Ausgabe oder in meinem Profil. "
        "Gespeichert werden dafür nur die Adresse und Zeitpunkt und Fassung dieser "
        "Einwilligung."
    ),
}
"""Every consent text that was ever shown, by version: a subscription records the version
its person agreed to. Change the text only by adding a new version."""
CONSENT_VERSION = "2026-12"
"""The version shown now."""

EMAIL_INVALID = "Bitte geben Sie eine gültige dienstliche E-Mail-Adresse an."
EMAIL_NOT_OFFICIAL = (
    "Der Newsletter ist für dienstliche Adressen der Mitgliedsorganisationen. Die Domain dieser "
    "Adresse gehört zu keiner Mitgliedsorganisation."
)
CONSENT_REQUIRED = "Bitte bestätigen Sie die Einwilligung, um den Newsletter zu erhalten."
CONFIRM_LINK_INVALID = (
    "Dieser Bestätigungslink ist ungültig oder abgelaufen. Bitte melden Sie sich erneut zum "
    "Newsletter an."
)
CONFIRM_LINK_USED = "Diese Anmeldung ist bereits bestätigt."
UNSUBSCRIBE_LINK_INVALID = (
    "Dieser Abmeldelink ist ungültig. Bitte nutzen Sie den Link aus einer aktuellen Ausgabe "
    "oder melden Sie sich in Ihrem Profil ab."
)
MEMBER_NOT_ACTIVE = (
    "Den Newsletter mit einem Klick bestellen können Mitglieder mit freigegebenem Zugang."
)

SUBJECT_REQUIRED = "Bitte geben Sie einen Betreff an."
SUBJECT_TOO_LONG = "Der Betreff ist zu lang (höchstens {most} Zeichen)."
BODY_REQUIRED = "Bitte schreiben Sie einen Text."
BODY_TOO_LONG = "Der Text ist zu lang (höchstens {most} Zeichen)."
CONTROL_CHARS = "Der Text enthält unzulässige Steuerzeichen."
CHECK_INPUT = "Bitte prüfen Sie Ihre Eingaben."
ISSUE_UNKNOWN = "Diese Ausgabe gibt es nicht."
ISSUE_NOT_DRAFT = (
    "Diese Ausgabe wird bereits versendet oder ist versendet; sie lässt sich nicht mehr ändern."
)
ISSUE_ALREADY_SENDING = "Diese Ausgabe wird bereits versendet oder ist versendet."
NO_SUBSCRIBERS = "Es gibt noch keine bestätigten Abonnentinnen und Abonnenten."
ORGANISERS_ONLY = "Newsletter schreiben und versenden kann nur die Geschäftsstelle."

SENDING_DONE = "{issues} Ausgabe(n) im Versand, {queued} E-Mail(s) in den Postausgang gelegt."
