"""Venues, their rooms, and the online rooms that hold a meeting link."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.core.db import Base

REGIONS = ("Arnsberg", "Detmold", "Düsseldorf", "Köln", "Münster")
"""The five Regierungsbezirke of North Rhine-Westphalia."""


class Venue(Base):
    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    """The Postleitzahl (five digits); ``postal_code`` in the venues' API."""
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(20))
    step_free: Mapped[bool] = mapped_column(Boolean, default=False)
    hearing_loop: Mapped[bool] = mapped_column(Boolean, default=False)
    accessible_toilet: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """A barrier-free toilet that can be reached without steps: only at a step-free venue."""
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")

    rooms: Mapped[list[Room]] = relationship(back_populates="venue", order_by="Room.name")

    __table_args__ = (
        CheckConstraint(
            "region IN ('Arnsberg', 'Detmold', 'Düsseldorf', 'Köln', 'Münster')", name="region"
        ),
        CheckConstraint("step_free OR NOT accessible_toilet", name="toilet_needs_step_free"),
        UniqueConstraint("name", "city", name="uq_venues_name_city"),
    )


class Room(Base):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)

    venue: Mapped[Venue] = relationship(back_populates="rooms")

    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity"),
        UniqueConstraint("venue_id", "name", name="uq_rooms_venue_name"),
    )


class OnlineRoom(Base):
    __tablename__ = "online_rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    meeting_url: Mapped[str] = mapped_column(String(500))
    """Confidential: only confirmed participants and organisers ever see it."""
    dial_in: Mapped[str] = mapped_column(String(200), default="")
