"""An app process under Python's default garbage-collector settings serves many large
programme pages (500 cards each, as the programme was before it had pages) and lives.

On CPython 3.11 a cyclic collection that starts while SQLAlchemy's async bridge runs the
ORM's loading in its greenlet corrupts memory: the process died with SIGSEGV after a few
large pages (every greenlet from 2.0 to 3.5, SQLAlchemy 2.0 and 2.1, aiosqlite and
asyncpg alike); on 3.12 and 3.13 it does not. The app's own collector settings
(``settle_garbage_collector``) only made collections rare, so the child here uses the
defaults: 700, 10, 10 and nothing frozen.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from booking.core.db import create_engine, utcnow
from booking.settings import ROOT
from booking.tables import metadata
from tests.concurrency.server import fresh_database, server_env
from tests.databases import postgres_url

pytestmark = pytest.mark.race

EVENTS = 3_000
"""Upcoming events; a third of them trainings, one page of which is ~450 cards."""
PAGES = 40

DATABASES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(postgres_url() is None, reason="TEST_DATABASE_URL not set"),
    ),
]

SERVE = """
import asyncio, gc, sys
import httpx
from booking.app import create_app
from courses import listing

listing.PROGRAMME_PAGE = 500  # large pages, as the programme was before it had pages

async def main(pages):
    gc.set_threshold(700, 10, 10)
    frozen = gc.get_freeze_count()
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for n in range(pages):
            response = await client.get("/?kind=training" if n % 2 else "/")
            assert response.status_code == 200, response.status_code
    await app.state.app.engine.dispose()
    print("served", pages, "pages at", gc.get_threshold(), "frozen", gc.get_freeze_count() - frozen)

asyncio.run(main(int(sys.argv[1])))
"""


@pytest.fixture(params=DATABASES)
async def large_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with fresh_database(request.param, tmp_path, postgres_url()) as url:
        await seed(url)
        yield url


async def seed(url: str) -> None:
    """Upcoming events of every public format with one to three sessions, some open only to
    a few sectors, half of them at a venue; bulk inserts through the tables."""
    tables = metadata.tables
    start = utcnow().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=1)
    kinds = ("training", "network_meeting", "training", "webinar", "training", "online_qa")
    sectors = ("schule", "gesundheit", "polizei", "justiz")
    events, sessions, event_sectors = [], [], []
    for n in range(1, EVENTS + 1):
        kind = kinds[n % len(kinds)]
        online = kind in ("webinar", "online_qa")
        events.append(
            {
                "id": n,
                "kind": kind,
                "status": "published",
                "title": f"Veranstaltung {n}",
                "summary": "Kurzbeschreibung der Veranstaltung " * 3,
                "description": "",
                "capacity": 16,
                "venue_id": None if online else n % 20 + 1,
                "online_room_id": 1 if online else None,
            }
        )
        day = start + timedelta(days=n % 700)
        for d in range(n % 3 + 1):
            begins = day + timedelta(days=d)
            sessions.append(
                {"event_id": n, "starts_at": begins, "ends_at": begins + timedelta(hours=7)}
            )
        event_sectors.extend({"event_id": n, "sector": s} for s in sectors[: n % 3])
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            insert(tables["venues"]),
            [
                {"id": n, "name": f"Ort {n}", "city": "Münster", "region": "Münster"}
                for n in range(1, 21)
            ],
        )
        await conn.execute(
            insert(tables["online_rooms"]),
            [{"id": 1, "name": "Raum", "meeting_url": "https://meet.example/raum"}],
        )
        await conn.execute(insert(tables["events"]), events)
        await conn.execute(insert(tables["event_sessions"]), sessions)
        await conn.execute(insert(tables["event_sectors"]), event_sectors)
    await engine.dispose()


def test_many_large_pages_under_default_collector_settings(
    large_database: str, tmp_path: Path
) -> None:
    env = server_env(large_database, tmp_path, JOBS="off", MAIL_SENDER="off")
    child = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", SERVE, str(PAGES)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, (
        f"the app process ended with {child.returncode} after serving:\n"
        f"{child.stdout[-2000:]}\n{child.stderr[-4000:]}"
    )
    assert f"served {PAGES} pages at (700, 10, 10) frozen 0" in child.stdout
