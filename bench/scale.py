"""Cost that grows with the data, measured from outside: the demo data against ten years of
the network (1,000 organisations, 20,000 members, 10,000 events of which about 2,300 lie
ahead, 200,000 bookings, 200,000 sent mails), each served by ``sid serve`` as a user would
start it, with the same sequential requests. Prints p50/p95 and answer size per endpoint,
and the server's resident memory after start and after the run. Not a test: it prints
figures.

    .venv/bin/python bench/scale.py                          # SQLite files in a temp dir
    .venv/bin/python bench/scale.py --database-url postgresql+asyncpg://postgres@127.0.0.1/test_bench

On PostgreSQL (``--database-url`` or ``DATABASE_URL``) the schema of the named database is
DROPPED and recreated for the large data, and the demo goes into a database of the same
name with ``_demo`` appended, dropped again at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from large_seed import Size, reset_postgresql_schema, seed_large
from scale_measure import find_targets, run_all
from scale_server import running_server, server_env, sid
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

MIB = 2**20


def database_urls(named: str | None, tmp: Path) -> dict[str, str]:
    if not named or make_url(named).get_backend_name() == "sqlite":
        large = named or f"sqlite+aiosqlite:///{tmp / 'large.db'}"
        path = Path(make_url(large).database or tmp / "large.db")
        demo = f"sqlite+aiosqlite:///{path.with_name(path.stem + '_demo.db')}"
        return {"demo": demo, "large": large}
    url = make_url(named)
    demo = url.set(database=f"{url.database}_demo").render_as_string(hide_password=False)
    return {"demo": demo, "large": named}


async def _postgres_database(url: str, create: bool) -> None:
    """Create (or drop) the database ``url`` names, from a connection to the bench's own."""
    target = make_url(url)
    admin = create_async_engine(
        target.set(database=target.database.removesuffix("_demo") if target.database else None),
        isolation_level="AUTOCOMMIT",
    )
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            if create:
                await conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        await admin.dispose()


def refuse_foreign(url: str, force: bool) -> None:
    """The large data replaces what the database holds: only databases (or files) named for
    tests or benchmarks, unless ``--force`` says so."""
    name = make_url(url).database or ""
    if not force and not any(word in Path(name).name.lower() for word in ("test", "bench")):
        raise SystemExit(
            f"{name!r} is not named for tests or benchmarks, and its contents would be "
            "replaced; name one that is (e.g. test_bench) or add --force."
        )


def prepare(which: str, url: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Fill the database; what it took."""
    started = time.perf_counter()
    postgres = make_url(url).get_backend_name() == "postgresql"
    if which == "demo":
        if postgres:
            asyncio.run(_postgres_database(url, create=True))
        else:
            Path(make_url(url).database or "").unlink(missing_ok=True)
        sid(["demo"], server_env(url, work / "mail", 0))
        return {"seconds": round(time.perf_counter() - started, 1)}
    if postgres:
        asyncio.run(reset_postgresql_schema(url))
    else:
        Path(make_url(url).database or "").unlink(missing_ok=True)
    seeded = asyncio.run(seed_large(url, Size().scaled(args.scale), args.seed))
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "seconds_build": round(seeded.seconds_build, 1),
        "seconds_write": round(seeded.seconds_write, 1),
        "rows": seeded.counts,
    }


def measure_database(which: str, url: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    work = tmp / which
    work.mkdir(parents=True, exist_ok=True)
    print(f"[{which}] filling the database …", file=sys.stderr)
    report: dict[str, Any] = {"seed": prepare(which, url, args, work)}
    targets = asyncio.run(find_targets(url))
    report["targets"] = vars(targets)
    print(f"[{which}] filled in {report['seed']['seconds']} s; measuring …", file=sys.stderr)
    token = sid(["token", "--name", "bench", targets.member], server_env(url, work, 0)).split()[0]
    try:
        with running_server(url, work) as server:
            try:
                results, memory = run_all(
                    server, targets, token, args.requests, args.warmup, args.cycles
                )
            except Exception:
                report["failure"] = traceback.format_exc(limit=3)
                results, memory = [], {"at the failure": server.memory()}
            if not server.alive():
                report["failure"] = (
                    f"sid serve exited with {server.process.returncode}:\n{server.log_tail()}"
                )
            errors = [r for r in results if any(s >= 500 for s in r.statuses)]
            if errors:
                report["server_log"] = server.log_tail(60)
    finally:
        if which == "demo" and make_url(url).get_backend_name() == "postgresql":
            asyncio.run(_postgres_database(url, create=False))
    report["results"] = [r.as_dict() for r in results]
    report["memory"] = memory
    return report


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _cell(row: dict[str, Any] | None) -> str:
    if row is None or row["p50_ms"] is None:
        return "—"
    text = f"{_ms(row['p50_ms'])} / {_ms(row['p95_ms'])} ms"
    bad = {k: v for k, v in row["statuses"].items() if not k.startswith(("2", "3"))}
    return text + (f" ({', '.join(f'{v}× {k}' for k, v in bad.items())})" if bad else "")


def _size(row: dict[str, Any] | None) -> str:
    if row is None or row["bytes"] is None:
        return "—"
    text = _bytes(row["bytes"])
    return text + (f" (gzip {_bytes(row['bytes_gzip'])})" if row["bytes_gzip"] else "")


def _bytes(count: int) -> str:
    if count >= MIB:
        return f"{count / MIB:.1f} MiB"
    return f"{count / 1024:.0f} KiB" if count >= 10_240 else f"{count} B"


def _memory(memory: dict[str, dict[str, int]]) -> str:
    return "; ".join(
        f"{when} {m.get('VmRSS', 0) / MIB:.0f} MiB resident (peak {m.get('VmHWM', 0) / MIB:.0f})"
        for when, m in memory.items()
    )


def print_table(report: dict[str, Any]) -> None:
    runs = report["runs"]
    kinds = [k for k in ("demo", "large") if k in runs]
    print(f"\n{report['database']} · {report['machine']}")
    print(f"{report['requests']} sequential requests per endpoint after {report['warmup']} warm-up")
    for kind in kinds:
        seed = runs[kind]["seed"]
        rows = ", ".join(f"{v:,} {k}" for k, v in seed.get("rows", {}).items() if v >= 1000)
        print(f"{kind}: filled in {seed['seconds']} s" + (f" ({rows})" if rows else ""))
    by_kind = {k: {row["label"]: row for row in runs[k]["results"]} for k in kinds}
    labels = list(dict.fromkeys(label for k in kinds for label in by_kind[k]))
    table = [["endpoint", *(f"{k} p50 / p95" for k in kinds), f"size ({kinds[-1]})"]]
    for label in labels:
        cells = [label, *(_cell(by_kind[k].get(label)) for k in kinds)]
        table.append([*cells, _size(by_kind[kinds[-1]].get(label))])
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for n, row in enumerate(table):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for kind in kinds:
        print(f"memory, {kind}: {_memory(runs[kind]['memory'])}")
    for kind in kinds:
        for row in runs[kind]["results"]:
            if row["note"]:
                print(f"note, {kind}: {row['label']}: {row['note']}")
        if "failure" in runs[kind]:
            print(f"FAILURE, {kind}:\n{runs[kind]['failure']}")
        if "server_log" in runs[kind]:
            print(f"server log, {kind} (answers 5xx):\n{runs[kind]['server_log']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--only", choices=("large", "demo"))
    parser.add_argument("--requests", type=int, default=30, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--cycles", type=int, default=10, help="book-and-cancel rounds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="size of the large data")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument(
        "--force", action="store_true", help="replace a database not named for tests"
    )
    args = parser.parse_args()
    kinds = [args.only] if args.only else ["demo", "large"]
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        urls = database_urls(args.database_url, Path(tmp))
        if args.database_url:
            refuse_foreign(urls["large"], args.force)
        backend = make_url(urls["large"]).get_backend_name()
        report: dict[str, Any] = {
            "database": "PostgreSQL" if backend == "postgresql" else "SQLite",
            "machine": f"{platform.machine()}, {os.cpu_count()} CPU(s), Python "
            f"{platform.python_version()}",
            "requests": args.requests,
            "warmup": args.warmup,
            "runs": {},
        }
        for kind in kinds:
            report["runs"][kind] = measure_database(kind, urls[kind], args, Path(tmp))
    print_table(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    failed = any("failure" in run for run in report["runs"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
