"""German texts of venues, rooms and online rooms: errors, confirmations, the accessibility
rule as the form explains it."""

from __future__ import annotations

CONTROL_CHARS = "Der Text enthält unzulässige Steuerzeichen."

NAME_REQUIRED = "Bitte geben Sie den Namen des Veranstaltungsorts an."
NAME_TOO_LONG = "Der Name ist zu lang (höchstens 200 Zeichen)."
STREET_REQUIRED = "Bitte geben Sie Straße und Hausnummer an."
STREET_TOO_LONG = "Straße und Hausnummer sind zu lang (höchstens 200 Zeichen)."
POSTAL_CODE_INVALID = "Bitte geben Sie die Postleitzahl mit fünf Ziffern an, z. B. 48143."
CITY_REQUIRED = "Bitte geben Sie die Stadt oder Gemeinde an."
CITY_TOO_LONG = "Der Name der Stadt ist zu lang (höchstens 100 Zeichen)."
REGION_UNKNOWN = "Bitte wählen Sie einen Regierungsbezirk aus der Liste."
NOTES_TOO_LONG = "Die Hinweise sind zu lang (höchstens 2000 Zeichen)."
VENUE_TAKEN = (
    "Einen Veranstaltungsort „{name}“ in {city} gibt es bereits. Bitte wählen Sie einen "
    "anderen Namen oder ändern Sie den vorhandenen Ort."
)
VENUE_UNKNOWN = "Diesen Veranstaltungsort gibt es nicht (mehr)."

TOILET_NEEDS_STEP_FREE = (
    "Ein barrierefreies WC können Sie nur angeben, wenn der Ort stufenlos zugänglich ist: "
    "Ein WC hinter Stufen ist nicht barrierefrei erreichbar."
)
NOTES_CLAIM_STEP_FREE = (
    "Die Hinweise sagen „{word}“, aber „Stufenloser Zugang“ ist nicht angekreuzt. Kreuzen Sie "
    "es an, wenn es stimmt, oder beschreiben Sie die Stufen (z. B. „nicht stufenlos: drei "
    "Stufen am Eingang“)."
)
NOTES_CLAIM_HEARING_LOOP = (
    "Die Hinweise nennen eine Induktionsschleife („{word}“), aber „Induktionsschleife“ ist "
    "nicht angekreuzt. Kreuzen Sie es an, wenn es stimmt, oder schreiben Sie „keine "
    "Induktionsschleife“."
)
NOTES_CLAIM_TOILET = (
    "Die Hinweise nennen ein barrierefreies WC („{word}“), aber „Barrierefreies WC“ ist nicht "
    "angekreuzt. Kreuzen Sie es an, wenn es stimmt, oder ändern Sie die Hinweise."
)
ACCESSIBILITY_RULES = (
    "Ein barrierefreies WC gibt es nur an einem Ort mit stufenlosem Zugang.",
    "Was die Hinweise zusagen („stufenlos“, „barrierefrei“, „Induktionsschleife“, "
    "„barrierefreies WC“ …), muss auch angekreuzt sein. Verneinungen wie „nicht stufenlos“ "
    "oder „keine Induktionsschleife“ sind erlaubt.",
)
"""The rule that keeps a venue's accessibility facts from contradicting each other, as the
form explains it."""

ROOM_NAME_REQUIRED = "Bitte geben Sie den Namen des Raums an."
ROOM_NAME_TOO_LONG = "Der Name des Raums ist zu lang (höchstens 200 Zeichen)."
ROOM_TAKEN = (
    "Einen Raum „{name}“ gibt es an diesem Ort bereits. Bitte wählen Sie einen anderen Namen."
)
ROOM_UNKNOWN = "Diesen Raum gibt es an diesem Ort nicht (mehr)."
CAPACITY_RANGE = "Bitte geben Sie die Plätze als ganze Zahl von 1 bis 10000 an."
TOO_MANY_ROOMS = "Ein Ort hat höchstens 100 Räume."

ONLINE_NAME_REQUIRED = "Bitte geben Sie den Namen des Online-Raums an."
ONLINE_NAME_TAKEN = (
    "Einen Online-Raum „{name}“ gibt es bereits. Bitte wählen Sie einen anderen Namen."
)
ONLINE_ROOM_UNKNOWN = "Diesen Online-Raum gibt es nicht (mehr)."
MEETING_URL_INVALID = (
    "Bitte geben Sie die Adresse des Online-Raums vollständig mit https:// an, z. B. "
    "https://konferenz.example/raum-4711 (höchstens 500 Zeichen, ohne Leerzeichen)."
)
DIAL_IN_TOO_LONG = "Die Einwahl ist zu lang (höchstens 200 Zeichen)."

SEARCH_TOO_LONG = "Der Suchbegriff ist zu lang (höchstens 200 Zeichen)."

VENUE_CREATED = "Der Veranstaltungsort „{name}“ ist angelegt. Fügen Sie jetzt seine Räume hinzu."
SAVED = "Die Angaben sind gespeichert."
ROOM_ADDED = "Der Raum „{name}“ ist hinzugefügt."
ROOM_SAVED = "Der Raum „{name}“ ist gespeichert."
ONLINE_ROOM_CREATED = "Der Online-Raum „{name}“ ist angelegt."
