"""One process that sends the due reminders, as a job worker would: ``python -m
tests.concurrency.remind [PAUSE]`` on the database ``DATABASE_URL`` names. PAUSE (seconds)
slows each batch, so that a test can kill the process midway."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from booking.bookings import reminders
from booking.core.db import create_engine, session_factory, utcnow
from booking.settings import Settings


async def main(pause: float) -> None:
    notify = reminders.notify

    async def slowly(*args: Any, **kwargs: Any) -> None:
        await notify(*args, **kwargs)
        await asyncio.sleep(pause)

    reminders.notify = slowly  # type: ignore[assignment]
    engine = create_engine(Settings.from_env().database_url)
    try:
        done = await reminders.remind(session_factory(engine), utcnow())
        print(done.bookings)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0))
