"""Material catalogue and orders (door wedges, pocket cards, the prevention guide)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.core.db import Base, UTCDateTime, utcnow


class MaterialItem(Base):
    __tablename__ = "material_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    stock: Mapped[int] = mapped_column(Integer, default=0)
    max_per_order: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (CheckConstraint("stock >= 0", name="stock"),)


class MaterialOrder(Base):
    __tablename__ = "material_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(String(20), default="received")
    delivery_address: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list[MaterialOrderLine]] = relationship(back_populates="order")

    __table_args__ = (
        CheckConstraint("status IN ('received', 'shipped', 'cancelled')", name="status"),
    )


class MaterialOrderLine(Base):
    __tablename__ = "material_order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("material_orders.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("material_items.id"))
    quantity: Mapped[int] = mapped_column(Integer)

    order: Mapped[MaterialOrder] = relationship(back_populates="lines")
    item: Mapped[MaterialItem] = relationship()

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),)
