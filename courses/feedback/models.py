"""Feedback after an event: one invitation per attendee booking, and anonymous answers.

The invitation knows the booking (so that each attendee is asked once and answers once) but
not the answer; the answer knows its event but no member, booking, token or time of its
own. Nothing stored links the two: an invitation keeps only whether it was used, not when.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.core.db import Base, UTCDateTime


class FeedbackInvitation(Base):
    """The mail with a feedback link that one attendee booking got."""

    __tablename__ = "feedback_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), unique=True
    )
    """One invitation per booking: the unique key claims it, however many processes try."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the link's token, in hex; the token itself is only in the mail."""
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """When the mail was written to the outbox."""
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Whether an answer was given with it; deliberately no time."""

    __table_args__ = (Index("ix_feedback_invitations_event", "event_id", "used"),)


class FeedbackAnswer(Base):
    """One anonymous answer: its event, the questionnaire's version, the free text."""

    __tablename__ = "feedback_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(20))
    """Which wording of the questions was answered (courses.feedback.questions.VERSION)."""
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)

    ratings: Mapped[list[FeedbackRating]] = relationship(
        cascade="all, delete-orphan", order_by="FeedbackRating.question"
    )

    __table_args__ = (
        CheckConstraint("comment IS NULL OR length(comment) <= 2000", name="comment_length"),
        Index("ix_feedback_answers_event", "event_id", "id"),
    )


class FeedbackRating(Base):
    """One question of an answer rated from 1 to 5 (a question left out has no row)."""

    __tablename__ = "feedback_ratings"

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_answers.id", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("value BETWEEN 1 AND 5", name="value"),)
