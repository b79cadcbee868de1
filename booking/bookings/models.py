"""Bookings: one row per member and attempt, with the waiting list kept in the same table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.core.db import Base, UTCDateTime, utcnow
from booking.members.models import Member
from booking.organisations.models import Organisation
from courses.models import Event

ACTIVE_STATUSES = ("requested", "confirmed", "waiting")
BOOKING_STATUSES = ("requested", "confirmed", "waiting", "cancelled", "attended", "no_show")
_ACTIVE_SQL = "status IN ('requested', 'confirmed', 'waiting')"


class Booking(Base):
    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), nullable=True
    )
    """The member's organisation when booking: the per-organisation limit counts this."""
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(String(20), nullable=True)

    event: Mapped[Event] = relationship()
    member: Mapped[Member] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "status IN ('requested', 'confirmed', 'waiting', 'cancelled', 'attended', 'no_show')",
            name="status",
        ),
        Index(
            "uq_bookings_one_active_per_member",
            "event_id",
            "member_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        Index("ix_bookings_event_status", "event_id", "status", "id"),
        Index("ix_bookings_member", "member_id"),
    )
