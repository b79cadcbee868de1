"""Bookings: one row per member and attempt, with the waiting list kept in the same table;
the messages organisers wrote to them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.core.db import Base, UTCDateTime, utcnow
from booking.members.models import Member
from booking.organisations.models import Organisation
from courses.models import Event


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    """Waits for the organisation's release or the draw; holds no seat."""
    CONFIRMED = "confirmed"
    OFFERED = "offered"
    """The first waiting member was offered a freed seat, held for them until they accept,
    decline or the offer's deadline passes (events with ``offer_working_days``)."""
    WAITING = "waiting"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    """The event is over and the member attended its completion share."""
    PARTIAL = "partial"
    """Attended some teaching units, short of the completion share."""
    NO_SHOW = "no_show"


ACTIVE_STATUSES = (
    BookingStatus.REQUESTED,
    BookingStatus.CONFIRMED,
    BookingStatus.OFFERED,
    BookingStatus.WAITING,
)
"""A member holds at most one booking in these statuses per event (rule 3)."""
SEAT_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.OFFERED)
"""What occupies a seat: the one definition, for the decision and every "seats left". An
open offer holds its seat, so that accepting it never takes a seat someone else holds."""
OUTCOME_STATUSES = (BookingStatus.ATTENDED, BookingStatus.PARTIAL, BookingStatus.NO_SHOW)
"""What a confirmed booking becomes when the last session is marked."""
PARTICIPANT_STATUSES = (BookingStatus.CONFIRMED, *OUTCOME_STATUSES)
"""A participant of the event: on the roster, marked, with an outcome."""


RANK_LAST = 2**31 - 1
"""Where a waiting booking without a rank sorts: after every rank an organiser gave."""


def _sql_in(values: tuple[BookingStatus, ...] | type[BookingStatus]) -> str:
    return "status IN (" + ", ".join(f"'{v.value}'" for v in values) + ")"


_ACTIVE_SQL = _sql_in(ACTIVE_STATUSES) + " AND anonymised_at IS NULL"
_OFFERED_SQL = "status = 'offered'"


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
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When the reminder before the event was written to the outbox (once per booking)."""
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(String(20), nullable=True)
    """member, organiser, coordinator (declined or handed on), lapsed (not released in
    time), offer_declined or offer_expired (an offered seat not taken)."""
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When the member's organisation released the request (events that require it)."""
    added_on_site: Mapped[bool] = mapped_column(default=False)
    """A walk-in: added at the door by a trainer or organiser, without seat limits."""
    booked_by: Mapped[str | None] = mapped_column(String(20), nullable=True)
    """``organiser`` when the back office booked on the member's behalf."""
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When the person was taken off the booking (booking.privacy): it then belongs to the
    placeholder "Gelöschte Person" and counts only for the figures, outside rule 3's index."""
    waitlist_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The place an organiser gave on the waiting list; None: in order of booking, after
    every ranked one (:data:`WAITLIST_ORDER`)."""
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When a freed seat was offered to the member (booking.bookings.offers)."""
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """Until when the offer may be accepted (inclusive): the end of its last working day."""

    event: Mapped[Event] = relationship()
    member: Mapped[Member] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        CheckConstraint(_sql_in(BookingStatus), name="status"),
        CheckConstraint("booked_by IS NULL OR booked_by = 'organiser'", name="booked_by"),
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
        Index(
            "ix_bookings_open_offers",
            "offer_expires_at",
            sqlite_where=text(_OFFERED_SQL),
            postgresql_where=text(_OFFERED_SQL),
        ),
    )


WAITLIST_ORDER = (func.coalesce(Booking.waitlist_rank, RANK_LAST), Booking.id)
"""The order of a waiting list: first come, first served (the booking id), unless an
organiser moved someone; the one definition for promotion, positions, pages and exports."""


class Announcement(Base):
    """A message organisers wrote to an event's participants, its waiting list or both:
    recorded on the event, sent as one mail per person through the outbox."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    sent_by: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    audience: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sender: Mapped[Member | None] = relationship()

    __table_args__ = (
        CheckConstraint("audience IN ('confirmed', 'waiting', 'all')", name="audience"),
        Index("ix_announcements_event", "event_id", "created_at"),
    )


class DrawDecision(StrEnum):
    """What the draw decided for a request."""

    SEAT = "seat"
    WAITING = "waiting"
    """Onto the waiting list, in draw order."""
    NOT_RELEASED = "not_released"
    """The event requires the organisation's release, which did not come: the request took
    no part and lapsed."""


class Draw(Base):
    """The allocation of an event's seats by lot at its registration deadline, with what it
    was computed from, so that it can be recomputed and checked (``sid draw verify``).

    The inputs are the seed, the algorithm, the free seats, the per-organisation limit, the
    seats each organisation held before, and the requests (:class:`DrawEntry`: booking and
    organisation). The outcome is each entry's rank, round and decision."""

    __tablename__ = "draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    algorithm: Mapped[str] = mapped_column(String(20))
    seed: Mapped[str] = mapped_column(String(64))
    """SHA-256 (hex) of the algorithm, the event id, the registration deadline and the
    event's secret salt."""
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    """The registration deadline the seed was made from."""
    seats: Mapped[int] = mapped_column(Integer)
    """Seats free when the draw ran (capacity less seats already taken)."""
    seats_per_organisation: Mapped[int | None] = mapped_column(Integer, nullable=True)
    held_by_organisation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Seats each organisation held before the draw (organisation id as text: count)."""
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()

    __table_args__ = (
        UniqueConstraint("event_id", name="uq_draws_event_id"),
        CheckConstraint("seats >= 0", name="seats"),
    )


class DrawEntry(Base):
    """One request in a draw: the inputs (booking, organisation at the draw) and what the
    draw decided. Booking and organisation are kept as plain numbers: the record stays as
    it was drawn when organisations merge or a booking is removed."""

    __tablename__ = "draw_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id", ondelete="CASCADE"))
    booking_id: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Place in the draw order (1: drawn first); None for requests that took no part."""
    round: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The round of the round-robin across organisations in which the seat was given."""
    decision: Mapped[str] = mapped_column(String(20))
    waitlist_position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Position on the waiting list right after the draw."""

    __table_args__ = (
        CheckConstraint("decision IN ('seat', 'waiting', 'not_released')", name="decision"),
        Index("ix_draw_entries_draw", "draw_id", "rank", "id"),
        # A request takes part once, and no two share a place (NULL: took no part).
        UniqueConstraint("draw_id", "booking_id", name="uq_draw_entries_booking"),
        UniqueConstraint("draw_id", "rank", name="uq_draw_entries_rank"),
    )
