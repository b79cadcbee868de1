"""Real ``sid jobs worker`` processes on a PostgreSQL database of their own: each due run
happens exactly once while two of them race, and a run whose worker is killed midway is
taken again by the other after its lease and completes once.

The workers run the job list of :mod:`tests.booking.jobs.recording`, whose job notes each
start and end (slot and process id) in a file, so that every execution is seen from outside.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from booking.core.db import create_engine, session_factory
from booking.jobs.models import JobRun
from booking.settings import ROOT
from tests.concurrency.server import fresh_database, server_env
from tests.databases import postgres_url

pytestmark = pytest.mark.race

Note = tuple[str, str, int]
"""("start" or "end", slot, process id)."""


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[str]:
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL not set")
    async with fresh_database("postgresql", tmp_path, url) as fresh:
        yield fresh


def worker_env(database: str, tmp_path: Path, **recording: str) -> dict[str, str]:
    return server_env(
        database,
        tmp_path,
        JOBS_MODULE="tests.booking.jobs.recording",
        RECORDING_LOG=str(tmp_path / "runs.log"),
        **{f"RECORDING_{key.upper()}": value for key, value in recording.items()},
    )


class Workers:
    def __init__(self, env: dict[str, str], tmp_path: Path, count: int) -> None:
        self.tmp_path = tmp_path
        self.processes = []
        for n in range(count):
            output = (tmp_path / f"worker-{n}.out").open("w")
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "booking.cli", "jobs", "worker"],
                    env=env,
                    cwd=ROOT,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            output.close()

    def all_started(self) -> bool:
        return all(
            "Jobs laufen: recording" in (self.tmp_path / f"worker-{n}.out").read_text()
            for n in range(len(self.processes))
        )

    def by_pid(self, pid: int) -> subprocess.Popen[bytes]:
        [process] = [p for p in self.processes if p.pid == pid]
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def notes(tmp_path: Path) -> list[Note]:
    path = tmp_path / "runs.log"
    if not path.exists():
        return []
    result = []
    for line in path.read_text().splitlines():
        kind, slot, pid = line.split()
        result.append((kind, slot, int(pid)))
    return result


async def wait_until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s")
        await asyncio.sleep(0.05)


async def job_runs(database: str) -> list[JobRun]:
    engine = create_engine(database)
    try:
        async with session_factory(engine)() as session:
            return list(await session.scalars(select(JobRun).order_by(JobRun.due_at)))
    finally:
        await engine.dispose()


async def test_two_workers_racing_run_each_due_run_exactly_once(
    database: str, tmp_path: Path
) -> None:
    env = worker_env(database, tmp_path, every="1", seconds="0.3", lease="5")
    workers = Workers(env, tmp_path, 2)
    try:
        await wait_until(workers.all_started, 30)
        started = len({slot for kind, slot, _ in notes(tmp_path) if kind == "start"})
        await wait_until(
            lambda: (
                len({slot for kind, slot, _ in notes(tmp_path) if kind == "end"}) >= started + 5
            ),
            15,
        )
        assert [p.poll() for p in workers.processes] == [None, None]
    finally:
        workers.stop()

    seen = notes(tmp_path)
    starts = Counter(slot for kind, slot, _ in seen if kind == "start")
    ends = Counter(slot for kind, slot, _ in seen if kind == "end")
    assert set(starts.values()) == {1}, starts  # no slot ran twice
    assert set(ends.values()) == {1} and set(ends) <= set(starts)
    assert len(set(starts) - set(ends)) <= 1  # at most the run the stop interrupted
    # Whoever started a run ended it: no run changed hands.
    assert {(slot, pid) for kind, slot, pid in seen if kind == "end"} <= {
        (slot, pid) for kind, slot, pid in seen if kind == "start"
    }
    runs = await job_runs(database)
    assert [run.due_at.isoformat() for run in runs] == sorted(starts)
    assert {run.attempts for run in runs} == {1}
    finished = {run.due_at.isoformat() for run in runs if run.finished_at is not None}
    # Every run recorded as finished did its work; the stop may have come between the
    # last run's work and its record.
    assert finished <= set(ends) and len(set(starts) - finished) <= 1


async def test_a_run_whose_worker_is_killed_is_taken_again_after_its_lease_and_completes_once(
    database: str, tmp_path: Path
) -> None:
    # One slot in ten years: the run of the current slot is the only one due.
    env = worker_env(database, tmp_path, every=str(10 * 365 * 86400), seconds="3", lease="1.5")
    workers = Workers(env, tmp_path, 2)
    try:
        await wait_until(lambda: len(notes(tmp_path)) >= 1, 30)
        [(_, slot, first_pid)] = notes(tmp_path)
        killed = workers.by_pid(first_pid)
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()
        killed_at = time.monotonic()

        await wait_until(lambda: any(kind == "end" for kind, _, _ in notes(tmp_path)), 20)
        # Taken again only after the lease (1.5 s) the dead worker had last renewed.
        await asyncio.sleep(2)  # a slot done stays done
        [survivor] = [p for p in workers.processes if p is not killed]
        assert survivor.poll() is None
    finally:
        workers.stop()

    assert notes(tmp_path) == [
        ("start", slot, first_pid),
        ("start", slot, survivor.pid),
        ("end", slot, survivor.pid),
    ]
    assert time.monotonic() - killed_at >= 3  # the second run lasted its 3 s after the kill
    [run] = await job_runs(database)
    assert run.attempts == 2 and run.finished_at is not None and run.last_error == ""
    assert f":{survivor.pid}:" in run.holder
