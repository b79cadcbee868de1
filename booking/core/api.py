"""The JSON API's base: the table of operations, reading bodies and writing answers, bearer
tokens, and the OpenAPI 3.1 document built from the table.

Each package lists its endpoints as :class:`Operation`s in its ``api.py``; booking/api.py joins
them. Routes and document both come from that one table, so they cannot drift apart. Domain
errors become ``{"error": code, "message": German text}`` in booking.core.http_errors.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from booking.core import schemas
from booking.core.errors import DomainError, Forbidden, TokenInvalid
from booking.core.http_errors import json_error
from booking.core.paging import Page, link_header, next_page_url
from booking.core.routing import MAX_ID
from booking.core.web import state

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
    query: type[BaseModel] | None = None
    """The query parameters, documented from this model (read with :func:`read_query`)."""
    paged: bool = False
    """A list cut into pages: the next page's address in a ``Link: <…>; rel="next"`` header,
    all matches in ``X-Total-Count``."""
    file: str | None = None
    """The answer is a file of this media type to download (``response`` is None)."""


TOKEN_MISSING = (
    "Bitte melden Sie sich mit einem API-Token an (Kopfzeile „Authorization: Bearer …“)."
)
TOKEN_INVALID = TokenInvalid.default_message
JSON_ONLY = "Bitte senden Sie den Inhalt als JSON (Content-Type: application/json)."


class Caller(Protocol):
    """Who calls with a valid token (a member); the table checks ``is_organiser``."""

    @property
    def is_organiser(self) -> bool: ...


Authenticate = Callable[[Request, str], Awaitable[Caller | None]]
"""The caller a bearer token belongs to, or None; handed in by the app factory."""


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415
    default_message = JSON_ONLY


# -- reading requests -----------------------------------------------------------------------------


def path_id(request: Request) -> int:
    """The ``{id:id}`` of the path (booking.core.routing: larger numbers do not match, 404)."""
    value: int = request.path_params["id"]
    return value


async def read_body[M: BaseModel](request: Request, model: type[M], *, optional: bool = False) -> M:
    raw = await request.body()
    if optional and not raw.strip():
        return model()
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType()
    return schemas.parse(model, raw)


def read_query[M: BaseModel](request: Request, model: type[M]) -> M:
    return schemas.parse_query(model, request.query_params)


# -- writing answers ------------------------------------------------------------------------------


def json_answer(
    content: BaseModel | Sequence[BaseModel],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    if isinstance(content, BaseModel):
        data: Any = content.model_dump(mode="json")
    else:
        data = [item.model_dump(mode="json") for item in content]
    return JSONResponse(data, status_code, headers)


def page_headers(request: Request, page: Page[Any]) -> dict[str, str]:
    """``X-Total-Count`` and, unless it is the last page, ``Link: <next>; rel="next"``."""
    headers = {"X-Total-Count": str(page.total)} if page.total is not None else {}
    if page.next_cursor is not None:
        origin = state(request).settings.base_url
        headers |= link_header(next_page_url(request, page.next_cursor, origin=origin))
    return headers


def _challenge(message: str, *, invalid: bool) -> Response:
    response = json_error(401, "not_authenticated", message)
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if invalid else "Bearer"
    return response


# -- routes from the table ------------------------------------------------------------------------


def _endpoint(
    operations: Sequence[Operation], authenticate: Authenticate
) -> Callable[[Request], Awaitable[Response]]:
    """One Starlette endpoint for every method of a path: checks the caller, then hands over."""
    by_method = {op.method: op for op in operations}

    async def endpoint(request: Request) -> Response:
        op = by_method["GET" if request.method == "HEAD" else request.method]
        header = request.headers.get("authorization")
        caller = None
        if header is not None:
            scheme, _, token = header.partition(" ")
            token = token.strip()
            if scheme.lower() == "bearer" and token:
                caller = await authenticate(request, token)
            if caller is None:
                return _challenge(TOKEN_INVALID, invalid=True)
        if op.access == "public":
            return await op.handler(request, caller)
        if caller is None:
            return _challenge(TOKEN_MISSING, invalid=False)
        if op.access == "organiser" and not caller.is_organiser:
            raise Forbidden()
        return await op.handler(request, caller)

    return endpoint


def build_routes(operations: Sequence[Operation], authenticate: Authenticate) -> list[BaseRoute]:
    paths: dict[str, list[Operation]] = {}
    for op in operations:
        paths.setdefault(op.path, []).append(op)
    return [
        Route(
            path, _endpoint(ops, authenticate), methods=[op.method for op in ops], name=f"api{path}"
        )
        for path, ops in paths.items()
    ]


ERROR_TEXTS = {
    401: "Kein oder ein ungültiges API-Token.",
    403: "Dafür fehlt die Berechtigung (oder die Veranstaltung ist nicht buchbar).",
    404: "Diese Veranstaltung, Buchung oder Organisation gibt es nicht.",
    409: "Bereits gebucht oder bereits storniert.",
    415: "Der Inhalt ist kein JSON.",
    422: "Eingaben ungültig oder Frist abgelaufen (Details in fields).",
    429: "Zu viele Anfragen in kurzer Zeit; einige Minuten später erneut versuchen.",
    503: "Gerade ausgelastet; nach Retry-After Sekunden erneut versuchen.",
}


def openapi_path(path: str) -> str:
    """ "/events/{id:int}" → "/events/{id}"."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


FILE_HEADERS = {
    "Content-Disposition": {
        "description": 'attachment; filename="…": the name to save the file under.',
        "schema": {"type": "string"},
    },
}

PAGE_HEADERS = {
    "Link": {
        "description": 'The next page: <URL>; rel="next". Missing on the last page.',
        "schema": {"type": "string"},
    },
    "X-Total-Count": {
        "description": "How many entries match, over all pages.",
        "schema": {"type": "integer"},
    },
}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    document = model.model_json_schema(mode="validation", by_alias=True)
    parameters = []
    for name, schema in document.get("properties", {}).items():
        description = schema.pop("description", None)
        schema.pop("title", None)
        parameter: dict[str, Any] = {"name": name, "in": "query", "schema": schema}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


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
        if "{" in path:
            statuses.add(404)
        if op.body is not None:
            statuses |= {415, 422}
        if op.query is not None:
            statuses.add(422)
        success: dict[str, Any] | None = None
        if op.response is not None:
            success = ref(op.response)
            if op.many:
                success = {"type": "array", "items": success}
        responses = {str(op.status): answer(op.summary, success)}
        if op.file is not None:
            responses[str(op.status)] = {
                "description": op.summary,
                "headers": FILE_HEADERS,
                "content": {op.file: {"schema": {"type": "string", "format": "binary"}}},
            }
        if op.paged:
            responses[str(op.status)]["headers"] = PAGE_HEADERS
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
        parameters: list[dict[str, Any]] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}
                if convertor == "id"
                else {"type": "string"},
            }
            for name, convertor in re.findall(r"\{(\w+):(\w+)\}", op.path)
        ]
        if op.query is not None:
            parameters += _query_parameters(op.query)
        if parameters:
            operation["parameters"] = parameters
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
