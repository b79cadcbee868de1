"""A few material orders of the demo year, in different states, placed and moved on through
the same services as on the pages."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.members.models import Member
from materials.models import MaterialItem
from materials.orders import Line, change_status, place_order

ORDERS = [  # e-mail of the orderer, (item name, quantity) …, address lines after the first
    ("dennis.kaya@feuerwehr-essen.example", [("Türkeil #sicherimDienst", 40)],
     ["Feuer- und Rettungswache 1", "Eiserne Hand 45", "45139 Essen"], "shipped"),
    ("jana.schulte@stadt-muenster.example",
     [("Präventionsleitfaden #sicherimDienst", 10),
      ("Taschenkarte für Mandatsträgerinnen und Mandatsträger", 60)],
     ["Amt für Bürger- und Ratsservice", "Klemensstraße 10", "48143 Münster"], "approved"),
    ("aylin.demir@gesamtschule-dortmund.example", [("Taschenkarte „Schule“", 120)],
     ["Sekretariat", "Burgholzstraße 120", "44145 Dortmund"], "received"),
]  # fmt: skip


async def add_orders(session: AsyncSession, now: datetime, organiser: Member) -> None:
    items = {i.name: i.id for i in await session.scalars(select(MaterialItem))}
    for n, (email, lines, address, status) in enumerate(ORDERS):
        member = await session.scalar(
            select(Member).where(Member.email == email).options(selectinload(Member.organisation))
        )
        if member is None or member.organisation is None:
            continue
        when = now - timedelta(days=3 * (len(ORDERS) - n))
        order = await place_order(
            session, actor=member, lines=[Line(items[name], q) for name, q in lines],
            delivery_address="\n".join([member.organisation.name, *address]),
            contact=f"{member.display_name}, {member.email}", now=when,
        )  # fmt: skip
        if status in ("approved", "shipped"):
            await change_status(
                session, actor=organiser, order_id=order.id, status="approved", now=when
            )
        if status == "shipped":
            await change_status(
                session, actor=organiser, order_id=order.id, status="shipped", now=when,
                tracking_note="DHL 00340434161094042557",
            )  # fmt: skip
