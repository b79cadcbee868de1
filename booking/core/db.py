"""Engine, sessions and the declarative base shared by every package.

SQLite runs in WAL mode; a write transaction that must count and insert under a lock starts
with ``BEGIN IMMEDIATE`` (see :func:`write_transaction`). PostgreSQL takes row locks with
``SELECT … FOR UPDATE`` under a short ``lock_timeout``.
"""

from __future__ import annotations

import errno
import socket
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LOCK_TIMEOUT_SECONDS = 10


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times are stored in UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def create_engine(database_url: str) -> AsyncEngine:
    if database_url.startswith("sqlite"):
        engine = create_async_engine(
            database_url,
            connect_args={"timeout": LOCK_TIMEOUT_SECONDS},
            pool_size=16,
            max_overflow=0,
            pool_timeout=60,
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        database_url,
        pool_size=10,
        max_overflow=10,
        pool_timeout=60,
        pool_pre_ping=True,
        # For every statement of the connection, set when it is opened: no extra round trip
        # in each write transaction.
        connect_args={"server_settings": {"lock_timeout": f"{LOCK_TIMEOUT_SECONDS}s"}},
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={LOCK_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def begin_write(session: AsyncSession) -> None:
    """Start the session's transaction as a writer that may count and insert under a lock.

    SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock at once, so no other
    process can change the counts between our check and our insert. PostgreSQL: rows are
    locked explicitly with ``FOR UPDATE``; the connection's ``lock_timeout`` (set when it
    is opened) turns a pile-up into :class:`Busy` instead of a hanging request.
    """
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write must not swallow unflushed changes")
        # End the read transaction of the request (say, loading the signed-in member);
        # a commit, unlike a rollback, keeps the loaded objects usable.
        await session.commit()
    bind = session.bind
    assert bind is not None
    if bind.dialect.name == "sqlite":
        await session.connection(execution_options={"sqlite_immediate": True})


_UNAVAILABLE_SQLSTATES = ("57P01", "57P02", "57P03", "53300")
"""Shut down, crashed, starting up, too many connections (class 08 is added below)."""
_UNAVAILABLE_SQLITE = ("unable to open database file", "disk i/o error")


def is_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached right now (refused, gone, full, starting): a reason to
    answer 503 and try again later, not a bug. Errors of a statement are not counted."""
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection became free in time
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        if isinstance(exc.orig, OSError):
            return is_unavailable(exc.orig)
        text = str(exc.orig).lower()
        if any(message in text for message in _UNAVAILABLE_SQLITE):
            return True
        exc = exc.orig if exc.orig is not None else exc
    code = str(getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None) or "")
    if code.startswith("08") or code in _UNAVAILABLE_SQLSTATES:
        return True
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        return True
    return isinstance(exc, OSError) and exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH)


def is_lock_timeout(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError) and "database is locked" in str(exc):
        return True
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return code in ("55P03", "40P01", "40001")
    return False
