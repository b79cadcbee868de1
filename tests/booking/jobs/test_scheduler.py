"""Claiming due runs with leases, taking them again after a lease, recording how they end."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from booking.core.db import session_factory, utcnow
from booking.jobs.models import JobRun
from booking.jobs.queries import status_line, statuses
from booking.jobs.scheduler import (
    Job,
    JobContext,
    claim,
    execute,
    load_jobs,
    run_jobs,
    run_now,
)

SLOT = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
SECRET = "jana.schulte@stadt-muenster.example"


async def nothing(context: JobContext) -> str:
    return "nichts zu tun"


def every_quarter_hour(**fields: object) -> Job:
    return Job(name="quarter", every=timedelta(minutes=15), run=nothing, **fields)  # type: ignore[arg-type]


async def runs(db: AsyncSession) -> list[JobRun]:
    await db.commit()  # a fresh snapshot: the scheduler writes through sessions of its own
    return list(
        await db.scalars(
            select(JobRun).order_by(JobRun.id).execution_options(populate_existing=True)
        )
    )


def test_slots_are_counted_from_the_epoch_with_the_jobs_offset() -> None:
    job = every_quarter_hour()
    assert job.slot(datetime(2026, 3, 12, 9, 14, 59, tzinfo=UTC)) == SLOT
    assert job.slot(SLOT) == SLOT
    assert job.slot(datetime(2026, 3, 12, 9, 15, tzinfo=UTC)) == SLOT + timedelta(minutes=15)
    nightly = Job(name="nightly", every=timedelta(days=1), offset=timedelta(hours=3), run=nothing)
    assert nightly.slot(datetime(2026, 3, 12, 2, 59, tzinfo=UTC)) == datetime(
        2026, 3, 11, 3, tzinfo=UTC
    )
    with pytest.raises(ValueError):
        Job(name="never", every=timedelta(0), run=nothing)


async def test_a_due_run_is_claimed_once_and_others_wait_for_the_lease(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    sessions = session_factory(engine)
    job = every_quarter_hour(lease=timedelta(minutes=2))
    now = SLOT + timedelta(seconds=5)

    first = await claim(sessions, job, SLOT, "a", now)
    second = await claim(sessions, job, SLOT, "b", now + timedelta(seconds=1))

    assert first.run_id is not None
    assert second.run_id is None
    assert second.retry_at == now + timedelta(minutes=2)  # the end of a's lease
    [run] = await runs(db)
    assert (run.job, run.due_at, run.holder, run.attempts) == ("quarter", SLOT, "a", 1)
    assert run.lease_until == now + timedelta(minutes=2) and run.finished_at is None


async def test_claims_racing_at_once_give_the_run_to_exactly_one(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    sessions = session_factory(engine)
    job = every_quarter_hour()

    claims = await asyncio.gather(
        *(claim(sessions, job, SLOT, f"holder-{n}", SLOT) for n in range(8))
    )

    assert len([c for c in claims if c.run_id is not None]) == 1
    assert len(await runs(db)) == 1


async def test_an_expired_lease_lets_another_take_the_run_again(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    sessions = session_factory(engine)
    job = every_quarter_hour(lease=timedelta(minutes=2))
    taken = await claim(sessions, job, SLOT, "killed", SLOT)

    still_held = await claim(sessions, job, SLOT, "b", SLOT + timedelta(seconds=119))
    again = await claim(sessions, job, SLOT, "b", SLOT + timedelta(minutes=2))

    assert still_held.run_id is None
    assert again.run_id == taken.run_id
    [run] = await runs(db)
    assert (run.holder, run.attempts) == ("b", 2)
    assert run.lease_until == SLOT + timedelta(minutes=4)


async def test_a_finished_run_is_not_taken_again_but_the_next_slot_is_due(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    sessions = session_factory(engine)
    job = every_quarter_hour()
    taken = await claim(sessions, job, SLOT, "a", SLOT)
    assert taken.run_id is not None
    outcome = await execute(sessions, job, taken.run_id, SLOT, "a")
    assert outcome.summary == "nichts zu tun" and outcome.error == ""

    later = SLOT + timedelta(hours=1)  # long after any lease
    done = await claim(sessions, job, SLOT, "b", later)
    following = await claim(sessions, job, SLOT + timedelta(minutes=15), "b", later)

    assert done.run_id is None and done.retry_at == SLOT + timedelta(minutes=15)
    assert following.run_id is not None
    first, second = await runs(db)
    assert first.finished_at is not None and first.lease_until is None
    assert first.last_error == ""
    assert second.due_at == SLOT + timedelta(minutes=15)


async def test_a_failure_is_recorded_without_its_message_and_retried_at_the_next_slot(
    db: AsyncSession, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    sessions = session_factory(engine)

    async def broken(context: JobContext) -> str:
        raise RuntimeError(SECRET)

    job = Job(name="broken", every=timedelta(minutes=15), run=broken)
    taken = await claim(sessions, job, SLOT, "a", SLOT)
    assert taken.run_id is not None

    with caplog.at_level(logging.INFO, logger="booking.jobs"):
        outcome = await execute(sessions, job, taken.run_id, SLOT, "a")

    assert outcome.error.startswith("RuntimeError in tests/booking/jobs/test_scheduler.py:")
    [run] = await runs(db)
    assert run.finished_at is not None and run.last_error == outcome.error
    assert SECRET not in caplog.text and "RuntimeError" in caplog.text
    assert (await claim(sessions, job, SLOT, "b", SLOT + timedelta(hours=1))).run_id is None
    next_slot = SLOT + timedelta(minutes=15)
    assert (await claim(sessions, job, next_slot, "b", next_slot)).run_id is not None


async def test_the_runner_survives_a_failing_job_and_runs_it_again_at_its_next_slot(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    calls: list[datetime] = []

    async def fails_first(context: JobContext) -> str:
        calls.append(context.due_at)
        if len(calls) == 1:
            raise ValueError(SECRET)
        return "gut"

    job = Job(name="flaky", every=timedelta(milliseconds=300), run=fails_first)
    runner = asyncio.create_task(run_jobs(session_factory(engine), [job]))
    try:
        for _ in range(100):
            await asyncio.sleep(0.05)
            if len(calls) >= 3:
                break
        assert not runner.done()
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner

    assert len(calls) >= 3 and len(set(calls)) == len(calls)  # one run per slot
    finished = [run for run in await runs(db) if run.finished_at is not None]
    assert finished[0].last_error.startswith("ValueError in ")
    assert SECRET not in finished[0].last_error
    assert [run.last_error for run in finished[1:]] == [""] * (len(finished) - 1)


async def test_a_run_keeps_its_lease_while_it_lasts(db: AsyncSession, engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    release = asyncio.Event()

    async def slow(context: JobContext) -> str:
        await release.wait()
        return "fertig"

    job = Job(name="slow", every=timedelta(hours=1), lease=timedelta(seconds=0.6), run=slow)
    started = utcnow()
    taken = await claim(sessions, job, SLOT, "a", started)
    assert taken.run_id is not None
    running = asyncio.create_task(execute(sessions, job, taken.run_id, SLOT, "a"))
    await asyncio.sleep(1.2)  # twice the lease

    assert (await claim(sessions, job, SLOT, "b", utcnow())).run_id is None
    [run] = await runs(db)
    assert run.lease_until is not None and run.lease_until > utcnow()
    release.set()
    assert (await running).summary == "fertig"
    [run] = await runs(db)
    assert run.holder == "a" and run.attempts == 1 and run.finished_at is not None


async def test_a_run_taken_over_by_another_process_is_stopped(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    sessions = session_factory(engine)
    stopped = asyncio.Event()

    async def endless(context: JobContext) -> str:
        try:
            await asyncio.sleep(60)
        finally:
            stopped.set()
        return "nie"

    job = Job(name="endless", every=timedelta(hours=1), lease=timedelta(seconds=0.3), run=endless)
    taken = await claim(sessions, job, SLOT, "a", utcnow())
    assert taken.run_id is not None
    running = asyncio.create_task(execute(sessions, job, taken.run_id, SLOT, "a"))
    await asyncio.sleep(0.05)
    # "a" stalled beyond its lease and "b" took the run over.
    await db.execute(update(JobRun).values(holder="b", attempts=2))
    await db.commit()

    outcome = await asyncio.wait_for(running, 5)

    assert not outcome.completed and stopped.is_set()
    [run] = await runs(db)
    assert run.holder == "b" and run.finished_at is None  # b's to finish, not a's


async def test_a_cancelled_run_gives_its_lease_back_at_once(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    sessions = session_factory(engine)
    started = asyncio.Event()

    async def long(context: JobContext) -> str:
        started.set()
        await asyncio.sleep(60)
        return "nie"

    job = Job(name="long", every=timedelta(hours=1), lease=timedelta(minutes=5), run=long)
    taken = await claim(sessions, job, SLOT, "a", utcnow())
    assert taken.run_id is not None
    running = asyncio.create_task(execute(sessions, job, taken.run_id, SLOT, "a"))
    await started.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    again = await claim(sessions, job, SLOT, "b", utcnow())
    assert again.run_id == taken.run_id
    [run] = await runs(db)
    assert run.holder == "b" and run.attempts == 2


async def test_run_now_runs_outside_the_slots_and_is_recorded(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    sessions = session_factory(engine)
    job = every_quarter_hour()
    first = await run_now(sessions, job)
    second = await run_now(sessions, job)
    assert first.summary == second.summary == "nichts zu tun"
    assert [(r.job, r.finished_at is not None) for r in await runs(db)] == [
        ("quarter", True),
        ("quarter", True),
    ]


async def status_of(sessions: async_sessionmaker[AsyncSession], job: Job, now: datetime) -> str:
    [status] = await statuses(sessions, [job], now)
    return status_line(status, now)


async def test_status_lines_name_the_job_then_its_last_and_next_run(
    engine: AsyncEngine,
) -> None:
    sessions = session_factory(engine)
    job = every_quarter_hour(lease=timedelta(minutes=2))
    now = SLOT + timedelta(minutes=1)  # 10:01 in Berlin

    assert await status_of(sessions, job, now) == (
        "quarter  zuletzt: noch nie  nächster Lauf: Do., 12.03.2026, 10:00 Uhr (fällig)"
    )
    taken = await claim(sessions, job, SLOT, "a", now)
    assert await status_of(sessions, job, now) == (
        "quarter  zuletzt: Do., 12.03.2026, 10:01 Uhr (läuft)  "
        "nächster Lauf: Do., 12.03.2026, 10:00 Uhr (fällig)"
    )
    assert await status_of(sessions, job, now + timedelta(minutes=3)) == (
        "quarter  zuletzt: Do., 12.03.2026, 10:01 Uhr (abgebrochen)  "
        "nächster Lauf: Do., 12.03.2026, 10:00 Uhr (fällig)"
    )
    assert taken.run_id is not None
    await execute(sessions, job, taken.run_id, SLOT, "a")
    assert await status_of(sessions, job, now) == (
        "quarter  zuletzt: Do., 12.03.2026, 10:01 Uhr (erfolgreich)  "
        "nächster Lauf: Do., 12.03.2026, 10:15 Uhr"
    )


def test_a_job_list_is_a_tuple_of_jobs_with_names_given_once() -> None:
    jobs = load_jobs("booking.jobs.schedule")
    assert [job.name for job in jobs] == [
        "promotion-sweep",
        "booking-reminders",
        "feedback-invitations",
        "release-lapse",
        "draw-allocation",
        "low-stock-alerts",
        "privacy-retention",
        "offer-expiry",
        "newsletter-sending",
    ]
    with pytest.raises(ValueError, match="tuple of Job"):
        load_jobs("booking.jobs.messages")
    with pytest.raises(ModuleNotFoundError):
        load_jobs("booking.jobs.nonexistent")
