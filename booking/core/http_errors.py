"""Turning errors into answers: a German page for people, JSON under /api/, never a 500
for anything a client can cause."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from asyncpg import PostgresError
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from booking.core.db import is_unavailable
from booking.core.errors import DomainError, NotAuthenticated, ProfileIncomplete
from booking.core.logtext import clean
from booking.core.middleware import LazySession

log = logging.getLogger("booking")

HTTP_MESSAGES = {
    400: "Die Anfrage ist fehlerhaft.",
    401: "Bitte melden Sie sich an.",
    403: "Dafür fehlt Ihnen die Berechtigung.",
    404: "Diese Seite gibt es nicht.",
    405: "Diese Aktion ist hier nicht möglich.",
    413: "Die Anfrage ist zu groß.",
    415: "Dieses Datenformat wird hier nicht angenommen.",
    422: "Bitte prüfen Sie Ihre Eingaben.",
    429: "Zu viele Anfragen in kurzer Zeit. Bitte warten Sie einige Minuten.",
    500: "Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es später erneut.",
    503: "Das System ist gerade stark ausgelastet – bitte versuchen Sie es erneut.",
}
HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
    503: "busy",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def json_error(
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    **extra: object,
) -> JSONResponse:
    merged = dict(headers or {})
    if status == 503:
        merged.setdefault("Retry-After", "2")
    return JSONResponse({"error": code, "message": message, **extra}, status, headers=merged)


async def error_page(request: Request, status: int, message: str) -> Response:
    from booking.core.web import render

    response = await render(
        request, "errors/error.html", {"status": status, "message": message}, status_code=status
    )
    if status == 503:
        response.headers["Retry-After"] = "2"
    return response


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if is_api(request):
        fields = getattr(exc, "fields", None)
        extra = {"fields": fields} if fields else {}
        return json_error(exc.status, exc.code, exc.message, **extra)
    if isinstance(exc, NotAuthenticated) and request.method == "GET":
        from booking.core.web import redirect

        return redirect(f"/anmelden?weiter={request.url.path}")
    if isinstance(exc, ProfileIncomplete) and request.method == "GET":
        from booking.core.web import redirect

        request.session["next"] = request.url.path
        return redirect("/profil")
    return await error_page(request, exc.status, exc.message)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = HTTP_MESSAGES.get(exc.status_code, HTTP_MESSAGES[400])
    if is_api(request):
        code = HTTP_CODES.get(exc.status_code, "error")
        return json_error(exc.status_code, code, message, headers=exc.headers)
    response = await error_page(request, exc.status_code, message)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, clean(request.url.path), exc_info=exc)
    if is_api(request):
        return json_error(500, "internal_error", HTTP_MESSAGES[500])
    await start_afresh(request)
    return await error_page(request, 500, HTTP_MESSAGES[500])


async def start_afresh(request: Request) -> None:
    """After a failed statement the request's transaction may be unusable (a failed flush
    leaves the session to be rolled back and the loaded objects expired; PostgreSQL refuses
    every further statement in it): the page that reports the error rolls it back and loads
    the signed-in member anew, instead of failing itself."""
    lazy: LazySession | None = request.scope.get("db")
    if lazy is not None:
        await lazy.rollback()
    request.scope.pop("member", None)


async def database_error(request: Request, exc: Exception) -> Response:
    """The database cannot be reached: 503 with Retry-After and the German "busy" text,
    answered here (not by the server error middleware) so that the connection stays open
    for the next request. Any other database error is a 500 as before."""
    if not is_unavailable(exc):
        return await server_error(request, exc)
    log.warning(
        "database unavailable on %s %s: %s",
        request.method,
        clean(request.url.path),
        clean(f"{type(exc).__name__}: {exc}"),
    )
    if is_api(request):
        return json_error(503, "busy", HTTP_MESSAGES[503])
    # The page is shown as to a guest: loading the signed-in member needs the database.
    request.scope.setdefault("member", None)
    return await error_page(request, 503, HTTP_MESSAGES[503])


async def client_gone(request: Request, exc: Exception) -> Response:
    """The client closed the connection before its request was read: nothing is wrong here,
    and nobody is left to answer. One line, no traceback."""
    log.info("client disconnected during %s %s", request.method, clean(request.url.path))
    return Response(status_code=400)


handlers = {
    DomainError: domain_error,
    HTTPException: http_error,
    ClientDisconnect: client_gone,
    sa_exc.DBAPIError: database_error,
    sa_exc.TimeoutError: database_error,
    PostgresError: database_error,
    OSError: database_error,
    Exception: server_error,
}
