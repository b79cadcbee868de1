"""Mail delivery and periodic jobs from the command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from booking.cli.base import CliError, database_sessions, run_command, settings_from_env
from booking.core.db import utcnow
from booking.jobs import messages as job_messages
from booking.jobs.queries import status_line, statuses
from booking.jobs.scheduler import Job, load_jobs, run_jobs, run_now
from booking.settings import Settings


def mail_send(args: argparse.Namespace) -> int:
    return run_command(_send_once(settings_from_env()))


async def _send_once(settings: Settings) -> int:
    from booking.app import mail_renderer
    from booking.mail.sender import send_due

    async with database_sessions(settings) as sessions:
        sent: int = await send_due(settings, sessions, mail_renderer())
    print(f"{sent} Nachricht(en) versendet.")
    return 0


def mail_worker(args: argparse.Namespace) -> int:
    try:
        return run_command(_send_forever(settings_from_env()))
    except KeyboardInterrupt:
        print("Mailversand beendet.")
        return 0


async def _send_forever(settings: Settings) -> int:
    from booking.app import mail_renderer
    from booking.mail.sender import run_sender

    async with database_sessions(settings) as sessions:
        await run_sender(settings, sessions, mail_renderer())
    return 0


def _jobs(settings: Settings) -> tuple[Job, ...]:
    try:
        return load_jobs(settings.jobs_module)
    except (ImportError, ValueError) as exc:
        raise CliError(f"JOBS_MODULE: {exc}") from exc


def jobs_list(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    return run_command(_list_jobs(settings, _jobs(settings)))


async def _list_jobs(settings: Settings, jobs: tuple[Job, ...]) -> int:
    async with database_sessions(settings) as sessions:
        now = utcnow()
        for status in await statuses(sessions, jobs, now):
            print(status_line(status, now))
    return 0


def jobs_run(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    jobs = {job.name: job for job in _jobs(settings)}
    job = jobs.get(args.name)
    if job is None:
        known = ", ".join(jobs) or "–"
        print(
            f"Fehler: {job_messages.UNKNOWN_JOB.format(name=args.name, known=known)}",
            file=sys.stderr,
        )
        return 2
    return run_command(_run_job(settings, job))


async def _run_job(settings: Settings, job: Job) -> int:
    async with database_sessions(settings) as sessions:
        outcome = await run_now(sessions, job)
    if not outcome.completed:
        print(f"Fehler: {job_messages.RUN_NOT_STARTED.format(name=job.name)}", file=sys.stderr)
        return 1
    if outcome.error:
        message = job_messages.RUN_FAILED.format(name=job.name, error=outcome.error)
        print(f"Fehler: {message}", file=sys.stderr)
        return 1
    print(job_messages.RUN_DONE.format(name=job.name, summary=outcome.summary))
    return 0


def jobs_worker(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    jobs = _jobs(settings)
    with contextlib.suppress(KeyboardInterrupt):
        run_command(_run_jobs_forever(settings, jobs))
    print(job_messages.WORKER_STOPPED)
    return 0


async def _run_jobs_forever(settings: Settings, jobs: tuple[Job, ...]) -> int:
    async with database_sessions(settings) as sessions:
        runner = asyncio.create_task(run_jobs(sessions, jobs))
        # SIGTERM (a service manager stopping the worker) ends it like Strg+C: a run in
        # progress gives its lease back, so another process takes it at once.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, runner.cancel)
        print(job_messages.WORKER_STARTED.format(names=", ".join(j.name for j in jobs)), flush=True)
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    return 0
