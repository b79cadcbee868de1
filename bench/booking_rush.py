"""The moment a popular training opens, measured: N members book an event with C seats at
the same moment through the JSON API of a server started as a user would (``sid serve``).

Prints bookings/s, latency percentiles, errors, whether exactly C were confirmed, and — in
the same run, against the same server — requests/s of the cheapest endpoint (/healthz), so
the ratio can be compared across machines. Not a test: it prints figures.

    python bench/booking_rush.py                       # SQLite, one worker
    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/test \\
        python bench/booking_rush.py --workers 2        # PostgreSQL, two workers

On PostgreSQL a fresh database is created next to the one named and dropped afterwards.
The client is a small raw HTTP/1.1 client on asyncio (with uvloop when installed, as it is
with uvicorn's standard extras) so that it costs the shared CPU as little as possible; it
runs on the same machine as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from booking.bookings.models import Booking  # noqa: E402
from booking.core.db import create_engine, session_factory, utcnow  # noqa: E402
from booking.members.models import ApiToken, Member  # noqa: E402
from booking.members.tokens import hash_token  # noqa: E402
from booking.organisations.models import Organisation, OrganisationDomain  # noqa: E402
from courses.models import Event, EventSession  # noqa: E402
from tests.concurrency.server import fresh_database, running_server, server_env  # noqa: E402


async def seed(url: str, members: int, seats: int) -> tuple[int, list[str]]:
    engine = create_engine(url)
    tokens = [f"sid_bench{i:06d}" + "x" * 20 for i in range(members)]
    async with session_factory(engine)() as db:
        orgs = [
            Organisation(name=f"Behörde {n}", sector="verwaltung", region="Münster")
            for n in range(20)
        ]
        for n, org in enumerate(orgs):
            org.domains.append(OrganisationDomain(domain=f"behoerde{n}.example"))
        db.add_all(orgs)
        await db.flush()
        people = [
            Member(
                email=f"m{i:05d}@behoerde{i % 20}.example",
                first_name="M",
                last_name=str(i),
                organisation_id=orgs[i % 20].id,
            )
            for i in range(members)
        ]
        db.add_all(people)
        await db.flush()
        db.add_all(
            ApiToken(
                member_id=p.id,
                token_hash=hash_token(t),
                expires_at=utcnow() + timedelta(days=1),
            )
            for p, t in zip(people, tokens, strict=True)
        )
        start = utcnow() + timedelta(days=30)
        event = Event(kind="training", status="published", title="BIUS I", capacity=seats)
        event.sessions = [EventSession(starts_at=start, ends_at=start + timedelta(hours=7))]
        db.add(event)
        await db.commit()
        event_id = event.id
    await engine.dispose()
    return event_id, tokens


async def request(
    host: str, port: int, method: str, path: str, token: str | None = None, body: bytes = b""
) -> tuple[int, bytes, float]:
    """One HTTP/1.1 request on its own connection; returns status, body, seconds."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    elapsed = time.perf_counter() - started
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data.partition(b"\r\n\r\n")[2], elapsed


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def rush(host: str, port: int, event_id: int, tokens: list[str]) -> dict[str, object]:
    start = asyncio.Event()

    async def one(token: str) -> tuple[int, bytes, float]:
        await start.wait()
        return await request(
            host, port, "POST", f"/api/v1/events/{event_id}/bookings", token, b"{}"
        )

    tasks = [asyncio.create_task(one(t)) for t in tokens]
    await asyncio.sleep(0.2)
    began = time.perf_counter()
    start.set()
    results = await asyncio.gather(*tasks)
    wall = time.perf_counter() - began
    latencies = [r[2] for r in results]
    statuses = [r[0] for r in results]
    confirmed = sum(
        1
        for status, body, _ in results
        if status == 201 and json.loads(body)["status"] == "confirmed"
    )
    return {
        "wall": wall,
        "rate": len(tokens) / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "errors": sum(1 for s in statuses if s != 201),
        "statuses": sorted(set(statuses)),
        "confirmed": confirmed,
    }


async def burst(host: str, port: int, count: int) -> tuple[float, float]:
    """``count`` simultaneous GET /healthz: requests/s and p99 — the floor of a rush here."""
    start = asyncio.Event()

    async def one() -> tuple[int, bytes, float]:
        await start.wait()
        return await request(host, port, "GET", "/healthz")

    tasks = [asyncio.create_task(one()) for _ in range(count)]
    await asyncio.sleep(0.2)
    began = time.perf_counter()
    start.set()
    results = await asyncio.gather(*tasks)
    wall = time.perf_counter() - began
    assert all(status == 200 for status, _, _ in results)
    return count / wall, percentile([r[2] for r in results], 99)


async def cheapest(host: str, port: int, total: int, concurrency: int) -> float:
    queue = iter(range(total))

    async def worker() -> None:
        for _ in queue:
            status, _, _ = await request(host, port, "GET", "/healthz")
            assert status == 200

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - began)


def server_peak_memory(port: int) -> int | None:
    """The highest peak resident memory (VmHWM, bytes) of the processes of the server that
    listens on ``port``: the one started with that port and its workers. Linux only."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    groups: dict[int, list[int]] = {}
    leader = None
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        groups.setdefault(int(stat[2]), []).append(int(entry.name))
        if b"serve" in args and str(port).encode() in args:
            leader = int(entry.name)
    peaks = []
    for pid in groups.get(leader, []) if leader is not None else []:
        try:
            for line in (proc / str(pid) / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) * 1024)
        except OSError:
            continue
    return max(peaks, default=None)


async def confirmed_in_database(url: str, event_id: int) -> int:
    engine = create_engine(url)
    async with session_factory(engine)() as db:
        count = await db.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.event_id == event_id, Booking.status == "confirmed")
        )
    await engine.dispose()
    return int(count or 0)


async def main(args: argparse.Namespace) -> int:
    named = os.environ.get("DATABASE_URL", "")
    kind = "postgresql" if named.startswith("postgres") else "sqlite"
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "mail").mkdir()
        async with fresh_database(kind, tmp_path, named or None) as url:
            event_id, tokens = await seed(url, args.members, args.seats)
            env = server_env(url, tmp_path)
            with running_server(env, workers=args.workers) as base:
                host, port = base.removeprefix("http://").split(":")
                await cheapest(host, int(port), 200, 20)  # warm up every worker
                result = await rush(host, int(port), event_id, tokens)
                cheap = await cheapest(host, int(port), args.cheap_requests, 50)
                floor_rate, floor_p99 = await burst(host, int(port), args.members)
                peak = server_peak_memory(int(port))
            in_db = await confirmed_in_database(url, event_id)
    ok = result["confirmed"] == args.seats == in_db and result["errors"] == 0
    print(f"database            {kind}, {args.workers} worker(s), {os.cpu_count()} CPU(s)")
    print(f"members x seats     {args.members} x {args.seats}")
    print(f"bookings/s          {result['rate']:.0f}   ({args.members} in {result['wall']:.2f} s)")
    print(
        "latency             p50 {:.0f} ms   p95 {:.0f} ms   p99 {:.0f} ms".format(
            result["p50"] * 1000,
            result["p95"] * 1000,
            result["p99"] * 1000,  # type: ignore[operator]
        )
    )
    print(f"errors              {result['errors']}   statuses {result['statuses']}")
    print(
        f"confirmed           {result['confirmed']} (database: {in_db})   "
        f"== seats: {'yes' if ok else 'NO'}"
    )
    print(f"/healthz req/s      {cheap:.0f}   (50 at a time)")
    print(
        f"/healthz burst      {floor_rate:.0f} req/s, p99 {floor_p99 * 1000:.0f} ms   "
        f"({args.members} at the same moment: the floor of a rush on this machine)"
    )
    print(f"ratio               {result['rate'] / cheap:.2f} bookings per cheapest request")  # type: ignore[operator]
    if peak is not None:
        print(f"server memory       {peak / 2**20:.0f} MiB peak resident, per process")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--cheap-requests", type=int, default=3000)
    try:  # the client's own cost comes off the shared CPU: uvloop where it is installed
        import uvloop
    except ImportError:
        raise SystemExit(asyncio.run(main(parser.parse_args()))) from None
    raise SystemExit(uvloop.run(main(parser.parse_args())))
