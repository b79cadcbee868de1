"""The year in figures on ten years of the network: 10,000 events and 200,000 bookings (the
large benchmark database of bench/large_seed.py, written in bulk through the project's
tables), then the organisers' figures page, its XLSX and the API's figures timed through
the app (ASGI, no network; middleware and gzip included). Not a test: it prints figures.

For last year and this year (Berlin): median and p95 of ``--runs`` requests after three
warm-ups, the answer's size, and what the year holds. SQLite in a temp dir always; then
PostgreSQL when ``--database-url`` or TEST_DATABASE_URL names a database (its schema is
DROPPED and recreated; names without "test" or "bench" are refused without ``--force``).

    .venv/bin/python bench/figures.py [--runs 20] [--scale 1.0]
    .venv/bin/python bench/figures.py --database-url postgresql+asyncpg://postgres@127.0.0.1/test_bench
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from large_seed import Size, seed_large
from scale import refuse_foreign
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from booking.app import create_app
from booking.bookings.models import Booking
from booking.core.db import create_engine, session_factory
from booking.core.formatting import BERLIN
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.members.tokens import issue_api_tokens
from booking.settings import Settings
from courses.figures.queries import counted_events, year_window

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')


@dataclass(frozen=True)
class Held:
    events: int
    bookings: int


async def organiser_and_token(url: str) -> tuple[str, str]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            email = await session.scalar(
                select(Member.email)
                .where(Member.role == "organiser", Member.status == "active")
                .order_by(Member.id)
            )
            if email is None:
                raise SystemExit("the database has no organiser")
            [token] = await issue_api_tokens(session, emails=[email], now=datetime.now(UTC))
            return email, token.token
    finally:
        await engine.dispose()


async def held(url: str, year: int) -> Held:
    """The events that count for ``year`` and their bookings."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            counted = counted_events(*year_window(year)).subquery()
            events = await session.scalar(select(func.count()).select_from(counted))
            bookings = await session.scalar(
                select(func.count())
                .select_from(Booking)
                .join(counted, counted.c.id == Booking.event_id)
            )
            return Held(events or 0, bookings or 0)
    finally:
        await engine.dispose()


async def sign_in(client: httpx.AsyncClient, url: str, email: str) -> None:
    """The real flow: the form, the link from the outbox, the confirming click."""
    form = await client.get("/anmelden")
    match = CSRF.search(form.text)
    assert match, "the sign-in form has no CSRF token"
    sent = await client.post("/anmelden", data={"csrf_token": match.group(1), "email": email})
    assert sent.status_code == 303, sent.text
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            context = await session.scalar(
                select(OutboxMessage.context)
                .where(OutboxMessage.recipient == email, OutboxMessage.template == "sign_in_link")
                .order_by(OutboxMessage.id.desc())
            )
    finally:
        await engine.dispose()
    assert context is not None, "no sign-in link in the outbox"
    link = str(context["link"]).removeprefix("http://bench")
    page = await client.get(link)
    csrf, token = CSRF.search(page.text), TOKEN.search(page.text)
    assert csrf and token, page.text
    done = await client.post(
        "/anmelden/link", data={"csrf_token": csrf.group(1), "token": token.group(1)}
    )
    assert done.status_code == 303, done.text


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def timed(
    client: httpx.AsyncClient, path: str, runs: int, headers: dict[str, str] | None = None
) -> tuple[list[float], int]:
    for _ in range(3):
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = await client.get(path, headers=headers)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return times, response.num_bytes_downloaded


async def measure(url: str, runs: int) -> None:
    this_year = datetime.now(UTC).astimezone(BERLIN).year
    email, token = await organiser_and_token(url)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            Settings(
                database_url=url, secret_key="bench-" + "x" * 40, base_url="http://bench",
                mail_dir=Path(tmp) / "mail", run_mail_sender=False, run_jobs=False,
            )
        )  # fmt: skip
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers={"Accept-Encoding": "gzip"}
        ) as client:
            await sign_in(client, url, email)
            for year in (this_year - 1, this_year):
                found = await held(url, year)
                print(f"  {year}: {found.events:,} events, {found.bookings:,} bookings")
                for name, path, headers in (
                    ("page", f"/verwaltung/zahlen?jahr={year}", None),
                    ("XLSX", f"/verwaltung/zahlen.xlsx?jahr={year}", None),
                    ("API", f"/api/v1/figures?year={year}", {"Authorization": f"Bearer {token}"}),
                ):
                    times, size = await timed(client, path, runs, headers)
                    print(
                        f"    {name:<5} median {statistics.median(times) * 1000:6.1f} ms, "
                        f"p95 {percentile(times, 0.95) * 1000:6.1f} ms, "
                        f"{size / 1024:5.1f} KiB sent"
                    )
        await app.state.app.engine.dispose()


def run(url: str, args: argparse.Namespace) -> None:
    backend = make_url(url).get_backend_name()
    print(f"{backend}: filling …", file=sys.stderr)
    started = time.perf_counter()
    seeded = asyncio.run(seed_large(url, Size().scaled(args.scale), args.seed))
    print(
        f"{backend}: {seeded.counts['events']:,} events, {seeded.counts['bookings']:,} bookings "
        f"(filled in {time.perf_counter() - started:.0f} s); median and p95 of {args.runs} "
        "requests"
    )
    asyncio.run(measure(url, args.runs))


def postgres(url: str | None) -> str | None:
    """``postgresql://…`` as the async driver needs it."""
    if url and url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="of 10,000 events, 200,000 bookings"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL") or None)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true", help="only the PostgreSQL database")
    args = parser.parse_args()
    args.database_url = postgres(args.database_url)
    if args.database_url:
        refuse_foreign(args.database_url, args.force)
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite+aiosqlite:///{Path(tmp) / 'figures.db'}", args)
    if args.database_url:
        run(args.database_url, args)


if __name__ == "__main__":
    main()
