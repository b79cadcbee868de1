"""The JSON API's shared schema parts: German messages for pydantic's errors, parsing a body,
field types every package uses, the error answers. Each package keeps its own models in its
``schemas.py``; the OpenAPI document is generated from them, so documentation and code cannot
drift apart.

Input models are strict (``"10"`` and ``true`` are not numbers) and forbid unknown fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from booking.core.errors import ValidationFailed
from booking.core.formatting import BERLIN, FIRST_YEAR, LAST_YEAR
from booking.core.routing import MAX_ID

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
    "domain_invalid": "Bitte geben Sie eine gültige E-Mail-Domain an, z. B. stadt-muenster.de.",
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


def parse[M: BaseModel](model: type[M], raw: bytes) -> M:
    """Validate a JSON body, or raise :class:`ValidationFailed` with German field messages."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise ValidationFailed(CHECK_INPUT, german_fields(exc)) from exc


# -- field types ----------------------------------------------------------------------------------


def single_line(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise PydanticCustomError("text_control_chars", MESSAGES["text_control_chars"])
    return value


def multi_line(value: str) -> str:
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
    AfterValidator(single_line),
]
Summary = Annotated[str, StringConstraints(max_length=500), AfterValidator(multi_line)]
Description = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(multi_line)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A database id, as the paths take it (booking.core.routing): larger numbers name nothing."""
Moment = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An input time: ISO 8601 with a UTC offset (naive times are refused), stored in UTC."""


def _day_or_moment(value: Any) -> Any:
    """In a query string: "2027-03-01" is that day's start in Berlin; a "+" that the URL
    turned into a space ("09:00:00 01:00") is put back."""
    if isinstance(value, str):
        if len(value) == 10:
            try:
                return datetime.combine(date.fromisoformat(value), time(), tzinfo=BERLIN)
            except ValueError:
                return value
        if len(value) > 19 and value[-6] == " ":
            return f"{value[:-6]}+{value[-5:]}"
    return value


QueryMoment = Annotated[
    AwareDatetime,
    BeforeValidator(_day_or_moment),
    AfterValidator(_to_utc),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A time in a query string: ISO 8601 with a UTC offset, or a day; stored in UTC."""

Instant = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""An output time: ISO 8601 in UTC with its offset, "2026-03-12T08:00:00+00:00"."""


class Input(BaseModel):
    """A request body: strict types, no unknown fields."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    """A request's query string: values come as text ("10" is a number here); parameters
    the model does not know are left alone (clients add cache busters)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=False)


Cursor = Annotated[
    str,
    Field(
        max_length=600,
        description="The next page's cursor; take the whole next address from the Link header.",
    ),
]
Limit = Annotated[int, Field(ge=1, le=200, description="Entries per page (1 to 200).")]


class PageQuery(Query):
    """A list's page: how many, and after which entry."""

    limit: Limit = 50
    cursor: Cursor | None = None


def parse_query[M: BaseModel](model: type[M], params: Mapping[str, str]) -> M:
    """Validate query parameters (the last value of each), or raise German field messages."""
    try:
        return model.model_validate(dict(params))
    except ValidationError as exc:
        raise ValidationFailed(CHECK_INPUT, german_fields(exc)) from exc


def without_default(schema: JsonDict) -> None:
    """For fields whose default only stands for "not sent": the document shows none."""
    schema.pop("default", None)


# -- error answers --------------------------------------------------------------------------------


class Error(BaseModel):
    error: str = Field(description="A stable code, e.g. not_found, already_booked, busy.")
    message: str = Field(description="What happened, in German, for people.")


class ValidationProblem(Error):
    fields: dict[str, str] = Field(
        default_factory=dict,
        description='German message per field, e.g. {"capacity": "Der Wert darf höchstens '
        '100000 sein."}; "body" for the body as a whole.',
    )
