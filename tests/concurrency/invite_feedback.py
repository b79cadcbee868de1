"""One process that sends the due feedback invitations, as a job worker would: ``python -m
tests.concurrency.invite_feedback [PAUSE]`` on the database ``DATABASE_URL`` names. PAUSE
(seconds) holds each batch's transaction open before its commit, so that a test can kill the
process midway."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.db import create_engine, session_factory, utcnow
from booking.settings import Settings
from courses.feedback import invitations


async def main(pause: float) -> None:
    write_transaction = invitations.write_transaction

    @asynccontextmanager
    async def slowly(session: AsyncSession) -> AsyncIterator[AsyncSession]:
        async with write_transaction(session) as inner:
            yield inner
            await asyncio.sleep(pause)  # claimed and mailed, not yet committed

    invitations.write_transaction = slowly  # type: ignore[assignment]
    engine = create_engine(Settings.from_env().database_url)
    try:
        done = await invitations.invite(session_factory(engine), utcnow())
        print(done.invited)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0))
