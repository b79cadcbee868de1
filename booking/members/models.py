"""Members, their web sessions and API tokens, and used sign-in links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.core.db import Base, UTCDateTime, utcnow
from booking.organisations.models import Organisation

ROLES = ("member", "trainer", "coordinator", "organiser")
"""A coordinator speaks for their own organisation: releases its staff's requests, sees and
places its orders."""
MEMBER_STATUSES = ("pending", "active", "rejected")


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    function: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), nullable=True, index=True
    )
    organisation_name_given: Mapped[str] = mapped_column(String(200), default="")
    """What a member from an unknown domain wrote as their organisation, for the approval."""
    status: Mapped[str] = mapped_column(String(20), default="active")
    role: Mapped[str] = mapped_column(String(20), default="member")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    calendar_token: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    """Secret part of the personal calendar feed's address; replaced to revoke the old one."""
    last_signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    """The last sign-in (at first, the account's creation): members inactive for long are
    asked whether to stay (booking.privacy.inactive)."""
    stay_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When the member was asked by mail whether to stay; cleared by signing in."""

    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower"),
        CheckConstraint("status IN ('pending', 'active', 'rejected')", name="status"),
        CheckConstraint("role IN ('member', 'trainer', 'coordinator', 'organiser')", name="role"),
        # Members waiting for approval are counted and listed for the organisers.
        Index("ix_members_status", "status"),
    )

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email

    @property
    def is_organiser(self) -> bool:
        return self.role == "organiser" and self.status == "active"

    @property
    def is_coordinator(self) -> bool:
        """Coordinates their own organisation (an organiser coordinates none by this)."""
        return (
            self.role == "coordinator"
            and self.status == "active"
            and self.organisation_id is not None
        )

    @property
    def coordinates(self) -> int | None:
        """The organisation this member speaks for as its coordinator, or None."""
        return self.organisation_id if self.is_coordinator else None

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def needs_profile(self) -> bool:
        return not (self.first_name and self.last_name)


class WebSession(Base):
    """A browser's session: the cookie holds a random id, this row its SHA-256 hash.

    A row exists only for sessions that carry something (a signed-in member, a message to
    show, where to go after signing in); it ends at ``expires_at`` or after the idle timeout
    (``last_seen_at``), at sign-out, or when the member signs out everywhere.
    """

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), nullable=True, index=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ApiToken(Base):
    """An API token: stored as its SHA-256 hash, valid until ``expires_at`` unless revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    member: Mapped[Member] = relationship()

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class SignInLinkUse(Base):
    """The nonce of every sign-in link that has been used: a link works once."""

    __tablename__ = "sign_in_link_uses"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
