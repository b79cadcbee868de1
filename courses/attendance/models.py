"""Attendance: a trainer's mark per booking and session, and every change of it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from booking.core.db import Base, UTCDateTime, utcnow


class Mark(StrEnum):
    PRESENT = "present"
    LATE = "late"
    """Late counts as attended."""
    EXCUSED = "excused"
    ABSENT = "absent"


ATTENDED_MARKS = (Mark.PRESENT, Mark.LATE)
"""Marks whose session's teaching units count as attended."""


def _marks_sql(column: str) -> str:
    return f"{column} IN (" + ", ".join(f"'{m.value}'" for m in Mark) + ")"


class AttendanceMark(Base):
    """How one booking attended one session, as its trainer (or an organiser) marked it."""

    __tablename__ = "attendance_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))
    marked_by: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("booking_id", "session_id", name="uq_attendance_marks_booking_session"),
        CheckConstraint(_marks_sql("status"), name="status"),
        Index("ix_attendance_marks_session", "session_id"),
    )


class AttendanceChange(Base):
    """One change of a mark: who, when, from what to what (a first mark comes from None)."""

    __tablename__ = "attendance_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"))
    old_status: Mapped[str | None] = mapped_column(String(10), nullable=True)
    new_status: Mapped[str] = mapped_column(String(10))
    changed_by: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_attendance_changes_booking", "booking_id", "session_id"),)
