"""German texts of the outbox pages."""

from __future__ import annotations

NOT_FOUND = "Diese Nachricht gibt es nicht."
NOT_FAILED = "Diese Nachricht wartet nicht auf einen neuen Versuch."
QUEUED_AGAIN = "Die Nachricht an {recipient} wird erneut versendet."
