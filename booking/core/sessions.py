"""Sessions kept on the server: the cookie carries a random id and nothing else.

:class:`ServerSessions` is a pure ASGI middleware. It knows no table: ``create_app`` hands it
a :class:`SessionStore` (load a session by the hash of its id, write the changes of one
request). A session ends at sign-out, after ``ABSOLUTE_LIFETIME`` from its start, or after
``IDLE_TIMEOUT`` without a request. Reading a page writes nothing unless the session's data
changed; "last seen" is written at most once per ``TOUCH_INTERVAL``.

The CSRF tokens of the forms are bound to the session id (an HMAC of it), so a visitor who
only reads pages and fills in a form needs no row at all.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from booking.core.db import is_unavailable, utcnow

COOKIE_NAME = "sid_session"
ABSOLUTE_LIFETIME = timedelta(hours=8)
IDLE_TIMEOUT = timedelta(hours=2)
TOUCH_INTERVAL = timedelta(minutes=1)
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
NO_SESSION_PREFIXES = ("/static/", "/api/", "/healthz")
"""Paths that never use the session (the API authenticates by token): nothing is loaded."""


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass
class StoredSession:
    """One session as the store keeps it."""

    member_id: int | None
    data: dict[str, Any]
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime

    def is_over(self, now: datetime) -> bool:
        return now >= self.expires_at or now - self.last_seen_at >= IDLE_TIMEOUT


@dataclass(frozen=True)
class SessionWrite:
    """What one request changes: rows to delete, and the row to write (all of it, or only
    its "last seen" time)."""

    delete: tuple[str, ...] = ()
    id_hash: str | None = None
    record: StoredSession | None = None
    only_touch: bool = False


@dataclass(frozen=True)
class SessionStore:
    load: Callable[[str], Awaitable[StoredSession | None]]
    save: Callable[[SessionWrite], Awaitable[None]]


class ServerSession(dict[str, Any]):
    """``request.session``: a dict of small values (never the member's data itself), and who
    is signed in. Changing the dict marks the session for writing."""

    def __init__(self, session_id: str | None, record: StoredSession | None, secret: bytes) -> None:
        super().__init__(record.data if record else {})
        self.session_id = session_id
        self.record = record
        self.member_id = record.member_id if record else None
        self.modified = False
        self.issued = False
        """A new id was made in this request: the cookie is set."""
        self.discarded: list[str] = []
        """Hashes of ended sessions whose rows are deleted."""
        self._secret = secret

    # -- who is signed in -------------------------------------------------------------------

    def begin(self, member_id: int) -> None:
        """Sign-in: the old session (if any) ends and a new one, with a new id, begins; so an
        id planted before the sign-in is worth nothing after it."""
        self._discard_current()
        self.clear()
        self.member_id = member_id
        self.modified = True

    def end(self) -> None:
        """Sign-out: the session's row is deleted and the browser gets a new id."""
        self._discard_current()
        self.clear()
        self.member_id = None
        self.modified = False

    def _discard_current(self) -> None:
        if self.session_id is not None:
            self.discarded.append(hash_session_id(self.session_id))
        self.session_id = None
        self.record = None
        self.issued = False

    def csrf_seed(self) -> str:
        """The secret the CSRF tokens of this session are made from."""
        session_id = self._ensure_id()
        return hmac.new(self._secret, b"csrf:" + session_id.encode(), "sha256").hexdigest()

    def _ensure_id(self) -> str:
        if self.session_id is None:
            self.session_id = secrets.token_urlsafe(32)
            self.issued = True
        return self.session_id

    # -- changes ----------------------------------------------------------------------------

    def __setitem__(self, key: str, value: Any) -> None:
        self.modified = True
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.modified = True
        super().__delitem__(key)

    def clear(self) -> None:
        if self:
            self.modified = True
        super().clear()

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self.modified = True
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        self.modified = True
        return super().popitem()

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.modified = True
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.modified = True
        super().update(*args, **kwargs)

    # -- what to write ----------------------------------------------------------------------

    def changes(self, now: datetime) -> SessionWrite:
        keep = self.member_id is not None or bool(self)
        delete = tuple(self.discarded)
        if keep and (self.modified or self.record is None):
            id_hash = hash_session_id(self._ensure_id())
            record = StoredSession(
                member_id=self.member_id,
                data=dict(self),
                created_at=self.record.created_at if self.record else now,
                last_seen_at=now,
                expires_at=self.record.expires_at if self.record else now + ABSOLUTE_LIFETIME,
            )
            return SessionWrite(delete=delete, id_hash=id_hash, record=record)
        if self.record is not None and self.session_id is not None:
            id_hash = hash_session_id(self.session_id)
            if not keep:  # nothing left to keep (a message was shown): the row goes
                return SessionWrite(delete=(*delete, id_hash))
            if now - self.record.last_seen_at >= TOUCH_INTERVAL:
                touched = StoredSession(**{**self.record.__dict__, "last_seen_at": now})
                return SessionWrite(delete=delete, id_hash=id_hash, record=touched, only_touch=True)
        return SessionWrite(delete=delete)

    def cookie_max_age(self, now: datetime) -> int:
        expires = self.record.expires_at if self.record else now + ABSOLUTE_LIFETIME
        return max(0, int((expires - now).total_seconds()))


@dataclass(frozen=True)
class _Cookie:
    name: str
    secure: bool

    def header(self, value: str, max_age: int) -> str:
        parts = [f"{self.name}={value}", "path=/", f"Max-Age={max_age}", "httponly"]
        parts.append("samesite=lax")
        if self.secure:
            parts.append("secure")
        return "; ".join(parts)


class ServerSessions:
    """Gives every request ``scope["session"]``, a :class:`ServerSession`, and writes its
    changes before the answer starts (so that the redirect after a sign-in already finds
    the session)."""

    def __init__(
        self,
        app: ASGIApp,
        store: SessionStore,
        secret_key: str,
        https_only: bool = False,
        skip: Iterable[str] = NO_SESSION_PREFIXES,
        unavailable: Callable[[Request, Exception], Awaitable[Response]] | None = None,
    ) -> None:
        self.app = app
        self.unavailable = unavailable
        """The answer when the store cannot be reached (booking.core.http_errors)."""
        self.store = store
        self.secret = secret_key.encode()
        self.cookie = _Cookie(COOKIE_NAME, secure=https_only)
        self.skip = tuple(skip)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(self.skip):
            scope["session"] = ServerSession(None, None, self.secret)
            await self.app(scope, receive, send)
            return
        now = utcnow()
        try:
            session = await self._load(_cookie_value(scope["headers"], self.cookie.name), now)
        except Exception as exc:
            if self.unavailable is None or not is_unavailable(exc):
                raise
            # The database is away: answer "busy" here, where the app's error handlers
            # cannot, and keep the connection open for the next request.
            scope["session"] = ServerSession(None, None, self.secret)
            response = await self.unavailable(Request(scope, receive), exc)
            await response(scope, receive, send)
            return
        scope["session"] = session

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                had_cookie = session.discarded or session.session_id is not None
                await self.store.save(session.changes(now))
                headers = MutableHeaders(scope=message)
                if session.issued:
                    value = session.session_id or ""
                    headers.append(
                        "set-cookie", self.cookie.header(value, session.cookie_max_age(now))
                    )
                elif session.session_id is None and had_cookie:
                    headers.append("set-cookie", self.cookie.header("", 0))
            await send(message)

        await self.app(scope, receive, send_with_session)

    async def _load(self, cookie: str | None, now: datetime) -> ServerSession:
        if cookie is None or not _ID_PATTERN.fullmatch(cookie):
            return ServerSession(None, None, self.secret)
        record = await self.store.load(hash_session_id(cookie))
        if record is not None and record.is_over(now):
            session = ServerSession(cookie, record, self.secret)
            session.end()  # the row goes, the browser gets a new id
            return session
        return ServerSession(cookie, record, self.secret)


def _cookie_value(headers: Iterable[tuple[bytes, bytes]], name: str) -> str | None:
    for key, value in headers:
        if key == b"cookie":
            cookies: Mapping[str, str] = cookie_parser(value.decode("latin-1"))
            if name in cookies:
                return cookies[name]
    return None
