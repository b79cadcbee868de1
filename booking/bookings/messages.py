"""German texts of the booking rules, in one place."""

from __future__ import annotations

EVENT_NOT_FOUND = "Diese Veranstaltung gibt es nicht."
MEMBER_NOT_FOUND = "Dieses Mitglied gibt es nicht."
MEMBER_UNKNOWN = (
    "Unter dieser Adresse ist niemand registriert. Die Person meldet sich zuerst einmal an "
    "(Anmeldelink an ihre dienstliche Adresse)."
)
EMAIL_INVALID = "Bitte geben Sie eine E-Mail-Adresse an, z. B. name@stadt-muenster.de."
ON_BEHALF_FORBIDDEN = "Für andere anmelden kann nur die Geschäftsstelle."
OVERRIDE_REASON_MISSING = (
    "Bitte begründen Sie, warum die Person über das Kontingent ihrer Organisation hinaus "
    "einen Platz erhält."
)
REASON_INVALID = "Die Begründung enthält Steuerzeichen. Bitte geben Sie nur Text ein."
REASON_TOO_LONG = "Die Begründung ist zu lang (höchstens 1000 Zeichen)."
WAITLIST_FORBIDDEN = "Die Warteliste ordnet nur die Geschäftsstelle."
NOT_WAITING = "Diese Buchung steht nicht (mehr) auf der Warteliste."
POSITION_OUT_OF_RANGE = "Bitte geben Sie einen Platz von 1 bis {last} an."
OVERRIDE_WITHOUT_MEMBER = (
    "override_limit und reason gelten nur, wenn die Geschäftsstelle ein Mitglied anmeldet "
    "(member_email)."
)
THEY_HAVE_BOOKED = (
    "Die Person ist für diese Veranstaltung bereits angemeldet oder auf der Warteliste."
)
THEIR_ACCESS_INACTIVE = (
    "Der Zugang der Person ist nicht freigeschaltet (noch zu prüfen oder abgelehnt); erst "
    "danach lässt sie sich anmelden."
)
THEY_NEED_PARENT = "Die Person braucht zuerst einen bestätigten Platz bei „{parent}“."
THEIR_WORKSHOP_CLASH = (
    "Die Person ist bereits für den Workshop „{workshop}“ angemeldet, der zur selben Zeit "
    "stattfindet."
)
NOT_YOUR_ORGANISATION = (
    "Freigeben, ablehnen und übertragen kann nur die Koordination der Organisation, zu der die "
    "Buchung gehört, oder die Geschäftsstelle."
)
NOT_A_REQUEST = "Diese Buchung wartet nicht (mehr) auf eine Freigabe."
NOT_CONFIRMED = "Übertragen lässt sich nur ein bestätigter Platz."
RELEASE_DEADLINE_PASSED = "Die Frist für die Freigabe ist abgelaufen."
DECLINE_REASON_MISSING = "Bitte begründen Sie die Ablehnung; die Person erhält sie per E-Mail."
SUBSTITUTE_TOO_LATE = "Die Veranstaltung hat begonnen; der Platz lässt sich nicht mehr übertragen."
SUBSTITUTE_OTHER_ORGANISATION = (
    "Einen Platz übertragen lässt sich nur an jemanden derselben Organisation."
)
HANDED_ON = "Der Platz wurde an {name} übertragen."
COORDINATORS_ONLY = (
    "Diese Seite ist für die Koordination einer Organisation und die Geschäftsstelle."
)
EVENT_OVER = "Diese Veranstaltung ist bereits vorbei."
BOOKING_NOT_FOUND = "Diese Buchung gibt es nicht."
EVENT_CANCELLED = "Diese Veranstaltung wurde abgesagt."
EVENT_NOT_PUBLISHED = "Diese Veranstaltung ist noch nicht veröffentlicht."
BOOKING_NOT_YET_OPEN = "Die Anmeldung öffnet am {when}."
BOOKING_DEADLINE_PASSED = "Die Anmeldefrist ist am {when} abgelaufen."
MEMBER_PENDING = (
    "Ihr Zugang wird noch von der Geschäftsstelle geprüft. Sie erhalten eine E-Mail, sobald Sie "
    "buchen können."
)
MEMBER_INACTIVE = (
    "Ihr Zugang ist nicht freigeschaltet. Bitte wenden Sie sich an die Geschäftsstelle."
)
SECTOR_RESTRICTED = (
    "Diese Veranstaltung steht nur Beschäftigten aus diesen Bereichen offen: {sectors}."
)
PREREQUISITE_MISSING = "Voraussetzung für diese Veranstaltung ist die Teilnahme an „{course}“."
WORKSHOP_NEEDS_PARENT = (
    "Workshops können Sie buchen, sobald Ihre Teilnahme an „{parent}“ bestätigt ist."
)
WORKSHOP_CLASH = (
    "Sie sind bereits für den Workshop „{workshop}“ angemeldet, der zur selben Zeit stattfindet. "
    "Wenn Sie lieber diesen besuchen möchten, stornieren Sie bitte zuerst den anderen."
)
NOT_YOUR_BOOKING = "Diese Buchung gehört nicht zu Ihrem Zugang."
BOOKING_NOT_ACTIVE = "Diese Buchung ist bereits storniert oder abgeschlossen."
INVITATION_ONLY_CONFIRMED = "Eine Kalendereinladung gibt es nur für bestätigte Buchungen."
CAPACITY_RANGE = "Die Zahl der Plätze muss eine ganze Zahl zwischen 0 und 100000 sein."
SEATS_PER_ORG_RANGE = "Die Plätze je Organisation müssen leer oder eine ganze Zahl ab 1 sein."

EXPORT_FORBIDDEN = (
    "Die Liste der Teilnehmenden sehen nur die Geschäftsstelle und die Trainerinnen und "
    "Trainer dieser Veranstaltung."
)
EXPORT_SHEET = "Teilnehmende"
EXPORT_FILENAME = "teilnehmende-{event_id}-{day}"
EXPORT_HEADER = (
    "Nachname",
    "Vorname",
    "E-Mail",
    "Organisation",
    "Bereich",
    "Regierungsbezirk",
    "Status",
    "Wartelistenplatz",
    "Gebucht am",
)
EXPORT_WORKSHOPS = "Workshops"
EXPORT_ATTENDANCE = "Anwesenheit {session}"
EXPORT_WORKSHOP_STATUS = "{title} ({status})"

STATUS_LABELS = {
    "requested": "wartet auf Freigabe",
    "confirmed": "bestätigt",
    "offered": "Platz angeboten",
    "waiting": "Warteliste",
    "cancelled": "storniert",
    "attended": "teilgenommen",
    "partial": "teilweise teilgenommen",
    "no_show": "nicht erschienen",
}


def status_label(status: str, position: int | None = None, draw: bool = False) -> str:
    """A booking's status in words; ``draw``: of an event that allocates by draw, whose
    requests wait for the draw (not for a release)."""
    if status == "waiting" and position is not None:
        return f"Warteliste Platz {position}"
    if status == "requested" and draw:
        return DRAW_REQUESTED_LABEL
    return STATUS_LABELS.get(status, status)


AUDIENCE_UNKNOWN = "Bitte wählen Sie, an wen die Nachricht geht: confirmed, waiting oder all."
SUBJECT_INVALID = "Bitte geben Sie einen Betreff an (eine Zeile, höchstens 200 Zeichen)."
BODY_INVALID = "Bitte geben Sie einen Text an (höchstens 10000 Zeichen, ohne Steuerzeichen)."
NO_RECIPIENTS = "An diese Auswahl lässt sich nichts senden: Es steht niemand darauf."

OFFER_LINK_INVALID = (
    "Dieser Link ist ungültig. Bitte verwenden Sie den vollständigen Link aus der E-Mail oder "
    "antworten Sie unter „Meine Buchungen“."
)
OFFER_NOT_OPEN = (
    "Dieses Angebot ist nicht mehr offen: Es wurde bereits angenommen oder abgelehnt, oder es "
    "ist abgelaufen. Ihren aktuellen Stand sehen Sie unter „Meine Buchungen“."
)
OFFER_EXPIRED = (
    "Die Frist für dieses Angebot ist am {when} abgelaufen. Der Platz geht an die nächste "
    "Person auf der Warteliste."
)
CANCELLED_BY_LABELS = {
    "organiser": "durch die Geschäftsstelle",
    "offer_declined": "Angebot abgelehnt",
    "offer_expired": "Angebot nicht rechtzeitig angenommen",
}
DRAW_REQUESTED_LABEL = "nimmt an der Platzvergabe teil"
"""A request on an event that allocates by draw (not the release's "wartet auf Freigabe")."""
DRAW_ORGANISERS_ONLY = "Das Protokoll der Platzvergabe sieht nur die Geschäftsstelle."
NOT_BY_DRAW = "Diese Veranstaltung vergibt ihre Plätze nicht per Los."
NOT_DRAWN_YET = "Für diese Veranstaltung wurde noch nicht gelost."
DRAW_SEED_DIFFERS = (
    "Der gespeicherte Seed passt nicht zu den Angaben der Veranstaltung (Zufallswert, "
    "Anmeldeschluss)."
)
DRAW_WITHOUT_SALT = (
    "Ohne gespeicherten Zufallswert wird nicht gelost: Sein Prüfwert muss vor der Auslosung "
    "feststehen."
)
DRAW_UNKNOWN_ALGORITHM = "Das Verfahren „{algorithm}“ ist unbekannt."
DRAW_ENTRY_DIFFERS = "Buchung {booking_id}: gespeichertes Ergebnis weicht von der Neuberechnung ab."
DRAW_ENTRIES_DUPLICATED = "Eine Buchung steht mehrfach im Protokoll."
DRAW_DECISIONS = {
    "seat": "Platz",
    "waiting": "Warteliste",
    "not_released": "nicht freigegeben (verfallen)",
}
DRAW_EXPORT_FILENAME = "platzvergabe-{event_id}"
DRAW_EXPORT_SHEET = "Platzvergabe"
DRAW_EXPORT_HEADER = (
    "Verfahren",
    "Seed",
    "Rang",
    "Buchung",
    "Name",
    "Organisation",
    "Organisations-Nr.",
    "Schlüssel (HMAC-SHA256)",
    "Entscheidung",
    "Runde",
    "Wartelistenplatz",
)
OVERRIDE_BEFORE_DRAW = (
    "Vor der Auslosung gibt es keinen Platz über das Kontingent: Die Anmeldung nimmt an der "
    "Platzvergabe teil. Danach lässt sich die Person über das Kontingent anmelden."
)
ALREADY_RELEASED = "Diese Anfrage ist bereits freigegeben; sie nimmt an der Platzvergabe teil."
