"""The network's newsletter: subscriptions (by e-mail address, independent of membership)
with the record of consent, the issues the organisers write, and one delivery row per issue
and subscriber that makes sending exactly once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from booking.core.db import Base, UTCDateTime


class SubscriptionStatus(StrEnum):
    PENDING = "pending"
    """Asked for, the address not yet confirmed: receives nothing."""
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


class IssueStatus(StrEnum):
    DRAFT = "draft"
    SENDING = "sending"
    """Sending was started: the job writes one mail per confirmed subscriber to the outbox."""
    SENT = "sent"
    """Every subscriber's mail is in the outbox (the outbox delivers them)."""


class Subscription(Base):
    """One address on the newsletter's list, with the consent it gave (double opt-in).

    The consent record: when it was asked for (``requested_at``), when the address confirmed
    it (``confirmed_at``), under which version of the consent text (``consent_version``, the
    texts are kept in booking.newsletter.messages) and how (``source``: the public form, or a
    signed-in member on their profile, whose address is proven by the sign-in).
    """

    __tablename__ = "newsletter_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=SubscriptionStatus.PENDING)
    source: Mapped[str] = mapped_column(String(20))
    consent_version: Mapped[str] = mapped_column(String(20))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    confirm_nonce: Mapped[str] = mapped_column(String(64))
    """The nonce of the latest confirmation link: only that link confirms, once."""
    unsubscribe_key: Mapped[str] = mapped_column(String(64))
    """Part of the signed unsubscribe link in every issue; a new subscription gets a new one."""

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower"),
        CheckConstraint("status IN ('pending', 'confirmed', 'unsubscribed')", name="status"),
        CheckConstraint("source IN ('form', 'profile')", name="source"),
        Index("ix_newsletter_subscriptions_status", "status", "id"),
    )


class Issue(Base):
    """One newsletter issue: a subject and a Markdown text (rendered to HTML and plain text
    when mailed), written and sent by the organisers."""

    __tablename__ = "newsletter_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=IssueStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    send_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_by: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    recipients: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Confirmed subscribers when sending started; once every mail is queued, the number
    queued (someone who unsubscribed meanwhile is left out)."""
    last_subscription_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """The highest subscription id when sending started: later subscribers wait for the next
    issue."""
    cursor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """The last subscription id queued; advanced in the transaction that writes the mails."""
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When the last mail was written to the outbox (status ``sent``)."""

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'sending', 'sent')", name="status"),
        Index("ix_newsletter_issues_status", "status", "id"),
    )


class Delivery(Base):
    """An issue's mail to one subscriber: written with its outbox row, at most once (the
    unique pair)."""

    __tablename__ = "newsletter_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("newsletter_issues.id", ondelete="CASCADE"))
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("newsletter_subscriptions.id", ondelete="SET NULL"), nullable=True
    )
    """Emptied when the subscription is erased; the row still counts for the issue."""
    message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The outbox row (no foreign key: the outbox's retention removes sent mail; a missing row
    was sent long ago)."""

    __table_args__ = (
        UniqueConstraint("issue_id", "subscription_id", name="uq_newsletter_delivery"),
    )
