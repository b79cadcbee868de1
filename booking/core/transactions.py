"""Write transactions that count and insert under a lock (STYLE.md habit 2).

``async with write_transaction(session):`` starts the transaction as a writer, commits on
success and rolls back on any error. On SQLite, writers of one process queue on an
``asyncio.Lock`` first, so they wait without spinning in SQLite's busy handler; across
processes ``BEGIN IMMEDIATE`` with a busy timeout keeps them apart. On PostgreSQL, the
service locks the rows it counts with ``FOR UPDATE`` under a short ``lock_timeout``.
A lock that cannot be had in time becomes :class:`booking.core.errors.Busy`.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.core.db import begin_write, is_lock_timeout
from booking.core.errors import Busy

_process_locks: weakref.WeakKeyDictionary[object, dict[asyncio.AbstractEventLoop, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _sqlite_process_lock(engine: AsyncEngine) -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    per_loop = _process_locks.setdefault(engine.sync_engine, {})
    lock = per_loop.get(loop)
    if lock is None:
        lock = per_loop[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def write_transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    bind = session.bind
    assert isinstance(bind, AsyncEngine), "sessions are bound to one engine"
    async with AsyncExitStack() as stack:
        if bind.dialect.name == "sqlite":
            await stack.enter_async_context(_sqlite_process_lock(bind))
        try:
            await begin_write(session)
            yield session
            await session.commit()
        except DBAPIError as exc:
            await _abandon(session)
            if is_lock_timeout(exc):
                raise Busy() from exc
            raise
        except BaseException:
            await _abandon(session)
            raise


async def _abandon(session: AsyncSession) -> None:
    """Roll back, leaving the objects the caller holds readable.

    A rollback expires every instance in the session, and an expired attribute cannot be
    loaded lazily under asyncio; detached first, they keep what they had loaded (the page
    that reports the error still shows the signed-in member's name).
    """
    session.expunge_all()
    await session.rollback()
