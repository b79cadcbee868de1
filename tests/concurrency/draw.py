"""One process that runs the due draws, as the job would: ``python -m tests.concurrency.draw
[PAUSE]`` on the database ``DATABASE_URL`` names. PAUSE (seconds) slows each draw inside its
transaction, so that a test can kill the process midway."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from booking.bookings import draw
from booking.core.db import create_engine, session_factory, utcnow
from booking.settings import Settings


async def main(pause: float) -> None:
    notify = draw.notify

    async def slowly(*args: Any, **kwargs: Any) -> None:
        await notify(*args, **kwargs)
        await asyncio.sleep(pause)

    draw.notify = slowly  # type: ignore[assignment]
    engine = create_engine(Settings.from_env().database_url)
    try:
        done = await draw.draw_due(session_factory(engine), utcnow())
        print(done.events)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0))
