"""The query plans of the lists, on a large database: the statements the app's own list
functions send (captured as they run), each explained by the database
(``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN`` on PostgreSQL). A full scan of a large
table (bookings, members, outbox, events, event_sessions) that no index could replace is
marked, so that a missing index shows. On PostgreSQL a sequential scan is often the
planner's right choice for a table of some thousand rows; the statement is explained again
with sequential scans switched off, and only a scan that remains is marked. Not a test: it
prints.

    .venv/bin/python bench/plans.py --database-url sqlite+aiosqlite:////tmp/large.db
    .venv/bin/python bench/plans.py --database-url postgresql+asyncpg://postgres@127.0.0.1/test_bench

The database must hold the large data (``bench/scale.py`` seeds it; with ``--seed`` this
script seeds a SQLite file itself, which takes about 15 s).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from large_seed import Size, seed_large
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.bookings import queries
from booking.bookings.models import Booking, BookingStatus
from booking.calendar import feeds
from booking.core.db import create_engine
from booking.members.models import Member
from courses import listing
from courses.listing import ProgrammeFilter

LARGE_TABLES = ("bookings", "members", "outbox", "events", "event_sessions", "organisations")
SQLITE_SCAN = re.compile(r"\bSCAN (\w+)(?! USING)")
POSTGRES_SCAN = re.compile(r"Seq Scan on (\w+)")

Step = Callable[[AsyncSession], Awaitable[Any]]


async def steps(session: AsyncSession, now: datetime) -> dict[str, Step]:
    """What the lists do, with the large data's own organiser, member and largest event."""
    organiser = await session.scalar(select(Member).where(Member.role == "organiser").limit(1))
    busy_member = await session.scalar(
        select(Booking.member_id).group_by(Booking.member_id).order_by(func.count().desc()).limit(1)
    )
    largest = await session.scalar(
        select(Booking.event_id).group_by(Booking.event_id).order_by(func.count().desc()).limit(1)
    )
    assert organiser is not None and busy_member is not None and largest is not None
    page = await listing.programme(session, ProgrammeFilter(collapse_series=True), now, limit=20)
    waiting = (BookingStatus.WAITING,)
    return {
        "programme, first page": lambda s: listing.programme(
            s, ProgrammeFilter(collapse_series=True), now, limit=20
        ),
        "programme, next page": lambda s: listing.programme(
            s, ProgrammeFilter(collapse_series=True), now, cursor=page.next_cursor, limit=20
        ),
        "programme, trainings with free seats": lambda s: listing.programme(
            s, ProgrammeFilter(kind="training", free_only=True), now, limit=20
        ),
        "API list (workshops too)": lambda s: listing.programme(
            s, ProgrammeFilter(include_workshops=True), now, limit=50
        ),
        "Meine Buchungen": lambda s: queries.member_bookings(s, busy_member, now),
        "API, my bookings": lambda s: queries.member_bookings_page(
            s, busy_member, cursor=None, limit=50
        ),
        "waiting list of the largest event": lambda s: queries.event_bookings_page(
            s, largest, organiser, cursor=None, limit=100, statuses=waiting
        ),
        "list counts of the largest event": lambda s: queries.status_counts(s, largest),
        "feed's tag": lambda s: feeds.fingerprint(s, now, "https://example.org"),
        "feed's events": lambda s: feeds.programme_window(s, now),
    }


async def explain(
    session: AsyncSession, postgres: bool, statement: str, params: Any, *, seqscan: bool = True
) -> str:
    prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
    raw = await session.connection()
    driver = await raw.get_raw_connection()
    if postgres:
        # asyncpg numbers its parameters ($1 …): explain through the driver as they came.
        connection = driver.driver_connection
        await connection.execute(f"SET enable_seqscan = {'on' if seqscan else 'off'}")
        try:
            rows = await connection.fetch(prefix + statement, *params)
        finally:
            await connection.execute("SET enable_seqscan = on")
        return "\n".join(row[0] for row in rows)
    cursor = await driver.driver_connection.execute(prefix + statement, params)
    return "\n".join(f"{'  ' * (row[1] > 0)}{row[3]}" for row in await cursor.fetchall())


async def main(url: str) -> int:
    postgres = make_url(url).get_backend_name() == "postgresql"
    engine = create_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
        captured.append((statement, params))

    now = datetime.now(UTC)
    flagged = 0
    try:
        async with sessions() as session:
            count = await session.scalar(select(func.count()).select_from(Booking))
            print(f"{'PostgreSQL' if postgres else 'SQLite'}: {count:,} bookings")
            for name, step in (await steps(session, now)).items():
                captured.clear()
                sa_event.listen(engine.sync_engine, "before_cursor_execute", capture)
                try:
                    await step(session)
                finally:
                    sa_event.remove(engine.sync_engine, "before_cursor_execute", capture)
                print(f"\n## {name}: {len(captured)} statement(s)")
                for statement, params in captured:
                    if not statement.lstrip().upper().startswith("SELECT"):
                        continue
                    plan = await explain(session, postgres, statement, params)
                    forced = plan
                    if postgres:
                        forced = await explain(session, postgres, statement, params, seqscan=False)
                    scans = (POSTGRES_SCAN if postgres else SQLITE_SCAN).findall(forced)
                    tables = {re.sub(r"_\d+$", "", t) for t in scans}  # aliases: events_1
                    full = sorted(t for t in tables if t in LARGE_TABLES)
                    first_line = " ".join(statement.split())[:110]
                    mark = f"  <-- full scan of {', '.join(full)}" if full else ""
                    flagged += bool(full)
                    print(f"- {first_line} …{mark}")
                    print("    " + plan.replace("\n", "\n    "))
    finally:
        await engine.dispose()
    print(f"\n{flagged} statement(s) scan a large table in full that no index could spare.")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", action="store_true", help="seed a SQLite file first")
    args = parser.parse_args()
    if args.seed:
        database = make_url(args.database_url).database
        assert database and "bench" in Path(database).name or "large" in Path(database).name
        Path(database).unlink(missing_ok=True)
        asyncio.run(seed_large(args.database_url, Size(), 7))
    sys.exit(asyncio.run(main(args.database_url)))
