"""A job list for tests that watch the scheduler from outside (``JOBS_MODULE`` names it).

Its one job, ``recording``, appends "start SLOT PID" to the file ``RECORDING_LOG``, sleeps
``RECORDING_SECONDS``, appends "end SLOT PID" and returns; with ``RECORDING_FAIL`` set it
raises instead, with a message that must never reach logs or the database. How often it
is due and its lease come from ``RECORDING_EVERY`` and ``RECORDING_LEASE`` (seconds).
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

from booking.jobs.scheduler import Job, JobContext

SECRET_MESSAGE = "jana.schulte@stadt-muenster.example"


def _note(line: str) -> None:
    # One write of one short line to a file opened for appending: lines of several
    # processes never mix.
    with Path(os.environ["RECORDING_LOG"]).open("a") as log:
        log.write(line + "\n")


async def record(context: JobContext) -> str:
    slot = context.due_at.isoformat()
    _note(f"start {slot} {os.getpid()}")
    if os.environ.get("RECORDING_FAIL"):
        raise RuntimeError(SECRET_MESSAGE)
    await asyncio.sleep(float(os.environ.get("RECORDING_SECONDS", "0")))
    _note(f"end {slot} {os.getpid()}")
    return "aufgezeichnet"


JOBS = (
    Job(
        name="recording",
        every=timedelta(seconds=float(os.environ.get("RECORDING_EVERY", "3600"))),
        lease=timedelta(seconds=float(os.environ.get("RECORDING_LEASE", "60"))),
        run=record,
    ),
)
