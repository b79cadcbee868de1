"""A real server for race tests: ``sid serve`` with several worker processes on a free
loopback port, on a database of its own (a fresh SQLite file, or a fresh PostgreSQL
database next to the test database)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from booking.core import migrate
from booking.settings import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def fresh_database(kind: str, tmp_path: Path, pg_url: str | None) -> AsyncIterator[str]:
    """A migrated, empty database; dropped afterwards (PostgreSQL)."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'race.db'}"
        migrate.upgrade(url)
        yield url
        return
    assert pg_url is not None
    name = f"sid_race_{os.getpid()}"
    admin = create_async_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(url)
        yield url
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def sid(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "booking.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def server_env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="race-test-secret-" + "x" * 32,
        MAIL_DIR=str(tmp_path / "mail"),
        BASE_URL="http://127.0.0.1",
    )
    env.pop("SMTP_HOST", None)
    env.setdefault("MAIL_SENDER", os.environ.get("BENCH_MAIL_SENDER", "on"))
    env.update(extra)
    return env


@contextlib.contextmanager
def running_server(env: dict[str, str], workers: int = 2) -> Iterator[str]:
    """``sid serve --workers N`` on a free port; yields its base URL."""
    port = free_port()
    log = open(Path(env["MAIL_DIR"]).parent / f"server-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "booking.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, workers)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(base + "/api/v1/events", timeout=2).status_code == 200:
                # every worker imports the app on its own; give the last ones a moment
                time.sleep(1.0 if workers > 1 else 0)
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not come up within 60 s")


async def fire_at_once(
    client: httpx.AsyncClient,
    requests: Sequence[tuple[str, str, str] | tuple[str, str, str, dict[str, object]]],
) -> list[httpx.Response]:
    """Send (method, path, token[, JSON body]) requests together: all wait on one start
    signal."""
    start = asyncio.Event()

    async def one(
        method: str, path: str, token: str, body: dict[str, object] | None = None
    ) -> httpx.Response:
        await start.wait()
        return await client.request(
            method, path, headers={"Authorization": f"Bearer {token}"}, json=body or {}
        )

    tasks = [asyncio.create_task(one(*r)) for r in requests]
    await asyncio.sleep(0.1)
    start.set()
    return list(await asyncio.gather(*tasks))
