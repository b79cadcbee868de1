"""Reading the state of the jobs: each job's last run and next due run (``sid jobs list``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.core.formatting import datetime_de
from booking.jobs import messages
from booking.jobs.models import JobRun
from booking.jobs.scheduler import Job


@dataclass(frozen=True)
class JobStatus:
    job: Job
    last: JobRun | None
    """The run started last, by its slot or by hand."""
    next_due: datetime
    """The current slot if its run has not finished yet, else the next one."""


async def statuses(
    sessions: async_sessionmaker[AsyncSession], jobs: Sequence[Job], now: datetime
) -> list[JobStatus]:
    result = []
    async with sessions() as session:
        for job in jobs:
            last = await session.scalar(
                select(JobRun)
                .where(JobRun.job == job.name)
                .order_by(JobRun.started_at.desc(), JobRun.id.desc())
                .limit(1)
            )
            current = job.slot(now)
            finished = await session.scalar(
                select(JobRun.id).where(
                    JobRun.job == job.name,
                    JobRun.due_at == current,
                    JobRun.finished_at.is_not(None),
                )
            )
            next_due = current + job.every if finished is not None else current
            result.append(JobStatus(job, last, next_due))
    return result


def status_line(status: JobStatus, now: datetime) -> str:
    """One line for ``sid jobs list``: the job's name, its last run, its next run."""
    last = status.last
    if last is None:
        last_text = messages.NEVER
    else:
        when = datetime_de(last.started_at)
        if last.finished_at is None:
            running = last.lease_until is not None and last.lease_until > now
            last_text = (messages.LAST_RUNNING if running else messages.LAST_ABANDONED).format(
                when=when
            )
        elif last.last_error:
            last_text = messages.LAST_FAILED.format(when=when, error=last.last_error)
        else:
            last_text = messages.LAST_OK.format(when=when)
    next_when = datetime_de(status.next_due)
    next_text = messages.NEXT_DUE.format(when=next_when) if status.next_due <= now else next_when
    return messages.STATUS_LINE.format(name=status.job.name, last=last_text, next=next_text)
