"""The outbox: every message is written here in the transaction of the change that causes it."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from booking.core.db import Base, UTCDateTime, utcnow


def new_message_key() -> str:
    return secrets.token_hex(8)


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(60))
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """Set when the sender gave up (too many attempts, or refused for good): a dead letter
    that waits for an organiser to queue it again."""
    message_key: Mapped[str] = mapped_column(String(32), default=new_message_key, server_default="")
    """Random part of the ``Message-ID``, fixed when the row is written, so that every
    attempt carries the same ``Message-ID`` and receivers can drop a second copy. Rows
    written without it (by plain SQL, or before it existed) get a Message-ID from their id
    and creation time, just as stable."""

    __table_args__ = (Index("ix_outbox_due", "sent_at", "next_attempt_at"),)
