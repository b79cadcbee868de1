"""The retention job from real processes on a database of their own: two racing delete every
due row once between them, and one killed midway leaves whole batches; the next run takes
the rest."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from booking.core.db import create_engine, session_factory, utcnow
from booking.jobs.retention import BATCH
from booking.mail.models import OutboxMessage
from booking.settings import ROOT
from tests.concurrency.server import fresh_database, server_env
from tests.databases import postgres_url

pytestmark = pytest.mark.race

DUE = 6 * BATCH
KEPT = 50


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    pg = postgres_url()
    if request.param == "postgresql" and pg is None:
        pytest.skip("TEST_DATABASE_URL not set")
    async with fresh_database(request.param, tmp_path, pg) as url:
        yield url


async def seed(url: str) -> None:
    """DUE mails sent half a year ago, KEPT sent yesterday."""
    engine = create_engine(url)
    now = utcnow()
    try:
        async with session_factory(engine)() as session:
            await session.execute(
                insert(OutboxMessage),
                [{"recipient": f"p{n}@kreis-borken.example", "template": "sign_in_link",
                  "context": {}, "created_at": now,
                  "sent_at": now - timedelta(days=180 if n < DUE else 1)}
                 for n in range(DUE + KEPT)],
            )  # fmt: skip
            await session.commit()
    finally:
        await engine.dispose()


async def remaining(url: str) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    finally:
        await engine.dispose()


def start(url: str, tmp_path: Path, pause: float = 0.0) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.concurrency.retain", str(pause)],
        env=server_env(url, tmp_path), cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip


async def test_two_processes_racing_delete_every_row_once(database: str, tmp_path: Path) -> None:
    await seed(database)
    first, second = start(database, tmp_path, 0.01), start(database, tmp_path, 0.01)
    outputs = [await asyncio.to_thread(p.communicate, timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    counts = [int(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert sum(counts) == DUE
    assert await remaining(database) == KEPT


async def test_a_process_killed_midway_leaves_the_rest_to_the_next(
    database: str, tmp_path: Path
) -> None:
    await seed(database)
    slow = start(database, tmp_path, pause=0.3)
    while await remaining(database) == DUE + KEPT:
        assert slow.poll() is None, slow.communicate()
        await asyncio.sleep(0.02)
    os.killpg(slow.pid, signal.SIGKILL)
    slow.communicate()
    left = await remaining(database)
    assert KEPT < left < DUE + KEPT and (DUE + KEPT - left) % BATCH == 0  # whole batches only

    again = start(database, tmp_path)
    out, _ = await asyncio.to_thread(again.communicate, timeout=120)
    assert again.returncode == 0, out
    assert int(out.strip().splitlines()[-1]) == left - KEPT
    assert await remaining(database) == KEPT
