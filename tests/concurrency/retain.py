"""One process that runs the retention job's steps, as a job worker would: ``python -m
tests.concurrency.retain [PAUSE]`` on the database ``DATABASE_URL`` names; prints how many
rows it deleted or emptied. PAUSE (seconds) slows each batch, so that a test can kill the
process midway."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from booking.core.db import create_engine, session_factory, utcnow
from booking.jobs import retention
from booking.settings import Settings


async def main(pause: float) -> None:
    one_batch = retention._one_batch

    async def slowly(*args: Any, **kwargs: Any) -> int:
        done = await one_batch(*args, **kwargs)
        await asyncio.sleep(pause)
        return done

    retention._one_batch = slowly  # type: ignore[assignment]
    settings = Settings.from_env()
    engine = create_engine(settings.database_url)
    try:
        done = await retention.apply(session_factory(engine), utcnow(), settings.retention)
        print(sum(done.values()))
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0))
