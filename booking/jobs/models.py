"""One row per due run of a job: who holds its lease, until when, and how it ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from booking.core.db import Base, UTCDateTime


class JobRun(Base):
    """A due run of a job, claimed with a lease.

    ``due_at`` is the slot the run belongs to (for a run started by hand, the moment it was
    asked for); the unique constraint lets each slot of a job exist once, so that of several
    processes only one can insert it. A run is held by ``holder`` until ``lease_until``; a
    holder that dies leaves the lease to expire, and another process takes the run again
    (``attempts`` counts the takes). ``finished_at`` is set when the run ends, successfully
    or not; ``last_error`` says what went wrong (the kind of error and where, no data).
    """

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    holder: Mapped[str] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    last_error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("job", "due_at"),)
