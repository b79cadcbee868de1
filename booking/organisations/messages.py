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

# -- joining online ------------------------------------------------------------------------------

STREET_REQUIRED = "Bitte geben Sie Straße und Hausnummer (oder Postfach) an."
POSTAL_CODE_INVALID = "Bitte geben Sie eine Postleitzahl aus fünf Ziffern an, z. B. 48143."
CITY_REQUIRED = "Bitte geben Sie den Ort an."
HEAD_NAME_REQUIRED = "Bitte nennen Sie die Leitung der Organisation, die den Beitritt erklärt."
HEAD_FUNCTION_REQUIRED = "Bitte geben Sie die Funktion der Leitung an, z. B. Bürgermeisterin."
CONTACT_FIRST_NAME_REQUIRED = "Bitte geben Sie den Vornamen der Ansprechperson an."
CONTACT_LAST_NAME_REQUIRED = "Bitte geben Sie den Nachnamen der Ansprechperson an."
CONTACT_EMAIL_INVALID = (
    "Bitte geben Sie eine gültige dienstliche E-Mail-Adresse an, z. B. vorname.nachname@stadt.de."
)
CONTACT_EMAIL_NOT_OFFICIAL = (
    "Die E-Mail-Adresse der Ansprechperson muss zu einer der angegebenen Domains gehören "
    "(dienstliche Adresse)."
)
DOMAINS_REQUIRED = "Bitte geben Sie mindestens eine E-Mail-Domain der Organisation an."
DOMAINS_TOO_MANY = "Bitte geben Sie höchstens 20 E-Mail-Domains an."
DOMAIN_FREEMAIL = (
    "{domain} ist ein allgemeiner E-Mail-Anbieter und keine Domain Ihrer Organisation. "
    "Bitte geben Sie die Domain Ihrer dienstlichen Adressen an."
)
TEXT_TOO_LONG = "Der Text ist zu lang (höchstens {max} Zeichen)."
CONTROL_CHARS = "Der Text enthält unzulässige Steuerzeichen."

CONFIRM_LINK_INVALID = (
    "Dieser Bestätigungslink ist ungültig oder abgelaufen (er gilt 48 Stunden). "
    "Bitte senden Sie das Formular erneut."
)
CONFIRM_LINK_USED = "Dieser Bestätigungslink wurde bereits verwendet. Ihre Anfrage liegt uns vor."

APPLICATION_UNKNOWN = "Diese Anfrage gibt es nicht (mehr)."
APPLICATION_DECIDED = "Über diese Anfrage ist bereits entschieden."
QUESTION_REQUIRED = "Bitte schreiben Sie Ihre Rückfrage (höchstens 2000 Zeichen)."
REASON_REQUIRED = "Bitte geben Sie einen Grund an (höchstens 2000 Zeichen)."
MERGE_TARGET_REQUIRED = "Bitte wählen Sie die Organisation, in die aufgenommen wird."
APPLICATION_DOMAIN_TAKEN = (
    "Die Domain {domain} gehört bereits zur Organisation „{name}“. "
    "Nehmen Sie die Anfrage in diese Organisation auf oder lehnen Sie sie ab."
)

CERTIFICATE_UNKNOWN = "Zu dieser Adresse gibt es keine Urkunde."
CERTIFICATE_NONE = "Diese Organisation hat noch keine Urkunde."
CERTIFICATE_NAME_UNCHANGED = (
    "Die Urkunde nennt schon den heutigen Namen der Organisation; "
    "neu ausgestellt wird sie nach einer Namensänderung."
)
COORDINATORS_ONLY = (
    "Diese Seite sehen die Koordinierenden einer Organisation. "
    "Die Geschäftsstelle vergibt diese Rolle."
)

FREEMAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "web.de", "gmx.de", "gmx.net", "gmx.at", "gmx.ch",
        "gmx.com", "t-online.de", "outlook.com", "outlook.de", "hotmail.com", "hotmail.de",
        "live.com", "live.de", "msn.com", "yahoo.com", "yahoo.de", "ymail.com", "icloud.com",
        "me.com", "mac.com", "aol.com", "aol.de", "freenet.de", "arcor.de", "posteo.de",
        "posteo.net", "mailbox.org", "protonmail.com", "proton.me", "pm.me", "gmx.org",
        "online.de", "email.de", "vodafone.de", "1und1.de", "kabelmail.de", "tutanota.com",
        "tutanota.de", "tuta.io", "zoho.com", "yandex.com", "yandex.ru", "mail.ru",
        "mail.de", "unitybox.de", "netcologne.de", "ewetel.net", "osnanet.de",
    }
)  # fmt: skip
"""Mail providers anyone can sign up with: never an organisation's own domain."""
