"""Pure ASGI middleware: a database session per request, a body-size limit, security headers,
and a count of the requests in flight."""

from __future__ import annotations

import asyncio
import contextlib
import json

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 256 * 1024


class DatabaseSession:
    """Gives the request ``scope["db"]``, a session opened on first use (many API requests
    and every static file never touch it) and closed when the response is done. Static
    files get one too: their error page shows who is signed in."""

    def __init__(self, app: ASGIApp, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lazy = LazySession(self.sessions)
        scope["db"] = lazy
        try:
            await self.app(scope, receive, send)
        finally:
            await lazy.close()


class InFlight:
    """The requests being answered right now, so that work in the background (the mail
    sender) can give way to them: at the moment a popular training opens, answering the
    people who book comes before writing their confirmations."""

    def __init__(self) -> None:
        self.count = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    def enter(self) -> None:
        self.count += 1
        self._quiet.clear()

    def leave(self) -> None:
        self.count -= 1
        if self.count == 0:
            self._quiet.set()

    async def quiet(self, at_most: float) -> None:
        """Return when no request is in flight, or after ``at_most`` seconds at the latest."""
        if self.count and at_most > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._quiet.wait(), at_most)


class CountRequests:
    def __init__(self, app: ASGIApp, in_flight: InFlight) -> None:
        self.app = app
        self.in_flight = in_flight

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.in_flight.enter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight.leave()


class LazySession:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    def get(self) -> AsyncSession:
        if self._session is None:
            self._session = self._sessions()
        return self._session

    async def rollback(self) -> None:
        if self._session is not None:
            await self._session.rollback()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class BodySizeLimit:
    """Refuses request bodies over ``MAX_BODY_BYTES`` with 413 before they are read whole."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = True
                if too_big:
                    await _too_large(scope, send)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            await _too_large(scope, send)


class BodyTooLarge(Exception):
    pass


async def _too_large(scope: Scope, send: Send) -> None:
    message = "Die Anfrage ist zu groß."
    if scope["path"].startswith("/api/"):
        body = json.dumps({"error": "too_large", "message": message}).encode()
        content_type = b"application/json"
    else:
        body = message.encode()
        content_type = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)


class SecurityHeaders:
    """Security headers on every answer, and ``Cache-Control: no-store`` on every answer that
    does not say otherwise: pages and API answers may carry personal data (a name in the
    header, a booking, a CSRF token) and must stay out of every cache. What is meant to be
    cached sets its own header (the public programme feed, a member's calendar feed), and
    static files are left alone."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not static:
                    headers.setdefault("cache-control", "no-store")
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", "same-origin")
                headers.setdefault("x-frame-options", "DENY")
                headers.setdefault("content-security-policy", CSP)
            await send(message)

        await self.app(scope, receive, send_with_headers)
