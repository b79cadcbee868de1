"""The retention job from real processes on a database of their own: two racing delete every
due row once between them, and one killed midway leaves whole batches; the next run takes
the rest."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from booking.core.db import create_engine, session_factory, utcnow
from booking.jobs.retention import BATCH
from booking.mail.models import OutboxMessage
from tests.concurrency.workers import finished, killed_once, racing, start

pytestmark = pytest.mark.race

JOB = "tests.concurrency.retain"

DUE = 6 * BATCH
KEPT = 50


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


async def begun(url: str) -> bool:
    """Some rows are gone."""
    return await remaining(url) < DUE + KEPT


async def test_two_processes_racing_delete_every_row_once(database: str, tmp_path: Path) -> None:
    await seed(database)
    assert sum(await racing(JOB, database, tmp_path, pause=0.01)) == DUE
    assert await remaining(database) == KEPT


async def test_a_process_killed_midway_leaves_the_rest_to_the_next(
    database: str, tmp_path: Path
) -> None:
    await seed(database)
    slow = start(JOB, database, tmp_path, pause=0.3)
    await killed_once(slow, lambda: begun(database))
    left = await remaining(database)
    assert KEPT < left < DUE + KEPT and (DUE + KEPT - left) % BATCH == 0  # whole batches only

    assert await finished(start(JOB, database, tmp_path)) == left - KEPT
    assert await remaining(database) == KEPT
