"""Exporting the bookings of a 300-seat event with 500 waiting as CSV and XLSX. Not a test:
it prints figures.

In a fresh database (SQLite in a temp dir, or the PostgreSQL database ``--database-url``
names, whose schema is DROPPED and recreated): a two-day training with 300 confirmed
participants, whose first day the trainer marked (so the table has a column per session),
and 500 on the waiting list, from 40 organisations. Then, best and median of ``--runs``:

1. reading the table (``booking.bookings.exports.participants_table``, in chunks of plain
   columns), and writing it as CSV and as XLSX, each on its own;
2. the whole request as a client makes it: ``GET /api/v1/events/{id}/bookings.csv`` and
   ``.xlsx`` with the organiser's token through the app (ASGI, no network; middleware and
   gzip included, as the client asks for it).

    .venv/bin/python bench/exports.py [--seats 300] [--waiting 500] [--runs 5]
    .venv/bin/python bench/exports.py --database-url postgresql+asyncpg://postgres@127.0.0.1/test_bench
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from booking.app import create_app
from booking.bookings import exports
from booking.bookings.models import Booking
from booking.core.db import create_engine, session_factory, utcnow
from booking.core.migrate import upgrade
from booking.core.spreadsheets import to_csv, to_xlsx
from booking.members.models import Member
from booking.members.tokens import issue_api_tokens
from booking.organisations.models import Organisation, OrganisationDomain, Sector
from booking.settings import Settings
from courses.attendance.services import mark
from courses.models import Event, EventSession
from venues.models import REGIONS

FIRST = ("Ayşe", "Małgorzata", "Jürgen", "İsmail", "Zoë", "Łukasz", "Björn", "Şükrü", "Grażyna")
LAST = ("Öztürk", "Wiśniewska", "Großmann", "Kılıç", "Müller-Lüdenscheidt", "Ślązak", "Çelik")
ORGANISATIONS = 40


async def training(url: str, seats: int, waiting: int) -> tuple[int, int, str]:
    """(event id, organiser id, the organiser's API token)."""
    engine = create_engine(url)
    now = utcnow()
    sectors = list(Sector)
    async with session_factory(engine)() as session:
        orgs = [
            Organisation(
                name=f"Behörde {i} des Landes Nordrhein-Westfalen",
                sector=sectors[i % len(sectors)],
                region=REGIONS[i % len(REGIONS)],
                domains=[OrganisationDomain(domain=f"behoerde{i}.example")],
            )
            for i in range(ORGANISATIONS)
        ]
        organiser = Member(
            email="geschaeftsstelle@behoerde0.example", first_name="Gesa", last_name="Stelle",
            role="organiser", status="active", organisation=orgs[0],
        )  # fmt: skip
        people = [
            Member(
                email=f"person{i}@behoerde{i % ORGANISATIONS}.example",
                first_name=FIRST[i % len(FIRST)],
                last_name=f"{LAST[i % len(LAST)]}-{i}",
                status="active",
                organisation=orgs[i % ORGANISATIONS],
            )
            for i in range(seats + waiting)
        ]
        start = now - timedelta(days=1)
        event = Event(
            kind="training", status="published", capacity=seats,
            title="Deeskalationstraining für Beschäftigte mit Publikumsverkehr",
            sessions=[
                EventSession(starts_at=start + timedelta(days=d),
                             ends_at=start + timedelta(days=d, hours=7))
                for d in range(2)
            ],
            trainers=[organiser],
        )  # fmt: skip
        session.add_all([*orgs, organiser, *people, event])
        await session.flush()
        bookings = [
            Booking(
                event_id=event.id,
                member_id=p.id,
                organisation_id=p.organisation_id,
                status="confirmed" if i < seats else "waiting",
                created_at=now - timedelta(days=30) + timedelta(seconds=i),
            )
            for i, p in enumerate(people)
        ]
        session.add_all(bookings)
        await session.commit()
        await mark(
            session,
            event_id=event.id,
            session_id=event.sessions[0].id,
            marks=[(b.id, ("present", "late", "absent")[b.id % 3]) for b in bookings[:seats]],
            actor=organiser,
            now=now,
        )
        [token] = await issue_api_tokens(session, emails=[organiser.email], now=now)
        ids = event.id, organiser.id, token.token
    await engine.dispose()
    return ids


async def timed(run: Callable[[], Awaitable[object]], runs: int) -> tuple[list[float], object]:
    result = await run()  # first use: imports and caches, not counted
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await run()
        times.append(time.perf_counter() - started)
    return times, result


def line(name: str, times: list[float], what: str) -> None:
    print(
        f"  {name:<22} best {min(times) * 1000:7.1f} ms, median "
        f"{statistics.median(times) * 1000:7.1f} ms   {what}"
    )


async def measure(url: str, event_id: int, organiser_id: int, token: str, runs: int) -> None:
    engine = create_engine(url)
    sessions = session_factory(engine)

    async def read() -> exports.Table:
        async with sessions() as session:
            organiser = await session.get(Member, organiser_id)
            assert organiser is not None
            return await exports.participants_table(session, event_id, organiser)

    times, table = await timed(read, runs)
    assert isinstance(table, exports.Table)
    line("read the table", times, f"{len(table.rows)} rows, {len(table.header)} columns")
    for name, write in (("write CSV", to_csv), ("write XLSX", to_xlsx)):

        async def written(write: Callable[[exports.Table], bytes] = write) -> bytes:
            return write(table)

        times, body = await timed(written, runs)
        assert isinstance(body, bytes)
        line(name, times, f"{len(body) / 1024:.0f} KiB")
    await engine.dispose()

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            Settings(
                database_url=url, secret_key="bench-" + "x" * 40, base_url="http://bench",
                mail_dir=Path(tmp) / "mail", run_mail_sender=False, run_jobs=False,
            )
        )  # fmt: skip
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for extension in ("csv", "xlsx"):
                path = f"/api/v1/events/{event_id}/bookings.{extension}"

                async def get(path: str = path) -> httpx.Response:
                    response = await client.get(path, headers=headers)
                    assert response.status_code == 200, response.text
                    return response

                times, response = await timed(get, runs)
                assert isinstance(response, httpx.Response)
                sent = response.num_bytes_downloaded
                line(f"GET bookings.{extension}", times, f"{sent / 1024:.0f} KiB sent")
        await app.state.app.engine.dispose()


async def reset_postgresql(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seats", type=int, default=300)
    parser.add_argument("--waiting", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        if make_url(url).get_backend_name() == "postgresql":
            asyncio.run(reset_postgresql(url))
        upgrade(url)
        event_id, organiser_id, token = asyncio.run(training(url, args.seats, args.waiting))
        print(
            f"{make_url(url).get_backend_name()}: {args.seats} confirmed, {args.waiting} waiting, "
            f"best and median of {args.runs} runs"
        )
        asyncio.run(measure(url, event_id, organiser_id, token, args.runs))


if __name__ == "__main__":
    main()
