"""Material catalogue and orders (door wedges, pocket cards, the prevention guide).

An item's ``stock`` is what is left to hand out: an accepted order takes its quantities off
at once (they are reserved), a rejected or cancelled one gives them back. The database
refuses a negative stock; the services lock the item rows before they count.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.core.db import Base, UTCDateTime, utcnow
from booking.members.models import Member
from booking.organisations.models import Organisation


class OrderStatus(StrEnum):
    """An order's way; the values are the API's and the database's names."""

    RECEIVED = "received"
    """eingegangen: accepted, its quantities reserved."""
    APPROVED = "approved"
    """freigegeben: the staff unit will send it."""
    SHIPPED = "shipped"
    """versandt (with the day and, if given, a tracking note)."""
    REJECTED = "rejected"
    """abgelehnt (with a reason); the stock returns."""
    CANCELLED = "cancelled"
    """storniert; the stock returns."""


OPEN_STATUSES: tuple[OrderStatus, ...] = (OrderStatus.RECEIVED, OrderStatus.APPROVED)
"""Not yet dispatched: quantities can still change."""
HOLDING_STATUSES: tuple[OrderStatus, ...] = (*OPEN_STATUSES, OrderStatus.SHIPPED)
"""What counts against the stock and an organisation's yearly limit."""
NEXT_STATUSES: dict[OrderStatus, tuple[OrderStatus, ...]] = {
    OrderStatus.RECEIVED: (OrderStatus.APPROVED, OrderStatus.REJECTED, OrderStatus.CANCELLED),
    OrderStatus.APPROVED: (OrderStatus.SHIPPED, OrderStatus.REJECTED, OrderStatus.CANCELLED),
    OrderStatus.SHIPPED: (),
    OrderStatus.REJECTED: (),
    OrderStatus.CANCELLED: (),
}
"""Where an order may go from each status."""


def order_number(order_id: int) -> str:
    return f"M-{order_id:06d}"


def _values(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class MaterialItem(Base):
    __tablename__ = "material_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(40), default="Stück", server_default="Stück")
    picture: Mapped[str] = mapped_column(String(100), default="", server_default="")
    """A file name under static/img/material/ (chosen from those shipped), or empty."""
    stock: Mapped[int] = mapped_column(Integer, default=0)
    emergency_services_only: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    """Only organisations of the Einsatzkräfte sectors may order it (door wedges)."""
    yearly_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """How much one organisation may order per calendar year (Berlin), or None: no limit."""
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Below this, the organisers are told (0: never)."""
    low_stock_alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When the organisers were told of the current fall below the threshold; cleared (the
    alert re-armed) when the stock is back at or above it."""
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock"),
        CheckConstraint("yearly_limit IS NULL OR yearly_limit > 0", name="yearly_limit"),
        CheckConstraint("low_stock_threshold >= 0", name="low_stock_threshold"),
        Index("uq_material_items_name", "name", unique=True),
    )


class MaterialOrder(Base):
    __tablename__ = "material_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True, index=True
    )
    """Who ordered (empty once their data is erased; the order stays the organisation's)."""
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    year: Mapped[int] = mapped_column(Integer)
    """The calendar year (Berlin) the order counts in for the yearly limits."""
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.RECEIVED)
    delivery_address: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    shipped_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    tracking_note: Mapped[str] = mapped_column(String(500), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    """Why it was rejected (told to the orderer)."""

    lines: Mapped[list[MaterialOrderLine]] = relationship(
        back_populates="order", order_by="MaterialOrderLine.id"
    )
    member: Mapped[Member | None] = relationship()
    organisation: Mapped[Organisation] = relationship()

    @property
    def number(self) -> str:
        """The order number people quote: "M-000042"."""
        return order_number(self.id)

    __table_args__ = (
        CheckConstraint(f"status IN ({_values(OrderStatus)})", name="status"),
        Index("ix_material_orders_organisation", "organisation_id", "year"),
        Index("ix_material_orders_status", "status", "id"),
    )


class MaterialOrderLine(Base):
    __tablename__ = "material_order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("material_orders.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("material_items.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)

    order: Mapped[MaterialOrder] = relationship(back_populates="lines")
    item: Mapped[MaterialItem] = relationship()

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        UniqueConstraint("order_id", "item_id"),
    )
