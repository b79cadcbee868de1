"""One process that writes the mails of the issues being sent, as the job would: ``python
-m tests.concurrency.send_newsletter [PAUSE]`` on the database ``DATABASE_URL`` names.
PAUSE (seconds) slows each batch, so that a test can kill the process midway."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.db import create_engine, session_factory, utcnow
from booking.newsletter import sending
from booking.settings import Settings


async def main(pause: float) -> None:
    queue_batch = sending.queue_batch

    async def slowly(session: AsyncSession, issue_id: int, now: datetime, limit: int = 200) -> int:
        done = await queue_batch(session, issue_id, now, limit)
        await asyncio.sleep(pause)
        return done

    sending.queue_batch = slowly  # type: ignore[assignment]
    engine = create_engine(Settings.from_env().database_url)
    try:
        done = await sending.queue_all(session_factory(engine), utcnow())
        print(done.mails)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0))
