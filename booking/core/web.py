"""What every route needs: the app's state, the request's database session, the signed-in
member, CSRF-protected forms, rendering and redirects. Routes stay thin on top of this.

The core knows no domain: ``create_app`` hands it the function that loads a member
(``AppState.load_member``), and the member it returns is the members package's model."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import wtforms
from itsdangerous import URLSafeTimedSerializer
from limits.aio.strategies import MovingWindowRateLimiter
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates
from wtforms.csrf.session import SessionCSRF

from booking.core.db import utcnow
from booking.core.errors import (
    CsrfFailed,
    NotAuthenticated,
    ProfileIncomplete,
    RateLimited,
    TokenInvalid,
)
from booking.core.middleware import LazySession
from booking.core.sessions import ServerSession
from booking.core.spreadsheets import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    Table,
    to_csv,
    to_xlsx,
    to_xlsx_sheets,
)
from booking.core.text import has_control_characters
from booking.settings import Settings

MemberLoader = Callable[[AsyncSession, int], Awaitable[Any]]
TokenLoader = Callable[[Request, str], Awaitable[Any]]
"""Loads the member with this id (or None) in the request's database session."""


@dataclass
class AppState:
    """Everything the app owns, built by ``create_app`` and kept on ``app.state.app``."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    templates: Jinja2Templates
    limiter: MovingWindowRateLimiter
    serializer: URLSafeTimedSerializer
    load_member: MemberLoader
    load_token_member: TokenLoader
    """The active member an API token belongs to, or None."""


def state(request: Request) -> AppState:
    app_state: AppState = request.app.state.app
    return app_state


def db(request: Request) -> AsyncSession:
    """The request's session, opened by :class:`booking.core.middleware.DatabaseSession`."""
    lazy: LazySession = request.scope["db"]
    return lazy.get()


def now(request: Request) -> datetime:
    return utcnow()


def server_session(request: Request) -> ServerSession:
    """The request's server-side session (see :mod:`booking.core.sessions`)."""
    value = request.session
    assert isinstance(value, ServerSession)
    return value


async def current_member(request: Request) -> Any:
    """The signed-in member (the members package's ``Member``), or None."""
    if "member" in request.scope:
        return request.scope["member"]
    current = server_session(request)
    member = None
    if current.member_id is not None:
        member = await state(request).load_member(db(request), current.member_id)
        # End the read transaction: the connection goes back to the pool instead of being
        # held while the request waits (for example in the booking queue).
        await db(request).commit()
        if member is None or member.status == "rejected":
            current.end()
            member = None
    request.scope["member"] = member
    return member


def begin_session(request: Request, member: Any) -> None:
    """After a sign-in: a new session (new id) for ``member``."""
    server_session(request).begin(member.id)
    request.scope["member"] = member


def end_session(request: Request) -> None:
    """Sign-out: the session is deleted on the server; the browser gets a new id."""
    server_session(request).end()
    request.scope["member"] = None


async def require_member(request: Request, *, profile_complete: bool = True) -> Any:
    """The signed-in member; pages other than the profile also need their name."""
    member = await current_member(request)
    if member is None:
        raise NotAuthenticated()
    if profile_complete and member.needs_profile:
        raise ProfileIncomplete()
    return member


async def require_reader(request: Request) -> Any:
    """The signed-in member, or the holder of the API token in ``Authorization: Bearer …``:
    for files that pages and API clients both fetch (PDFs). A token that is sent must be
    valid (401 otherwise), whatever the session says."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return await require_member(request)
    member = await state(request).load_token_member(request, token.strip())
    if member is None:
        raise TokenInvalid()
    request.scope["member"] = member
    return member


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def hit_rate_limit(request: Request, limit: Any, *keys: str) -> None:
    limiter = state(request).limiter
    for key in keys:
        if not await limiter.hit(limit, key):
            raise RateLimited()


# -- forms --------------------------------------------------------------------------------------


class Form(wtforms.Form):  # type: ignore[misc]
    """A form with a CSRF token bound to the session (every state-changing form uses one)."""

    class Meta:
        csrf = True
        csrf_class = SessionCSRF
        csrf_field_name = "csrf_token"
        csrf_time_limit = timedelta(hours=12)
        locales = ("de_DE", "de")


def no_control_characters(
    message: str, *, allowed: str = ""
) -> Callable[[wtforms.Form, wtforms.Field], None]:
    """A field validator: no control characters but those in ``allowed``, else ``message``."""

    def check(_form: wtforms.Form, field: wtforms.Field) -> None:
        if isinstance(field.data, str) and has_control_characters(field.data, allowed=allowed):
            raise wtforms.ValidationError(message)

    return check


def _csrf_meta(request: Request) -> dict[str, Any]:
    return {
        "csrf_secret": state(request).settings.secret_key.encode(),
        # SessionCSRF reads the seed of its tokens from ``context["csrf"]``; it is derived
        # from the session id, so that filling in a form stores nothing on the server.
        "csrf_context": {"csrf": server_session(request).csrf_seed()},
    }


async def bind_form[F: Form](request: Request, form_class: type[F], **data: Any) -> F:
    """The form filled from the request body (POST) or from ``data`` (GET)."""
    formdata = await request.form() if request.method == "POST" else None
    return form_class(formdata=formdata, meta=_csrf_meta(request), data=data or None)


async def verify_csrf(request: Request) -> None:
    """For button forms that carry nothing but the CSRF token."""
    form = await bind_form(request, Form)
    if not form.validate():
        raise CsrfFailed()


def invalid_status(form: wtforms.Form) -> int:
    """400 for a form without a valid CSRF token, 422 for wrong entries."""
    return CsrfFailed.status if "csrf_token" in form.errors else 422


def blank_form[F: Form](request: Request, form_class: type[F] = Form, **data: Any) -> F:
    """An unfilled form: for its CSRF token in button forms, or to show defaults."""
    return form_class(formdata=None, meta=_csrf_meta(request), data=data or None)


def form_errors(form: wtforms.Form) -> list[tuple[str, str, str]]:
    """(field id, label, message) for the error summary at the top of a form."""
    summary = []
    for name, messages_ in form.errors.items():
        field = getattr(form, str(name), None)
        if name == "csrf_token" or field is None:
            summary.append(("", "", CsrfFailed.default_message))
            continue
        for message in messages_ if isinstance(messages_, list) else [str(messages_)]:
            summary.append((field.id, str(field.label.text), str(message)))
    return summary


# -- responses ------------------------------------------------------------------------------------


async def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    context = dict(context or {})
    context.setdefault("member", await current_member(request))
    context.setdefault("flash", pop_flash(request))
    context.setdefault("csrf_form", blank_form(request))
    return state(request).templates.TemplateResponse(
        request, template, context, status_code=status_code
    )


async def render_form(
    request: Request, template: str, form: wtforms.Form, context: dict[str, Any] | None = None
) -> Response:
    """A page with a form. After a POST (one that did not redirect) the form was refused:
    it shows the error summary and answers 400 (CSRF) or 422."""
    refused = request.method == "POST"
    return await render(
        request,
        template,
        {**(context or {}), "form": form, "errors": form_errors(form) if refused else []},
        status_code=invalid_status(form) if refused else 200,
    )


def redirect(url: str) -> RedirectResponse:
    """Post/Redirect/Get."""
    return RedirectResponse(url, status_code=303)


def flash(request: Request, message: str, kind: str = "success") -> None:
    request.session["flash"] = {"message": message, "kind": kind}


def pop_flash(request: Request) -> dict[str, str] | None:
    value = request.session.pop("flash", None)
    return value if isinstance(value, dict) else None


def pdf_answer(body: bytes, filename: str) -> Response:
    """A PDF to view in the browser (and print or save), never kept by a cache."""
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


SpreadsheetKind = Literal["csv", "xlsx"]
SPREADSHEETS: dict[SpreadsheetKind, tuple[Callable[[Table], bytes], str]] = {
    "csv": (to_csv, CSV_MEDIA_TYPE),
    "xlsx": (to_xlsx, XLSX_MEDIA_TYPE),
}


async def spreadsheet_answer(table: Table, kind: SpreadsheetKind, filename: str) -> Response:
    """A table to download as ``<filename>.csv`` or ``.xlsx``, written in a thread (the event
    loop goes on serving meanwhile), never kept by a cache."""
    write, media_type = SPREADSHEETS[kind]
    body = await asyncio.to_thread(write, table)
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.{kind}"',
            "Cache-Control": "no-store",
        },
    )


async def workbook_answer(title: str, tables: list[Table], filename: str) -> Response:
    """Several tables as one XLSX workbook to download (``<filename>.xlsx``, a worksheet
    each), written in a thread, never kept by a cache."""
    body = await asyncio.to_thread(to_xlsx_sheets, title, tables)
    return Response(
        body,
        media_type=XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.xlsx"',
            "Cache-Control": "no-store",
        },
    )
