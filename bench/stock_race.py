"""Door wedges going fast, measured next to the booking rush: N members of N fire brigades order
5 door wedges each at the same moment against a stock of S through the JSON API of a server
started as a user would (``sid serve``); then, against the same server, the booking rush of
bench/booking_rush.py (the same N members book an event with C seats).

Prints orders/s, latency percentiles, how many were accepted and refused, and whether the
stock ended at exactly zero with nothing oversold; then the rush's bookings/s. Not a test: it
prints figures.

    python bench/stock_race.py                          # SQLite, one worker
    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/test \\
        python bench/stock_race.py --workers 2           # PostgreSQL, two workers
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from booking_rush import cheapest, percentile, request  # noqa: E402
from booking_rush import rush as booking_rush  # noqa: E402
from booking_rush import seed as seed_rush  # noqa: E402
from sqlalchemy import func, select, update  # noqa: E402

from booking.core.db import create_engine, session_factory  # noqa: E402
from booking.organisations.models import Organisation  # noqa: E402
from materials.models import MaterialItem, MaterialOrderLine  # noqa: E402
from tests.concurrency.server import fresh_database, running_server, server_env  # noqa: E402

QUANTITY = 5


async def seed(url: str, members: int, seats: int, stock: int) -> tuple[int, int, list[str]]:
    """The rush's members and event; their organisations made fire brigades; the door wedges."""
    event_id, tokens = await seed_rush(url, members, seats)
    engine = create_engine(url)
    async with session_factory(engine)() as db:
        await db.execute(update(Organisation).values(sector="feuerwehr"))
        wedges = MaterialItem(
            name="Türkeil", description="", unit="Stück", picture="", stock=stock,
            emergency_services_only=True, yearly_limit=None, low_stock_threshold=0, active=True,
        )  # fmt: skip
        db.add(wedges)
        await db.commit()
        item_id = wedges.id
    await engine.dispose()
    return event_id, item_id, tokens


def order_body(item_id: int, member: int) -> bytes:
    brigade = f"Behörde {member % 20}"
    return json.dumps(
        {
            "items": [{"material_id": item_id, "quantity": QUANTITY}],
            "delivery_address": f"{brigade}\nFeuer- und Rettungswache 1\n50667 Köln",
        }
    ).encode()


async def race(host: str, port: int, item_id: int, tokens: list[str]) -> dict[str, object]:
    start = asyncio.Event()

    async def one(n: int, token: str) -> tuple[int, bytes, float]:
        await start.wait()
        return await request(host, port, "POST", "/api/v1/orders", token, order_body(item_id, n))

    tasks = [asyncio.create_task(one(n, t)) for n, t in enumerate(tokens)]
    await asyncio.sleep(0.2)
    began = time.perf_counter()
    start.set()
    results = await asyncio.gather(*tasks)
    wall = time.perf_counter() - began
    latencies = [r[2] for r in results]
    return {
        "wall": wall,
        "rate": len(tokens) / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "statuses": Counter(r[0] for r in results),
    }


async def stock_facts(url: str, item_id: int) -> tuple[int, int]:
    engine = create_engine(url)
    async with session_factory(engine)() as db:
        stock = await db.scalar(select(MaterialItem.stock).where(MaterialItem.id == item_id))
        held = await db.scalar(select(func.sum(MaterialOrderLine.quantity)))
    await engine.dispose()
    return int(stock or 0), int(held or 0)


async def main(args: argparse.Namespace) -> int:
    named = os.environ.get("DATABASE_URL", "")
    kind = "postgresql" if named.startswith("postgres") else "sqlite"
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "mail").mkdir()
        async with fresh_database(kind, tmp_path, named or None) as url:
            event_id, item_id, tokens = await seed(url, args.members, args.seats, args.stock)
            env = server_env(url, tmp_path)
            with running_server(env, workers=args.workers) as base:
                host, port = base.removeprefix("http://").split(":")
                await cheapest(host, int(port), 200, 20)  # warm up every worker
                stock_result = await race(host, int(port), item_id, tokens)
                rush_result = await booking_rush(host, int(port), event_id, tokens)
            stock, held = await stock_facts(url, item_id)
    accepted = stock_result["statuses"].get(201, 0)  # type: ignore[attr-defined]
    expected = min(args.members, args.stock // QUANTITY)
    oversold = max(0, held - args.stock)
    ok = accepted == expected and held == expected * QUANTITY and stock == args.stock - held
    print(f"database            {kind}, {args.workers} worker(s), {os.cpu_count()} CPU(s)")
    print(
        f"stock race          {args.members} orders of {QUANTITY} against a stock of {args.stock}"
    )
    rate, wall = stock_result["rate"], stock_result["wall"]
    print(f"orders/s            {rate:.0f}   ({args.members} in {wall:.2f} s)")
    print(
        "latency             p50 {:.0f} ms   p95 {:.0f} ms   p99 {:.0f} ms".format(
            stock_result["p50"] * 1000,
            stock_result["p95"] * 1000,
            stock_result["p99"] * 1000,  # type: ignore[operator]
        )
    )
    print(f"statuses            {dict(sorted(stock_result['statuses'].items()))}")  # type: ignore[attr-defined]
    print(
        f"accepted            {accepted} (expected {expected})   stock left {stock}   "
        f"oversold {oversold}   {'ok' if ok else 'NOT OK'}"
    )
    print(f"booking rush        {args.members} members x {args.seats} seats, same server")
    print(
        f"bookings/s          {rush_result['rate']:.0f}   ({args.members} in {rush_result['wall']:.2f} s)   "  # noqa: E501
        f"p99 {rush_result['p99'] * 1000:.0f} ms   confirmed {rush_result['confirmed']}"  # type: ignore[operator]
    )
    return 0 if ok and oversold == 0 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--stock", type=int, default=2000)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    raise SystemExit(asyncio.run(main(parser.parse_args())))
