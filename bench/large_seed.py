"""The large benchmark database: ten years of the network, written in bulk.

The schema comes from the project's migrations; the rows go in through the project's own
tables (``booking.tables``) as SQLAlchemy Core ``insert(table)`` with lists of dicts, in
chunks, in one transaction. Ids are given explicitly (so that rows can point at each other
without asking the database back); on PostgreSQL the id sequences are moved past them
afterwards, and the tables analysed as autovacuum would soon do. Everything is drawn from
``random.Random(seed)`` with dates relative to the start of today (Berlin), so the same seed
gives the same database on the same day.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock
from typing import Any

from large_bookings import build_bookings, build_mails
from large_people import build_people
from large_programme import build_programme
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from booking.core import migrate
from booking.core.db import create_engine
from booking.core.formatting import BERLIN
from booking.tables import metadata

CHUNK = 5_000
TABLES_WITH_IDS = (
    "organisations",
    "members",
    "venues",
    "rooms",
    "online_rooms",
    "series",
    "events",
    "event_sessions",
    "bookings",
    "outbox",
)


@dataclass(frozen=True)
class Size:
    organisations: int = 1_000
    members: int = 20_000
    events: int = 10_000
    upcoming: int = 2_300
    bookings: int = 200_000
    mails: int = 200_000

    def scaled(self, factor: float) -> Size:
        """A smaller (or larger) database of the same shape, for trying the script out."""
        return Size(
            *(max(1, round(getattr(self, name) * factor)) for name in self.__dataclass_fields__)
        )


@dataclass
class Seeded:
    counts: dict[str, int]
    seconds_build: float
    seconds_write: float
    largest_event: int


def anchor_now() -> datetime:
    """The start of today in Berlin: the seed's "now", so that a day's databases agree."""
    today = datetime.now(UTC).astimezone(BERLIN).date()
    return datetime.combine(today, clock(0, 0), tzinfo=BERLIN).astimezone(UTC)


def build(size: Size, seed: int) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """Every table's rows, in the order they are written, and the largest event's id."""
    rng = random.Random(seed)
    now = anchor_now()
    since = now.replace(year=now.year - 10)
    people = build_people(rng, size.organisations, size.members, since)
    programme = build_programme(rng, people, now, size.events, size.upcoming)
    bookings = build_bookings(rng, people, programme, now, size.bookings)
    mails = build_mails(rng, people, bookings, size.mails, now)
    tables = {
        "organisations": people.organisations,
        "organisation_domains": people.domains,
        "members": people.members,
        "venues": people.venues,
        "rooms": people.rooms,
        "online_rooms": people.online_rooms,
        "series": programme.series,
        "events": programme.events,
        "event_sessions": programme.sessions,
        "event_sectors": programme.sectors,
        "event_trainers": programme.trainers,
        "bookings": bookings,
        "outbox": mails,
    }
    return tables, programme.largest


async def reset_postgresql_schema(url: str) -> None:
    """Drop and recreate the schema ``public`` of the database ``url`` names."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


async def seed_large(url: str, size: Size, seed: int) -> Seeded:
    """Migrate the (empty) database ``url`` and fill it."""
    postgres = make_url(url).get_backend_name() == "postgresql"
    if postgres:
        await reset_postgresql_schema(url)
    migrate.upgrade(url)
    started = time.perf_counter()
    tables, largest = build(size, seed)
    built = time.perf_counter()
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for name, rows in tables.items():
                await _insert(conn, name, rows)
            if postgres:
                for name in TABLES_WITH_IDS:
                    await conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
                        )
                    )
        if postgres:
            async with engine.connect() as conn:
                await conn.execute(text("ANALYZE"))
                await conn.commit()
    finally:
        await engine.dispose()
    return Seeded(
        counts={name: len(rows) for name, rows in tables.items()},
        seconds_build=built - started,
        seconds_write=time.perf_counter() - built,
        largest_event=largest,
    )


async def _insert(conn: AsyncConnection, name: str, rows: list[dict[str, Any]]) -> None:
    table = metadata.tables[name]
    for start in range(0, len(rows), CHUNK):
        await conn.execute(insert(table), rows[start : start + CHUNK])
