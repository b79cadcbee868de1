"""German texts of the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from booking.bookings.messages import STATUS_LABELS
from booking.members.messages import ROLE_LABELS
from courses.messages import MARK_LABELS
from materials.messages import STATUS_LABELS as ORDER_STATUS_LABELS

ACTIONS = {
    "booking_on_behalf": "Angemeldet durch die Geschäftsstelle",
    "booking_removed": "Buchung entfernt",
    "waitlist_moved": "Auf der Warteliste verschoben",
    "limits_changed": "Plätze geändert",
    "booking_released": "Freigegeben durch die Organisation",
    "booking_declined": "Nicht freigegeben",
    "booking_substituted": "Platz übertragen",
    "role_granted": "Rolle vergeben",
    "member_approved": "Mitglied freigeschaltet",
    "member_rejected": "Mitglied abgelehnt",
    "certificate_revoked": "Bescheinigung widerrufen",
    "event_cancelled": "Veranstaltung abgesagt",
    "attendance_marked": "Anwesenheit vermerkt",
    "walk_in_added": "Vor Ort hinzugefügt",
    "order_status": "Materialbestellung: Status geändert",
    "order_quantity": "Materialbestellung: Mengen geändert",
    "joining_accepted": "Organisation aufgenommen",
    "joining_merged": "Anfrage in bestehende Organisation aufgenommen",
    "joining_asked": "Rückfrage zur Aufnahme",
    "joining_declined": "Aufnahme abgelehnt",
    "urkunde_reissued": "Urkunde neu ausgestellt",
    "member_erased": "Mitglied gelöscht",
}

FIELDS = {
    "status": "Status",
    "position": "Wartelistenplatz",
    "capacity": "Plätze",
    "seats_per_organisation": "Plätze je Organisation",
    "limit_overridden": "Kontingent der Organisation überschritten",
    "successor": "An",
    "role": "Rolle",
    "certificate": "Bescheinigung",
    "bookings": "Aktive Buchungen",
    "event_status": "Veranstaltung",
    "account": "Zugang",
    "mark": "Anwesenheit",
    "order": "Bestellung",
    "order_status": "Status der Bestellung",
    "application": "Anfrage Nr.",
    "applied_as": "Angefragt als",
    "organisation": "Organisation",
    "urkunde": "Urkunde Nr.",
    "member_number": "Mitglied Nr.",
    "cancelled": "Stornierte Buchungen",
}


ACCOUNT_STATUS = {
    "pending": "wartet auf Freischaltung",
    "active": "freigeschaltet",
    "rejected": "abgelehnt",
}
EVENT_STATUS = {"draft": "Entwurf", "published": "veröffentlicht", "cancelled": "abgesagt"}


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)


def _value(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if value is True:
        return "ja"
    if value is False:
        return "nein"
    if key == "status":
        return STATUS_LABELS.get(str(value), str(value))
    if key == "mark":
        return MARK_LABELS.get(str(value), str(value))
    if key == "account":
        return ACCOUNT_STATUS.get(str(value), str(value))
    if key == "event_status":
        return EVENT_STATUS.get(str(value), str(value))
    if key == "role":
        return ROLE_LABELS.get(str(value), str(value))
    if key == "order_status":
        return ORDER_STATUS_LABELS.get(str(value), str(value))
    return str(value)


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The entry's changes in words, one per field: "Plätze: 20 → 24"."""
    lines = []
    for key in dict.fromkeys([*before, *after]):
        label = FIELDS.get(key, key)
        if key in before and key in after:
            lines.append(f"{label}: {_value(key, before[key])} → {_value(key, after[key])}")
        elif key in after:
            lines.append(f"{label}: {_value(key, after[key])}")
        else:
            lines.append(f"{label}: bisher {_value(key, before[key])}")
    return lines


NOT_ALLOWED = "Das Protokoll sehen nur Mitarbeitende der Geschäftsstelle."
NOBODY_WITH_ADDRESS = "Unter dieser Adresse ist niemand registriert."

RULE_PERIOD = "  Aufbewahrung: {period}"
RULE_THEN = "  Danach: {then}"
RULE_BY_JOB = "  Regel des täglichen Jobs „privacy-retention“"
RULE_NOT_BY_JOB = "  Keine Löschung nötig"

MEMBER_NOT_FOUND = "Dieses Mitglied gibt es nicht."
ERASE_NOT_ALLOWED = "Die Daten anderer Mitglieder löschen kann nur die Geschäftsstelle."
ERASE_REASON_MISSING = "Bitte geben Sie an, auf wessen Wunsch die Daten gelöscht werden."
CONFIRM_MISSING = "Bitte bestätigen Sie das Löschen mit dem Häkchen."
ERASED_OWN = "Ihr Konto und Ihre Daten sind gelöscht."
ERASED_MEMBER = "Die Daten des Mitglieds sind gelöscht; das Protokoll hält es fest."
