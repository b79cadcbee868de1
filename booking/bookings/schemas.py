"""Bodies of the JSON API (/api/v1): what a client may send, checked with clear German
messages, and what it gets back. The OpenAPI document is generated from these models, so the
documentation and the code cannot drift apart.

Input models are strict (``"10"`` and ``true`` are not numbers) and forbid unknown fields.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from booking.core.errors import ValidationFailed
from booking.core.formatting import FIRST_YEAR, LAST_YEAR
from booking.core.routing import MAX_ID
from courses.services import NewEvent

# -- German messages ------------------------------------------------------------------------------

CHECK_INPUT = "Bitte prüfen Sie Ihre Eingaben."
ISO_DATETIME = (
    "Bitte geben Sie Datum und Uhrzeit nach ISO 8601 an, z. B. 2026-03-12T09:00:00+01:00."
)
BODY = "body"
"""The key in ``fields`` for problems with the body as a whole (not JSON, not an object)."""

MESSAGES: dict[str, str] = {
    "missing": "Dieses Feld fehlt.",
    "extra_forbidden": "Dieses Feld ist unbekannt.",
    "json_invalid": "Der Inhalt ist kein gültiges JSON.",
    "json_type": "Der Inhalt ist kein gültiges JSON.",
    "model_type": "Bitte senden Sie ein JSON-Objekt.",
    "model_attributes_type": "Bitte senden Sie ein JSON-Objekt.",
    "dict_type": "Bitte geben Sie ein JSON-Objekt an.",
    "list_type": "Bitte geben Sie eine Liste an.",
    "int_type": "Bitte geben Sie eine ganze Zahl an.",
    "int_parsing": "Bitte geben Sie eine ganze Zahl an.",
    "int_from_float": "Bitte geben Sie eine ganze Zahl an.",
    "int_parsing_size": "Die Zahl ist zu groß.",
    "string_type": "Bitte geben Sie einen Text an.",
    "string_too_short": "Dieses Feld darf nicht leer sein.",
    "string_too_long": "Der Text ist zu lang (höchstens {max_length} Zeichen).",
    "too_short": "Die Liste hat zu wenige Einträge (mindestens {min_length}).",
    "too_long": "Die Liste hat zu viele Einträge (höchstens {max_length}).",
    "greater_than_equal": "Der Wert muss mindestens {ge} sein.",
    "greater_than": "Der Wert muss größer als {gt} sein.",
    "less_than_equal": "Der Wert darf höchstens {le} sein.",
    "less_than": "Der Wert muss kleiner als {lt} sein.",
    "bool_type": "Bitte geben Sie true oder false an.",
    "datetime_type": ISO_DATETIME,
    "datetime_parsing": ISO_DATETIME,
    "datetime_from_date_parsing": ISO_DATETIME,
    "timezone_aware": (
        "Bitte geben Sie die Uhrzeit mit Zeitzone an, z. B. 2026-03-12T09:00:00+01:00."
    ),
    "literal_error": "Unbekannter Wert. Erlaubt: {expected}.",
    "datetime_range": "Bitte geben Sie ein Datum zwischen 2000 und 2100 an.",
    "text_control_chars": "Der Text enthält unzulässige Steuerzeichen.",
    "nothing_to_change": "Bitte geben Sie mindestens eine Änderung an.",
}
FALLBACK = "Dieser Wert ist ungültig."


def german_message(error: Any) -> str:
    """One pydantic error (a dict of ``ValidationError.errors()``) as a short German sentence."""
    template = MESSAGES.get(error["type"], FALLBACK)
    ctx = dict(error.get("ctx") or {})
    if "expected" in ctx:
        text = str(ctx["expected"])
        head, sep, tail = text.rpartition(" or ")
        ctx["expected"] = f"{head} oder {tail}" if sep else text
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return FALLBACK


def german_fields(exc: ValidationError) -> dict[str, str]:
    """``{"sessions.0.ends_at": "Dieses Feld fehlt.", …}``: the first problem of each field."""
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_input=False):
        key = ".".join(str(part) for part in error["loc"]) or BODY
        fields.setdefault(key, german_message(error))
    return fields


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], raw: bytes) -> M:
    """Validate a JSON body, or raise :class:`ValidationFailed` with German field messages."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise ValidationFailed(CHECK_INPUT, german_fields(exc)) from exc


# -- field types ----------------------------------------------------------------------------------

Kind = Literal["network_meeting", "conference", "workshop", "online_qa", "webinar", "training"]
"""courses.models.KINDS (a test keeps them equal)."""
Sector = Literal[
    "verwaltung", "schule", "gesundheit", "polizei", "feuerwehr", "justiz", "hochschule"
]
"""The keys of booking.members.models.SECTORS (a test keeps them equal)."""
ApiStatus = Literal["requested", "confirmed", "waitlisted", "cancelled", "attended", "no_show"]
"""A booking's status as the API names it: the model's ``waiting`` is ``waitlisted``."""


_API_STATUSES: dict[str, ApiStatus] = {
    "requested": "requested",
    "confirmed": "confirmed",
    "waiting": "waitlisted",
    "cancelled": "cancelled",
    "attended": "attended",
    "no_show": "no_show",
}


def api_status(status: str) -> ApiStatus:
    return _API_STATUSES[status]


def _single_line(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise PydanticCustomError("text_control_chars", MESSAGES["text_control_chars"])
    return value


def _multi_line(value: str) -> str:
    if any((ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127 for c in value):
        raise PydanticCustomError("text_control_chars", MESSAGES["text_control_chars"])
    return value


def _to_utc(value: datetime) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError("datetime_range", MESSAGES["datetime_range"])
    return value.astimezone(UTC)


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_single_line),
]
Summary = Annotated[str, StringConstraints(max_length=500), AfterValidator(_multi_line)]
Description = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_multi_line)]
CourseCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(_single_line),
]
Capacity = Annotated[int, Field(ge=0, le=100_000)]
SeatsPerOrganisation = Annotated[int, Field(ge=1, le=100_000)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A database id, as the paths take it (booking.core.routing): larger numbers name nothing."""
Moment = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An input time: ISO 8601 with a UTC offset (naive times are refused), stored in UTC."""

Instant = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""An output time: ISO 8601 in UTC with its offset, "2026-03-12T08:00:00+00:00"."""


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# -- requests -------------------------------------------------------------------------------------


class SessionIn(_Input):
    """One sitting: a day of a training, a slot of a conference."""

    starts_at: Moment
    ends_at: Moment


class EventIn(_Input):
    """A new event (organisers only). Sessions must end after they start."""

    title: Title
    kind: Kind
    capacity: Capacity
    sessions: Annotated[list[SessionIn], Field(min_length=1, max_length=100)]
    summary: Summary = ""
    description: Description = ""
    booking_opens_at: Moment | None = None
    registration_deadline: Moment | None = None
    cancellation_deadline: Moment | None = None
    seats_per_organisation: SeatsPerOrganisation | None = None
    target_sectors: Annotated[list[Sector], Field(max_length=20)] = Field(
        default_factory=list,
        description="Open only to these sectors; empty means open to every sector.",
    )
    parent_id: Id | None = Field(
        default=None, description="The conference or meeting a workshop belongs to."
    )
    course_code: CourseCode | None = None
    prerequisite_code: CourseCode | None = Field(
        default=None, description="course_code of a course the member must have attended."
    )
    status: Literal["draft", "published"] = "published"

    def to_new_event(self) -> NewEvent:
        return NewEvent(
            title=self.title,
            kind=self.kind,
            capacity=self.capacity,
            sessions=[(s.starts_at, s.ends_at) for s in self.sessions],
            summary=self.summary,
            description=self.description,
            booking_opens_at=self.booking_opens_at,
            registration_deadline=self.registration_deadline,
            cancellation_deadline=self.cancellation_deadline,
            seats_per_organisation=self.seats_per_organisation,
            target_sectors=list(self.target_sectors),
            parent_id=self.parent_id,
            course_code=self.course_code,
            prerequisite_code=self.prerequisite_code,
            status=self.status,
        )


def _without_default(schema: JsonDict) -> None:
    schema.pop("default", None)


class SessionChangeIn(_Input):
    """A session moved to a new time; ``id`` is one of the event's sessions."""

    id: Id
    starts_at: Moment
    ends_at: Moment


class EventChanges(_Input):
    """What organisers change on an existing event. Fields left out stay as they are;
    ``seats_per_organisation: null`` lifts the limit."""

    # None only stands for "not sent" (read only when in model_fields_set); a client's
    # explicit null is refused like any other non-integer.
    capacity: Capacity = Field(  # type: ignore[assignment]
        default=None,
        description="Raising it moves waiting members up at once.",
        json_schema_extra=_without_default,
    )
    seats_per_organisation: SeatsPerOrganisation | None = None
    sessions: Annotated[list[SessionChangeIn], Field(min_length=1, max_length=100)] = Field(
        default=None,  # type: ignore[arg-type]
        description="Sessions to move. Confirmed participants get an updated invitation.",
        json_schema_extra=_without_default,
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> EventChanges:
        if not self.model_fields_set:
            raise PydanticCustomError("nothing_to_change", MESSAGES["nothing_to_change"])
        return self

    def limits(self) -> dict[str, Any]:
        """Keyword arguments for booking.bookings.services.change_limits: only what was sent."""
        sent = self.model_fields_set
        changes: dict[str, Any] = {}
        if "capacity" in sent:
            changes["capacity"] = self.capacity
        if "seats_per_organisation" in sent:
            changes["seats_per_organisation"] = self.seats_per_organisation
        return changes


class BookingIn(_Input):
    """Booking needs no data: the body may be empty or ``{}``."""


# -- responses ------------------------------------------------------------------------------------


class Error(BaseModel):
    error: str = Field(description="A stable code, e.g. not_found, already_booked, busy.")
    message: str = Field(description="What happened, in German, for people.")


class ValidationProblem(Error):
    fields: dict[str, str] = Field(
        default_factory=dict,
        description='German message per field, e.g. {"capacity": "Der Wert darf höchstens '
        '100000 sein."}; "body" for the body as a whole.',
    )


class SessionOut(BaseModel):
    id: int
    starts_at: Instant
    ends_at: Instant
    title: str


class VenueOut(BaseModel):
    name: str
    street: str
    postcode: str
    city: str
    region: str
    step_free: bool
    hearing_loop: bool
    accessibility_notes: str


class EventRef(BaseModel):
    id: int
    title: str


class WorkshopOut(BaseModel):
    id: int
    title: str
    starts_at: Instant | None
    ends_at: Instant | None
    capacity: int
    seats_left: int
    waitlist_length: int
    booking_open: bool


class EventSummary(BaseModel):
    id: int
    kind: Kind
    status: Literal["draft", "published", "cancelled"]
    title: str
    starts_at: Instant | None
    ends_at: Instant | None
    capacity: int
    seats_left: int
    waitlist_length: int
    booking_open: bool = Field(description="Whether the event takes bookings right now.")
    url: str = Field(description="The event's page for people.")


class EventDetail(EventSummary):
    """An event with everything its page shows, except the meeting link of an online event:
    that goes to confirmed participants only, by mail and on the page."""

    summary: str
    description: str
    sessions: list[SessionOut]
    venue: VenueOut | None
    parent: EventRef | None
    workshops: list[WorkshopOut]
    target_sectors: list[str] = Field(description="Open only to these sectors; empty: to all.")
    seats_per_organisation: int | None
    booking_opens_at: Instant | None
    registration_deadline: Instant | None = Field(
        description="When booking closes: the set deadline, else the start of the first session."
    )
    cancellation_deadline: Instant | None = Field(
        description="Until when members may cancel a confirmed seat themselves: the set "
        "deadline, else the start of the first session."
    )


class EventChanged(EventDetail):
    promoted: list[int] = Field(description="Ids of the bookings moved up from the waiting list.")


class BookingCreated(BaseModel):
    id: int
    status: Literal["confirmed", "waitlisted"]
    waitlist_position: int | None


class BookingCancelled(BaseModel):
    id: int
    status: Literal["cancelled"]
    promoted: list[int] = Field(description="Ids of the bookings moved up from the waiting list.")


class EventBooking(BaseModel):
    id: int
    member_email: str
    member_name: str
    organisation: str | None
    status: ApiStatus
    waitlist_position: int | None
    created_at: Instant


class MyBooking(BaseModel):
    id: int
    event_id: int
    event_title: str
    status: ApiStatus
    waitlist_position: int | None
    starts_at: Instant | None
    ends_at: Instant | None
