from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.db import create_engine, session_factory
from booking.tables import metadata
from tests.databases import postgres_url, recreate_postgres_schema, reset_postgres

_pg_schema_ready = False

DATABASES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(postgres_url() is None, reason="TEST_DATABASE_URL not set"),
    ),
]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Booking-rule tests take this fixture and so run on every database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    url = postgres_url()
    assert url is not None
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


async def prepared_engine(url: str) -> AsyncEngine:
    global _pg_schema_ready
    engine = create_engine(url)
    if url.startswith("sqlite"):
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
    else:
        if not _pg_schema_ready:
            await recreate_postgres_schema(engine)
            _pg_schema_ready = True
        await reset_postgres(engine)
    return engine


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = await prepared_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with session_factory(engine)() as session:
        yield session
