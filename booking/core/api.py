"""The API's table of operations, and the OpenAPI 3.1 document built from it.

booking/api.py lists every endpoint as an :class:`Operation`; routes and document both come
from that list, so they cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from booking.bookings import schemas
from booking.core.errors import DomainError
from booking.core.routing import MAX_ID

Access = Literal["public", "member", "organiser"]
"""public: anyone (a token, if sent, must be valid); member: any active member with a token;
organiser: the staff unit (403 for everyone else, before the body is even read)."""


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    handler: Callable[[Request, Any], Awaitable[Response]]
    access: Access
    status: int
    response: type[BaseModel] | None
    summary: str = ""
    many: bool = False
    """The answer is a list of ``response``."""
    body: type[BaseModel] | None = None
    body_optional: bool = False
    errors: tuple[int, ...] = ()
    """Statuses besides 401, 403 (organiser), 404 (ids), 415/422 (bodies) that the table adds."""


ERROR_TEXTS = {
    401: "Kein oder ein ungültiges API-Token.",
    403: "Dafür fehlt die Berechtigung (oder die Veranstaltung ist nicht buchbar).",
    404: "Diese Veranstaltung, Buchung oder Organisation gibt es nicht.",
    409: "Bereits gebucht oder bereits storniert.",
    415: "Der Inhalt ist kein JSON.",
    422: "Eingaben ungültig oder Frist abgelaufen (Details in fields).",
    503: "Gerade ausgelastet; nach Retry-After Sekunden erneut versuchen.",
}


def openapi_path(path: str) -> str:
    """ "/events/{id:int}" → "/events/{id}"."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


def openapi_document(operations: Sequence[Operation], prefix: str) -> dict[str, Any]:
    modes: dict[type[BaseModel], JsonSchemaMode] = {
        schemas.Error: "serialization",
        schemas.ValidationProblem: "serialization",
    }
    for op in operations:
        if op.body is not None:
            modes[op.body] = "validation"
        if op.response is not None:
            modes[op.response] = "serialization"
    refs, definitions = models_json_schema(
        list(modes.items()), ref_template="#/components/schemas/{model}"
    )

    def ref(model: type[BaseModel]) -> dict[str, Any]:
        return refs[(model, modes[model])]

    def answer(description: str, schema: dict[str, Any] | None) -> dict[str, Any]:
        if schema is None:
            return {"description": description}
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        path = openapi_path(op.path)
        statuses = {401, *op.errors}
        if op.access == "organiser":
            statuses.add(403)
        if "{id}" in path:
            statuses.add(404)
        if op.body is not None:
            statuses |= {415, 422}
        success: dict[str, Any] | None = None
        if op.response is not None:
            success = ref(op.response)
            if op.many:
                success = {"type": "array", "items": success}
        responses = {str(op.status): answer(op.summary, success)}
        for status in sorted(statuses):
            schema = ref(schemas.ValidationProblem if status == 422 else schemas.Error)
            responses[str(status)] = answer(ERROR_TEXTS[status], schema)
        if 401 in statuses:
            responses["401"]["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        if 503 in statuses:
            responses["503"]["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
        operation: dict[str, Any] = {
            "operationId": op.handler.__name__,
            "summary": op.summary,
            "security": [{}, {"bearer": []}] if op.access == "public" else [{"bearer": []}],
            "responses": responses,
        }
        if "{id}" in path:
            operation["parameters"] = [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                }
            ]
        if op.body is not None:
            operation["requestBody"] = {
                "required": not op.body_optional,
                "content": {"application/json": {"schema": ref(op.body)}},
            }
        paths.setdefault(path, {})[op.method.lower()] = operation

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "#sicherimDienst – Buchungs-API",
            "version": "1",
            "description": (
                "Veranstaltungen und Buchungen des Präventionsnetzwerks #sicherimDienst. "
                "Zeiten in ISO 8601 mit Zeitzone (Antworten in UTC). Fehler antworten als "
                '{"error": Code, "message": deutscher Text}.'
            ),
        },
        "servers": [{"url": prefix}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Ein API-Token (sid_…), ausgestellt von der Geschäftsstelle.",
                }
            },
        },
    }


# -- reading and answering, for the operation tables of every package -----------------------------

JSON_ONLY = "Bitte senden Sie den Inhalt als JSON (Content-Type: application/json)."

M = TypeVar("M", bound=BaseModel)


class NotJson(DomainError):
    code = "unsupported_media_type"
    status = 415
    default_message = JSON_ONLY


async def json_body(request: Request, model: type[M]) -> M:
    """The request's JSON body validated by ``model`` (German field messages on 422)."""
    raw = await request.body()
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise NotJson()
    return schemas.parse(model, raw)


def json_answer(
    content: BaseModel, status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(content.model_dump(mode="json"), status_code, headers)
