"""The programme: events of every format, their sessions, series, sectors and trainers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.core.db import Base, UTCDateTime, utcnow
from booking.members.models import Member
from venues.models import OnlineRoom, Room, Venue


class EventKind(StrEnum):
    NETWORK_MEETING = "network_meeting"
    CONFERENCE = "conference"
    WORKSHOP = "workshop"
    """A part of a conference (or network meeting) with its own capacity."""
    ONLINE_QA = "online_qa"
    WEBINAR = "webinar"
    TRAINING = "training"


class Allocation(StrEnum):
    """How an event hands out its seats."""

    FIRST_COME = "first_come"
    """First come, first served: a seat while one is free, else the waiting list."""
    DRAW = "draw"
    """Requests until the registration deadline, then a recorded draw
    (booking.bookings.draw)."""


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


KINDS = tuple(EventKind)
ONLINE_KINDS = (EventKind.ONLINE_QA, EventKind.WEBINAR)
STATUSES = tuple(EventStatus)
ALLOCATIONS = tuple(Allocation)

event_trainers = Table(
    "event_trainers",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
)


class Series(Base):
    """A recurring format, e.g. the monthly online Q&A; its dates come from one RRULE."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    rrule: Mapped[str] = mapped_column(String(300))
    first_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)

    events: Mapped[list[Event]] = relationship(back_populates="series")


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(Integer)
    seats_per_organisation: Mapped[int | None] = mapped_column(Integer, nullable=True)
    course_code: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    prerequisite_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    teaching_units: Mapped[int | None] = mapped_column(Integer, nullable=True)
    completion_share: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Per cent of the teaching units a participant must attend for the outcome "attended";
    None: all of them."""
    reminder_days: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    """Days before the first session that confirmed participants are reminded; 0: no
    reminder."""
    certificate_content: Mapped[str] = mapped_column(Text, default="", server_default="")
    """What the course covered, one line each, printed on its certificates of attendance."""
    requires_release: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Bookings start as requests that the member's organisation releases (Freigabe)."""
    release_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """Requests not released by then lapse; None: the registration deadline."""
    offer_working_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """A freed seat is offered to the first waiting member, to accept within this many
    working days (booking.bookings.offers); None: they move up at once."""
    allocation: Mapped[str] = mapped_column(
        String(20), default=Allocation.FIRST_COME, server_default=Allocation.FIRST_COME.value
    )
    """first_come, or draw: bookings are requests until the registration deadline, when a
    recorded draw allocates the seats."""
    draw_salt: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """A random value, set when the event is set to allocation by draw; with the event id and
    the registration deadline it makes the draw's seed. Kept secret until the draw (pages
    show its commitment, the SHA-256 of the seed)."""
    booking_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    registration_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancellation_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=True, index=True
    )
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"), nullable=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"), nullable=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)
    online_room_id: Mapped[int | None] = mapped_column(ForeignKey("online_rooms.id"), nullable=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    """iCalendar SEQUENCE: raised whenever time or place changes."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event",
        order_by="EventSession.starts_at",
        cascade="all, delete-orphan",
    )
    sectors: Mapped[list[EventSector]] = relationship(
        cascade="all, delete-orphan", order_by="EventSector.sector"
    )
    parent: Mapped[Event | None] = relationship(remote_side="Event.id", back_populates="workshops")
    workshops: Mapped[list[Event]] = relationship(back_populates="parent", order_by="Event.title")
    series: Mapped[Series | None] = relationship(back_populates="events")
    venue: Mapped[Venue | None] = relationship()
    room: Mapped[Room | None] = relationship()
    online_room: Mapped[OnlineRoom | None] = relationship()
    trainers: Mapped[list[Member]] = relationship(secondary=event_trainers)

    __table_args__ = (
        CheckConstraint(
            "kind IN ('network_meeting', 'conference', 'workshop', 'online_qa', 'webinar',"
            " 'training')",
            name="kind",
        ),
        CheckConstraint("status IN ('draft', 'published', 'cancelled')", name="status"),
        CheckConstraint("capacity >= 0", name="capacity"),
        CheckConstraint(
            "seats_per_organisation IS NULL OR seats_per_organisation >= 1",
            name="seats_per_organisation",
        ),
        CheckConstraint("kind != 'workshop' OR parent_id IS NOT NULL", name="workshop_parent"),
        CheckConstraint(
            "completion_share IS NULL OR completion_share BETWEEN 0 AND 100",
            name="completion_share",
        ),
        CheckConstraint("reminder_days BETWEEN 0 AND 30", name="reminder_days"),
        CheckConstraint(
            "offer_working_days IS NULL OR offer_working_days BETWEEN 1 AND 10",
            name="offer_working_days",
        ),
        # The back office's drafts (latest change first) and deadlines soon, without a scan.
        Index("ix_events_status_updated", "status", "updated_at"),
        Index("ix_events_status_deadline", "status", "registration_deadline"),
        CheckConstraint("allocation IN ('first_come', 'draw')", name="allocation"),
    )

    @property
    def by_draw(self) -> bool:
        return self.allocation == Allocation.DRAW

    @property
    def certificate_lines(self) -> list[str]:
        return [line for line in self.certificate_content.splitlines() if line.strip()]

    @property
    def target_sectors(self) -> list[str]:
        return [s.sector for s in self.sectors]

    @property
    def is_online(self) -> bool:
        return self.kind in ONLINE_KINDS

    @property
    def starts_at(self) -> datetime | None:
        return self.sessions[0].starts_at if self.sessions else None

    @property
    def ends_at(self) -> datetime | None:
        return max(s.ends_at for s in self.sessions) if self.sessions else None


class EventSession(Base):
    """One sitting of an event: a day of a training, a slot of a conference."""

    __tablename__ = "event_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(200), default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    teaching_units: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Unterrichtseinheiten à 45 minutes; None: as many as fit into the session."""

    event: Mapped[Event] = relationship(back_populates="sessions")

    @property
    def units(self) -> int:
        """The session's teaching units: as given, or whole 45 minutes of its length."""
        if self.teaching_units is not None:
            return self.teaching_units
        return int((self.ends_at - self.starts_at).total_seconds() // (45 * 60))

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "teaching_units IS NULL OR teaching_units BETWEEN 0 AND 24", name="teaching_units"
        ),
        # "Upcoming" and the feed's window look sessions up by their end.
        Index("ix_event_sessions_ends_at", "ends_at", "event_id"),
    )


class EventSector(Base):
    """A sector the event is open to. An event without any is open to every sector."""

    __tablename__ = "event_sectors"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[str] = mapped_column(String(30), primary_key=True)
