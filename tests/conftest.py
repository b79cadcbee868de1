from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette

from booking.app import create_app
from booking.core.db import create_engine, session_factory
from booking.settings import Settings
from booking.tables import metadata
from tests.api import World, make_world
from tests.databases import postgres_url, recreate_postgres_schema, reset_postgres
from tests.factories import NOW
from tests.smtp import SmtpServer

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


def test_settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-" + "x" * 32,
        base_url="http://testserver",
        mail_dir=tmp_path / "mail",
        run_mail_sender=False,
        run_jobs=False,
    )


@pytest.fixture
async def app(engine: AsyncEngine, database_url: str, tmp_path: Path) -> AsyncIterator[Starlette]:
    """The app on the test database (schema ready and empty), without the mail sender and
    the scheduler."""
    application = create_app(test_settings(database_url, tmp_path))
    yield application
    await application.state.app.engine.dispose()


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def frozen_time() -> Iterator[None]:
    """Time stands still at factories.NOW (``pytestmark = usefixtures("frozen_time")``)."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
async def world(db: AsyncSession) -> World:
    """An organiser, a member and another member (booked on the event), all with API tokens."""
    return await make_world(db)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free loopback port."""
    server = SmtpServer().start()
    yield server
    server.stop()
