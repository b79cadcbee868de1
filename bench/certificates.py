"""Issuing and rendering the certificates of a conference of 120 participants. Not a test: it
prints figures.

1. Issuing, as the page and ``sid certificates issue`` do it: in a fresh database (SQLite in a
   temp dir, or the PostgreSQL database ``--database-url`` names, whose schema is DROPPED and
   recreated), a one-day conference whose 120 participants the trainer marked present; then
   one call of ``courses.certificates.services.issue`` — 120 numbered register rows and 120
   mails in the outbox, in one transaction. The PDFs are not made here: each is rendered from
   the register when it is downloaded.
2. Rendering all 120 PDFs from what the register keeps (names with Turkish and Polish letters):
   one after another, and spread over a pool of processes (fpdf2 is pure Python and holds the
   GIL, so only processes use more than one core). Prints the time, the median and largest size.

Target on the project's machine (2 cores): 120 in under 2 s, each PDF under 100 KB.

    .venv/bin/python bench/certificates.py [--count 120] [--processes 2] [--runs 3]
    .venv/bin/python bench/certificates.py --database-url postgresql+asyncpg://postgres@127.0.0.1/test_bench
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from booking.bookings.models import Booking
from booking.core.db import create_engine, session_factory, utcnow
from booking.core.migrate import upgrade
from booking.members.models import Member
from booking.organisations.models import Organisation, OrganisationDomain
from courses.attendance.services import mark
from courses.certificates import services
from courses.certificates.models import Certificate
from courses.models import Event, EventSession

FIRST = ("Ayşe", "Małgorzata", "Jürgen", "İsmail", "Zoë", "Łukasz", "Björn", "Şükrü", "Grażyna")
LAST = ("Öztürk", "Wiśniewska", "Großmann", "Kılıç", "Müller-Lüdenscheidt", "Ślązak", "Çelik")
BASE_URL = "https://sicherimdienst.example"


async def conference(database_url: str, count: int) -> tuple[int, int]:
    """A held conference with ``count`` participants marked present; (event id, trainer id)."""
    engine = create_engine(database_url)
    now = utcnow()
    async with session_factory(engine)() as session:
        org = Organisation(
            name="Stadt Gelsenkirchen",
            sector="verwaltung",
            region="Münster",
            domains=[OrganisationDomain(domain="gelsenkirchen.example")],
        )
        trainer = Member(
            email="trainer@gelsenkirchen.example", first_name="Jürgen", last_name="Großmann",
            role="trainer", status="active", organisation=org,
        )  # fmt: skip
        people = [
            Member(
                email=f"person{i}@gelsenkirchen.example",
                first_name=FIRST[i % len(FIRST)],
                last_name=LAST[i % len(LAST)],
                status="active",
                organisation=org,
            )
            for i in range(count)
        ]
        start = now - timedelta(days=1)
        event = Event(
            kind="conference", status="published", capacity=count,
            title="Fachtag Sicherheit im öffentlichen Dienst 2027",
            certificate_content="Vortrag: Übergriffe auf Beschäftigte – Lagebild NRW\n"
            "Workshop nach Wahl: Deeskalation, Eigensicherung oder Nachsorge\n"
            "Austausch der Netzwerkpartner",
            sessions=[EventSession(starts_at=start, ends_at=start + timedelta(hours=6))],
            trainers=[trainer],
        )  # fmt: skip
        session.add_all([org, trainer, *people, event])
        await session.flush()
        bookings = [
            Booking(event_id=event.id, member_id=p.id, organisation_id=org.id, status="confirmed")
            for p in people
        ]
        session.add_all(bookings)
        await session.commit()
        await mark(
            session,
            event_id=event.id,
            session_id=event.sessions[0].id,
            marks=[(b.id, "present") for b in bookings],
            actor=trainer,
            now=now,
        )
        ids = event.id, trainer.id
    await engine.dispose()
    return ids


async def issue(database_url: str, event_id: int, trainer_id: int) -> tuple[float, int]:
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        trainer = await session.get(Member, trainer_id)
        started = time.perf_counter()
        issued = await services.issue(session, event_id=event_id, actor=trainer, now=utcnow())
        elapsed = time.perf_counter() - started
    await engine.dispose()
    return elapsed, len(issued)


async def register(database_url: str, event_id: int) -> list[tuple[Certificate, str]]:
    """The issued certificates with their verification addresses, detached for rendering."""
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        found = list(
            await session.scalars(
                select(Certificate).where(Certificate.event_id == event_id).order_by(Certificate.id)
            )
        )
        session.expunge_all()
    await engine.dispose()
    return [(c, services.verify_url(BASE_URL, c)) for c in found]


def render_one(item: tuple[Certificate, str]) -> bytes:
    return services.render(*item)


def measure(name: str, run: Callable[[], list[bytes]], runs: int) -> None:
    times, pdfs = [], []
    for _ in range(runs):
        started = time.perf_counter()
        pdfs = run()
        times.append(time.perf_counter() - started)
    sizes = [len(pdf) for pdf in pdfs]
    best = min(times)
    print(
        f"  {name:<14} {len(pdfs)} PDFs in {best:.2f} s (best of {runs}; median "
        f"{statistics.median(times):.2f} s; {best / len(pdfs) * 1000:.1f} ms each); size median "
        f"{statistics.median(sizes) / 1024:.1f} KB, largest {max(sizes) / 1024:.1f} KB"
    )


async def reset_postgresql(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        if make_url(url).get_backend_name() == "postgresql":
            asyncio.run(reset_postgresql(url))
        upgrade(url)
        event_id, trainer_id = asyncio.run(conference(url, args.count))
        elapsed, issued = asyncio.run(issue(url, event_id, trainer_id))
        print(f"{make_url(url).get_backend_name()}, {args.count} participants")
        print(f"  issue          {issued} certificates and mails in {elapsed:.3f} s")
        batch = asyncio.run(register(url, event_id))

    render_one(batch[0])  # imports and first-use caches, not counted
    measure("sequential", lambda: [render_one(item) for item in batch], args.runs)
    with ProcessPoolExecutor(args.processes) as pool:
        list(pool.map(render_one, batch[: args.processes]))  # the workers start, not counted
        measure(
            f"{args.processes} processes",
            lambda: list(pool.map(render_one, batch, chunksize=8)),
            args.runs,
        )


if __name__ == "__main__":
    main()
