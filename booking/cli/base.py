"""What every database command shares: settings, sessions, errors an operator can fix."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.core.db import create_engine, session_factory
from booking.settings import Settings

MIGRATE_FIRST = "Bitte zuerst „sid migrate“ ausführen."


class CliError(Exception):
    """A problem the operator can fix; printed without a traceback, exit code 1."""


def settings_from_env() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        raise CliError(str(exc)) from exc


@asynccontextmanager
async def database_sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = make_url(settings.database_url)
    path = url.database if url.get_backend_name() == "sqlite" else None
    if path and path != ":memory:" and not Path(path).exists():
        raise CliError(f"Die Datenbank {path} gibt es noch nicht. {MIGRATE_FIRST}")
    engine = create_engine(settings.database_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


def run_command(work: Coroutine[Any, Any, int]) -> int:
    try:
        return asyncio.run(work)
    except DBAPIError as exc:
        text = str(exc.orig)
        if "no such table" in text or "UndefinedTable" in type(exc.orig).__name__ + text:
            raise CliError(f"Die Datenbank ist noch nicht eingerichtet. {MIGRATE_FIRST}") from exc
        raise
