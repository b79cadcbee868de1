"""The audit log: what organisers, trainers and coordinators did to someone else's data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.core.db import Base, UTCDateTime, utcnow
from booking.members.models import Member
from courses.models import Event


class AuditEntry(Base):
    """One action on someone else's data: who, when, what, before and after, and why.

    Written in the same transaction as the change it records. The event and the member
    concerned are kept as references for the lists per event and per member; the entry
    outlives neither's erasure (the reference becomes empty, the entry stays).
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    action: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), nullable=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    """Whose data the action changed, when it concerns one person."""
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), nullable=True
    )
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[Member | None] = relationship(foreign_keys=[actor_id])
    member: Mapped[Member | None] = relationship(foreign_keys=[member_id])
    event: Mapped[Event | None] = relationship()

    __table_args__ = (
        Index("ix_audit_entries_event", "event_id", "id"),
        Index("ix_audit_entries_member", "member_id", "id"),
        Index("ix_audit_entries_actor", "actor_id", "id"),
        Index("ix_audit_entries_action", "action", "id"),
        Index("ix_audit_entries_created", "created_at"),
    )
