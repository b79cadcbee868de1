"""The scheduler: which run of a job is due, claiming it with a lease, running it, the loop.

Time is cut into slots per job: a job that runs every 15 minutes has slots at 09:00, 09:15,
… (counted in UTC from the Unix epoch, shifted by the job's offset). The run of the current
slot is due until it has finished. A process claims it by inserting its row into
``job_runs`` (the unique (job, due_at) lets only one process do so), or, when the row
exists unfinished and its lease has expired, by taking it over with a conditional UPDATE.
Both happen in a write transaction: on PostgreSQL the insert waits for a concurrent insert
of the same slot and then does nothing, and the UPDATE re-checks its condition after
waiting for a concurrent one, so one process wins; on SQLite ``BEGIN IMMEDIATE`` lets one
writer in at a time.

While a run lasts, its holder renews the lease every third of its length. A process killed
mid-run stops renewing, and the run is taken again once the lease has expired. A holder
that finds its run taken by another (it stalled for longer than the lease) stops its work.
Jobs are idempotent, so a run taken again after a crash does no harm.

A run that fails is finished with its error recorded, and the job runs again at its next
slot; a slot missed while no process was running is not made up, the next one covers it.
Nothing a job raises stops the loop. Logs and ``last_error`` name the kind of error and
where it arose, never its message, which may quote personal data.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import secrets
import socket
import traceback
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.core.db import utcnow
from booking.core.transactions import write_transaction
from booking.jobs.models import JobRun
from booking.settings import ROOT

log = logging.getLogger("booking.jobs")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
GIVE_WAY_SECONDS = 1.0
"""In ``sid serve``: how long a run waits for a moment without requests before it starts."""
MAX_SLEEP_SECONDS = 60.0
RETRY_SECONDS = 10.0
"""After the scheduler itself failed (say, the database was away), look again this soon."""

GiveWay = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class JobContext:
    """What a job is handed: sessions of its own, the time of the run, its slot."""

    sessions: async_sessionmaker[AsyncSession]
    now: datetime
    due_at: datetime
    give_way: GiveWay | None = None
    """In ``sid serve``: wait for a moment without requests in flight (at most the seconds
    given); ``None`` in a worker of its own."""


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[JobContext], Coroutine[Any, Any, str]]
    """Does the work, idempotently; returns a short summary without personal data."""
    offset: timedelta = timedelta(0)
    """Shifts the slots: ``every=1 day, offset=3 hours`` runs at 03:00 UTC."""
    lease: timedelta = timedelta(minutes=2)
    """How long a run is held without renewal: a killed run is taken again after this."""

    def __post_init__(self) -> None:
        if self.every <= timedelta(0) or self.lease <= timedelta(0):
            raise ValueError(f"job {self.name}: every and lease must be positive")

    def slot(self, now: datetime) -> datetime:
        """The latest slot at or before ``now``."""
        count = (now - EPOCH - self.offset) // self.every
        return EPOCH + self.offset + count * self.every


def load_jobs(module_path: str) -> tuple[Job, ...]:
    """The ``JOBS`` tuple of a module (``booking.jobs.schedule`` unless tests name another)."""
    jobs = getattr(importlib.import_module(module_path), "JOBS", None)
    if not isinstance(jobs, tuple) or not all(isinstance(job, Job) for job in jobs):
        raise ValueError(f"{module_path}.JOBS must be a tuple of Job")
    names = [job.name for job in jobs]
    if len(set(names)) != len(names):
        raise ValueError(f"{module_path}.JOBS names a job twice")
    return jobs


def make_holder() -> str:
    """Who holds a lease: host, process and a random part (a process id can come back)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


def describe(exc: BaseException) -> str:
    """The kind of error and the project line where it arose, never the message.

    "IntegrityError in booking/jobs/sweep.py:52": a message may quote personal data (a
    failed INSERT names its values), and it would end up in logs and in ``last_error``.
    """
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename.startswith(str(ROOT)) and "site-packages" not in frame.filename
    ]
    if not frames:
        return type(exc).__name__
    where = os.path.relpath(frames[-1].filename, ROOT)
    return f"{type(exc).__name__} in {where}:{frames[-1].lineno}"


# -- leases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    run_id: int | None
    """The run now held by the caller; ``None`` when another holds it or it has finished."""
    retry_at: datetime
    """When to look again: the end of another's lease, or the job's next slot."""


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    job: Job,
    due_at: datetime,
    holder: str,
    now: datetime,
) -> Claim:
    """Take the run of ``job`` for the slot ``due_at``, if it is free to take."""
    lease_until = now + job.lease
    async with sessions() as session, write_transaction(session):
        bind = session.bind
        assert bind is not None
        insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
        run_id = await session.scalar(
            insert(JobRun)
            .values(
                job=job.name,
                due_at=due_at,
                holder=holder,
                lease_until=lease_until,
                started_at=now,
                attempts=1,
                last_error="",
            )
            .on_conflict_do_nothing(index_elements=["job", "due_at"])
            .returning(JobRun.id)
        )
        if run_id is None:
            # The row exists: take it over only if it is unfinished and its lease is over.
            run_id = await session.scalar(
                update(JobRun)
                .where(
                    JobRun.job == job.name,
                    JobRun.due_at == due_at,
                    JobRun.finished_at.is_(None),
                    JobRun.lease_until <= now,
                )
                .values(
                    holder=holder,
                    lease_until=lease_until,
                    started_at=now,
                    attempts=JobRun.attempts + 1,
                )
                .returning(JobRun.id)
                .execution_options(synchronize_session=False)
            )
        if run_id is not None:
            return Claim(run_id, lease_until)
        held_until = await session.scalar(
            select(JobRun.lease_until).where(
                JobRun.job == job.name, JobRun.due_at == due_at, JobRun.finished_at.is_(None)
            )
        )
    next_slot = due_at + job.every
    return Claim(None, min(held_until, next_slot) if held_until is not None else next_slot)


async def _update_held(
    sessions: async_sessionmaker[AsyncSession], run_id: int, holder: str, **values: object
) -> bool:
    """Change the run while ``holder`` still holds it; False when it is no longer theirs."""
    async with sessions() as session, write_transaction(session):
        changed = await session.scalar(
            update(JobRun)
            .where(JobRun.id == run_id, JobRun.holder == holder, JobRun.finished_at.is_(None))
            .values(**values)
            .returning(JobRun.id)
            .execution_options(synchronize_session=False)
        )
    return changed is not None


async def renew(
    sessions: async_sessionmaker[AsyncSession], run_id: int, holder: str, lease_until: datetime
) -> bool:
    return await _update_held(sessions, run_id, holder, lease_until=lease_until)


async def finish(
    sessions: async_sessionmaker[AsyncSession],
    run_id: int,
    holder: str,
    now: datetime,
    error: str = "",
) -> bool:
    return await _update_held(
        sessions, run_id, holder, finished_at=now, lease_until=None, last_error=error
    )


async def release(
    sessions: async_sessionmaker[AsyncSession], run_id: int, holder: str, now: datetime
) -> bool:
    """Give an unfinished run back at once (the process is shutting down)."""
    return await _update_held(sessions, run_id, holder, lease_until=now)


# -- running ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    job: str
    due_at: datetime
    summary: str = ""
    error: str = ""
    completed: bool = True
    """False when the run was stopped because another process had taken it over."""


async def execute(
    sessions: async_sessionmaker[AsyncSession],
    job: Job,
    run_id: int,
    due_at: datetime,
    holder: str,
    give_way: GiveWay | None = None,
) -> Outcome:
    """Run a claimed run, renewing its lease meanwhile, and record how it ended."""
    context = JobContext(sessions=sessions, now=utcnow(), due_at=due_at, give_way=give_way)
    work = asyncio.create_task(job.run(context))
    lost = asyncio.Event()
    keeper = asyncio.create_task(_keep_lease(sessions, job, run_id, holder, work, lost))
    try:
        summary = await work
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if lost.is_set() and not (current is not None and current.cancelling()):
            log.warning("job %s: run taken over by another process, stopped", job.name)
            return Outcome(job.name, due_at, error="taken over", completed=False)
        work.cancel()
        with contextlib.suppress(Exception):
            await release(sessions, run_id, holder, utcnow())
        raise
    except Exception as exc:  # recorded, retried at the next slot; never stops the runner
        error = describe(exc)
        log.error("job %s failed: %s", job.name, error)
        await finish(sessions, run_id, holder, utcnow(), error)
        return Outcome(job.name, due_at, error=error)
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
    await finish(sessions, run_id, holder, utcnow())
    log.info("job %s done: %s", job.name, summary)
    return Outcome(job.name, due_at, summary=summary)


async def _keep_lease(
    sessions: async_sessionmaker[AsyncSession],
    job: Job,
    run_id: int,
    holder: str,
    work: asyncio.Task[str],
    lost: asyncio.Event,
) -> None:
    interval = job.lease.total_seconds() / 3
    while True:
        await asyncio.sleep(interval)
        try:
            held = await renew(sessions, run_id, holder, utcnow() + job.lease)
        except Exception as exc:  # the database away for a moment: try again
            log.warning("job %s: lease not renewed: %s", job.name, describe(exc))
            continue
        if not held:
            lost.set()
            work.cancel()
            return


async def run_now(
    sessions: async_sessionmaker[AsyncSession], job: Job, holder: str | None = None
) -> Outcome:
    """Run a job once, now, outside its slots (``sid jobs run NAME``)."""
    holder = holder or make_holder()
    now = utcnow()
    claimed = await claim(sessions, job, now, holder, now)
    if claimed.run_id is None:  # another run was asked for in the same microsecond
        return Outcome(job.name, now, error="already running", completed=False)
    return await execute(sessions, job, claimed.run_id, now, holder)


async def tend(
    sessions: async_sessionmaker[AsyncSession],
    job: Job,
    holder: str,
    give_way: GiveWay | None = None,
) -> datetime:
    """Run the job's current slot if it is due and this process gets it; returns when to
    look at the job again."""
    try:
        if give_way is not None:
            await give_way(GIVE_WAY_SECONDS)
        now = utcnow()
        due_at = job.slot(now)
        claimed = await claim(sessions, job, due_at, holder, now)
        if claimed.run_id is None:
            return claimed.retry_at
        await execute(sessions, job, claimed.run_id, due_at, holder, give_way)
        return due_at + job.every
    except Exception as exc:
        log.error("job %s: scheduler failed: %s", job.name, describe(exc))
        return utcnow() + timedelta(seconds=RETRY_SECONDS)


async def run_jobs(
    sessions: async_sessionmaker[AsyncSession],
    jobs: Sequence[Job],
    give_way: GiveWay | None = None,
    holder: str | None = None,
) -> None:
    """Run every job at each of its slots, until cancelled (in ``sid serve`` and in
    ``sid jobs worker``). Jobs run one after another; each sleeps until it is due."""
    holder = holder or make_holder()
    check_at = {job.name: EPOCH for job in jobs}
    while True:
        for job in jobs:
            if check_at[job.name] <= utcnow():
                check_at[job.name] = await tend(sessions, job, holder, give_way)
        if not check_at:
            await asyncio.sleep(MAX_SLEEP_SECONDS)
            continue
        wait = (min(check_at.values()) - utcnow()).total_seconds()
        await asyncio.sleep(min(max(wait, 0.0), MAX_SLEEP_SECONDS))
