"""Domain errors. Each carries a stable code for the API and a German message for people.

Routes and the API map them to HTTP statuses with :data:`STATUS`; services never know HTTP.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "error"
    status = 400
    default_message = "Die Anfrage konnte nicht ausgeführt werden."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = "Diese Seite oder dieser Eintrag existiert nicht."


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    default_message = "Dafür fehlt Ihnen die Berechtigung."


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    status = 401
    default_message = "Bitte melden Sie sich an."


class TokenInvalid(DomainError):
    """An API token was sent that belongs to no one (or no longer): unlike a missing sign-in,
    answered with 401, not sent to the sign-in page."""

    code = "not_authenticated"
    status = 401
    default_message = "Das API-Token ist ungültig oder wurde widerrufen."


class AlreadyBooked(DomainError):
    code = "already_booked"
    status = 409
    default_message = "Sie sind für diese Veranstaltung bereits angemeldet oder auf der Warteliste."


class ScheduleClash(DomainError):
    code = "schedule_clash"
    status = 409
    default_message = "Sie haben zur selben Zeit bereits eine andere Buchung."


class NotEligible(DomainError):
    code = "not_eligible"
    status = 403
    default_message = "Sie können diese Veranstaltung nicht buchen."


class BookingClosed(DomainError):
    code = "booking_closed"
    status = 422
    default_message = "Für diese Veranstaltung ist keine Anmeldung möglich."


class CancellationClosed(DomainError):
    code = "cancellation_closed"
    status = 422
    default_message = (
        "Die Frist für eine Stornierung ist abgelaufen. "
        "Bitte wenden Sie sich an die Geschäftsstelle."
    )


class InvalidState(DomainError):
    code = "invalid_state"
    status = 409
    default_message = "Dieser Schritt ist im aktuellen Zustand nicht möglich."


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 422
    default_message = "Bitte prüfen Sie Ihre Eingaben."

    def __init__(self, message: str | None = None, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = "Zu viele Anfragen in kurzer Zeit. Bitte warten Sie einige Minuten."


class Busy(DomainError):
    code = "busy"
    status = 503
    default_message = "Das System ist gerade stark ausgelastet – bitte versuchen Sie es erneut."


class CsrfFailed(DomainError):
    code = "csrf_failed"
    status = 400
    default_message = (
        "Das Formular ist abgelaufen oder wurde nicht von dieser Seite gesendet. "
        "Bitte laden Sie die Seite neu und senden Sie es erneut."
    )


class ProfileIncomplete(DomainError):
    code = "profile_incomplete"
    status = 409
    default_message = "Bitte vervollständigen Sie zuerst Ihre Angaben (Vor- und Nachname)."
