"""The certificate register: what each certificate of attendance states, kept as issued so
that it stays verifiable after the booking behind it is gone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from booking.core.db import Base, UTCDateTime


class Certificate(Base):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    """``SID-<year>-<id, six digits>``: printed on the certificate."""
    code: Mapped[str] = mapped_column(String(40), unique=True)
    """The secret part of the verification address (128 random bits): not guessable."""
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), nullable=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), nullable=True
    )
    participant_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(200))
    course_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    dates: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200), default="")
    trainers: Mapped[str] = mapped_column(String(500), default="")
    units_attended: Mapped[int] = mapped_column(Integer)
    units_offered: Mapped[int] = mapped_column(Integer)
    partial_note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    content: Mapped[str] = mapped_column(Text, default="", server_default="")
    """The course's content as printed, one line each (the event's at issue)."""
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), nullable=True
    )
    """The mail that told the member (its sending shows the issuing's progress); gone with
    the outbox's retention."""

    __table_args__ = (
        Index("ix_certificates_booking", "booking_id"),
        Index("ix_certificates_event", "event_id"),
        Index("ix_certificates_member", "member_id"),
        Index("ix_certificates_message", "message_id"),
    )

    @property
    def valid(self) -> bool:
        return self.revoked_at is None

    @property
    def partial(self) -> bool:
        return self.units_attended < self.units_offered

    @property
    def content_lines(self) -> tuple[str, ...]:
        return tuple(line for line in self.content.splitlines() if line.strip())
