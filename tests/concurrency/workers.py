"""A job's run in a process of its own, for the tests that race two of them and kill one
midway. Each module named here runs one job to its end on the database ``DATABASE_URL``
names, after PAUSE seconds per unit of work (its one argument), and prints as its last line
how many units it did."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from booking.settings import ROOT
from tests.concurrency.server import server_env


def start(module: str, url: str, tmp_path: Path, pause: float = 0.0) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", module, str(pause)],
        env=server_env(url, tmp_path), cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip


async def finished(process: subprocess.Popen[str], timeout: float = 180) -> int:
    """Wait for the run to end well; how many units it did."""
    out, _ = await asyncio.to_thread(process.communicate, timeout=timeout)
    assert process.returncode == 0, out
    return int(out.strip().splitlines()[-1])


async def racing(module: str, url: str, tmp_path: Path, pause: float = 0.0) -> list[int]:
    """Two runs started together; how many units each did."""
    first, second = start(module, url, tmp_path, pause), start(module, url, tmp_path, pause)
    return [await finished(first), await finished(second)]


async def killed_once(process: subprocess.Popen[str], begun: Callable[[], Awaitable[bool]]) -> None:
    """Kill the run (SIGKILL, no goodbye) as soon as ``begun`` says its work shows."""
    while not await begun():
        assert process.poll() is None, process.communicate()
        await asyncio.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
