"""The retention rules in words: what is kept, how long, what happens then.

Built from :class:`booking.settings.Retention`, the one place that sets the periods, so that
``sid privacy retention`` and the Datenschutzerklärung never disagree with the job that
applies them (booking.jobs.retention). Each rule has a name; the personal-data inventory
(booking.privacy.inventory) names, for every column holding personal data, the rule that
ends it.
"""

from __future__ import annotations

from dataclasses import dataclass

from booking.settings import Retention

NEWSLETTER_UNCONFIRMED_DAYS = 7
"""A newsletter sign-up whose link (48 hours) was never used is deleted after this."""
NEWSLETTER_PROOF_YEARS = 3
"""After unsubscribing, the record of the consent that was given is kept this long (the
proof that past issues were sent with consent: the regular limitation period), then
deleted."""


@dataclass(frozen=True)
class Rule:
    name: str
    what: str
    """What is kept, in German."""
    period: str
    """How long, in German ("90 Tage nach dem Versand")."""
    then: str
    """What happens then, in German."""
    job: bool = True
    """Applied by the retention job (``privacy-retention``); otherwise by an event (the
    account's erasure) or not needed."""


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def days(n: int) -> str:
    return _count(n, "Tag", "Tage")


def months(n: int) -> str:
    return _count(n, "Monat", "Monate")


def years(n: int) -> str:
    return _count(n, "Jahr", "Jahre")


def rules(retention: Retention) -> tuple[Rule, ...]:
    """Every rule, in the order the Datenschutzerklärung and ``sid privacy retention`` use."""
    r = retention
    return (
        Rule(
            "sent_mail",
            "Versandte E-Mails (Empfangsadresse und Inhalt, auch Anmeldelinks), ebenso "
            "unzustellbare",
            f"{days(r.sent_mail_days)} nach dem Versand oder dem letzten Zustellversuch",
            "gelöscht",
        ),
        Rule(
            "sign_in",
            "Verwendete Anmeldelinks (ihre Einmal-Kennung)",
            "bis zum Ablauf des Links (20 Minuten nach dem Versand)",
            "beim nächsten täglichen Lauf gelöscht",
        ),
        Rule(
            "sessions",
            "Sitzungen im Browser (Anmeldung, angezeigte Hinweise)",
            "bis zum Ende der Sitzung (höchstens 8 Stunden, 2 Stunden ohne Aufruf, Abmelden)",
            "beim nächsten täglichen Lauf gelöscht",
        ),
        Rule(
            "pending_accounts",
            "Konten, die auf die Freigabe warten oder abgelehnt wurden",
            f"{days(r.pending_account_days)} nach der ersten Anmeldung",
            "gelöscht",
        ),
        Rule(
            "bookings",
            "Buchungen vergangener Veranstaltungen mit den Anwesenheitsvermerken",
            f"{months(r.booking_months)} nach dem letzten Termin der Veranstaltung",
            "anonymisiert: die Zahlen für die Statistik bleiben, die Person wird entfernt",
        ),
        Rule(
            "certificates",
            "Register der Teilnahmebescheinigungen (Nummer, Name, Kurs, Unterrichtseinheiten, "
            "Termine), damit Bescheinigungen überprüfbar bleiben",
            f"{years(r.certificate_years)} nach der Ausstellung",
            "gelöscht; die Prüfseite meldet die Bescheinigung dann als unbekannt",
        ),
        Rule(
            "audit",
            "Protokoll der Änderungen an Daten anderer (wer, wann, was)",
            f"{months(r.audit_months)} nach dem Eintrag",
            "gelöscht",
        ),
        Rule(
            "applications",
            "Anfragen von Organisationen zur Aufnahme, die nie bestätigt oder die abgelehnt "
            "wurden (Name und Adresse der Kontaktperson, Leitung)",
            f"{days(r.application_days)} nach dem Absenden bzw. der Ablehnung",
            "gelöscht",
        ),
        Rule(
            "orders",
            "Ansprechperson und Hinweis bei Materialbestellungen",
            f"{months(r.order_months)} nach Versand, Ablehnung oder Stornierung",
            "geleert; die Bestellung mit ihren Mengen bleibt für die Jahresgrenzen",
        ),
        Rule(
            "inactive_members",
            "Mitgliedskonten (Name, dienstliche E-Mail-Adresse, Organisation, Funktion) mit "
            "Kalender-Zugang, API-Schlüsseln und allem, was am Konto hängt",
            f"solange das Konto genutzt wird; nach {_count(r.inactive_months, 'Monat', 'Monaten')} "
            "ohne Anmeldung "
            "fragen wir per E-Mail, ob es bleiben soll",
            f"ohne Antwort {days(r.inactive_grace_days)} später gelöscht; jederzeit auch auf "
            "eigenen Wunsch (Profil: „Konto löschen“)",
        ),
        Rule(
            "newsletter",
            "Newsletter-Abonnements (dienstliche E-Mail-Adresse, Zeitpunkt und Fassung der "
            "Einwilligung und ihrer Bestätigung) und welche Ausgabe an sie ging",
            "solange der Newsletter abonniert ist; eine nicht bestätigte Anmeldung "
            f"{days(NEWSLETTER_UNCONFIRMED_DAYS)}, nach der Abmeldung der Nachweis der "
            f"Einwilligung noch {years(NEWSLETTER_PROOF_YEARS)}",
            "gelöscht; mit dem Mitgliedskonto auch sofort",
        ),
        Rule(
            "feedback",
            "Rückmeldungen zu Veranstaltungen",
            "von Anfang an anonym: ohne Namen, ohne Adresse, ohne Bezug zur Buchung",
            "nichts zu tun",
            job=False,
        ),
    )


def rule_names(retention: Retention | None = None) -> frozenset[str]:
    return frozenset(rule.name for rule in rules(retention or Retention()))
