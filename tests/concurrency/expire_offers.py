"""One process that lapses the offers past their deadline, as a job worker would: ``python
-m tests.concurrency.expire_offers [PAUSE]`` on the database ``DATABASE_URL`` names. PAUSE
(seconds) follows each event, so that a test can kill the process midway. Prints how many
offers lapsed."""

from __future__ import annotations

import asyncio
import sys

from booking.bookings import offers
from booking.core.db import create_engine, session_factory, utcnow
from booking.settings import Settings


async def main(pause: float) -> None:
    engine = create_engine(Settings.from_env().database_url)
    try:
        done = await offers.expire_due(session_factory(engine), utcnow(), pause=pause)
        print(len(done.expired))
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0))
