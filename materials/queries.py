"""Reading the catalogue and orders for pages and the API; who may see what is checked here.

Every list is a page at a time (keyset on the id), so that a page costs the same however
many orders there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.core.errors import Forbidden, NotFound, ValidationFailed
from booking.core.paging import Page, decode_cursor, encode_cursor
from booking.members.models import Member
from booking.organisations.models import Organisation
from materials import messages
from materials.checks import require_organiser
from materials.models import (
    OPEN_STATUSES,
    MaterialItem,
    MaterialOrder,
    MaterialOrderLine,
    OrderStatus,
)
from materials.orders import may_order, order_year, ordered_this_year

CATALOGUE_MAX = 100
"""Active items a member's order form shows (the network hands out a handful)."""
ADDRESSES_MAX = 5
"""Earlier delivery addresses offered to choose from."""
ORDERS_PAGE = 20
QUEUE_PAGE = 50
ITEMS_PAGE = 50


@dataclass(frozen=True)
class Offer:
    """An item on a member's order form, and how much their organisation may still order."""

    item: MaterialItem
    left_this_year: int | None
    """What is left of the organisation's yearly limit, or None: no limit."""

    @property
    def most(self) -> int:
        """What one order can take now: the stock, or less if the limit leaves less."""
        if self.left_this_year is None:
            return self.item.stock
        return min(self.item.stock, self.left_this_year)


@dataclass(frozen=True)
class Catalogue:
    organisation: Organisation | None
    year: int
    offers: list[Offer]
    reserved: list[MaterialItem]
    """Active items the organisation may not order (door wedges: Einsatzkräfte only)."""
    addresses: list[str]


async def catalogue_for(session: AsyncSession, member: Member, now: datetime) -> Catalogue:
    """The order form's catalogue for the member's organisation."""
    year = order_year(now)
    items = list(
        await session.scalars(
            select(MaterialItem)
            .where(MaterialItem.active)
            .order_by(MaterialItem.name, MaterialItem.id)
            .limit(CATALOGUE_MAX)
        )
    )
    organisation = (
        await session.get(Organisation, member.organisation_id)
        if member.organisation_id is not None
        else None
    )
    if organisation is None:
        return Catalogue(None, year, [], [], [])
    orderable = [item for item in items if may_order(item, organisation)]
    used = await ordered_this_year(
        session, organisation.id, year, (i.id for i in orderable if i.yearly_limit)
    )
    offers = [
        Offer(
            item,
            None if item.yearly_limit is None else max(0, item.yearly_limit - used.get(item.id, 0)),
        )
        for item in orderable
    ]
    reserved = [item for item in items if not may_order(item, organisation)]
    addresses = await earlier_addresses(session, organisation.id)
    return Catalogue(organisation, year, offers, reserved, addresses)


async def earlier_addresses(session: AsyncSession, organisation_id: int) -> list[str]:
    """The organisation's delivery addresses so far, each once, the most recently used first."""
    rows = await session.execute(
        select(MaterialOrder.delivery_address, func.max(MaterialOrder.id).label("last"))
        .where(MaterialOrder.organisation_id == organisation_id)
        .group_by(MaterialOrder.delivery_address)
        .order_by(func.max(MaterialOrder.id).desc())
        .limit(ADDRESSES_MAX)
    )
    return [address for address, _ in rows]


# -- the catalogue for organisers and the API -----------------------------------------------------


async def list_items(
    session: AsyncSession,
    actor: Member,
    *,
    after: str | None = None,
    limit: int = ITEMS_PAGE,
    field: str = "cursor",
) -> Page[MaterialItem]:
    """Items by id; organisers see the inactive ones too."""
    query = select(MaterialItem).order_by(MaterialItem.id)
    if not actor.is_organiser:
        query = query.where(MaterialItem.active)
    if after:
        (last,) = decode_cursor(after, (int,), field)
        query = query.where(MaterialItem.id > last)
    rows = list(await session.scalars(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1].id) if more else None)


async def get_item(session: AsyncSession, item_id: int, actor: Member) -> MaterialItem:
    require_organiser(actor)
    item = await session.get(MaterialItem, item_id)
    if item is None:
        raise NotFound(messages.ITEM_UNKNOWN)
    return item


# -- orders ---------------------------------------------------------------------------------------


def _with_details(query: Select[MaterialOrder]) -> Select[MaterialOrder]:
    return query.options(
        selectinload(MaterialOrder.lines).selectinload(MaterialOrderLine.item),
        selectinload(MaterialOrder.organisation),
        selectinload(MaterialOrder.member),
    )


async def _page(
    session: AsyncSession,
    query: Select[MaterialOrder],
    *,
    after: str | None,
    limit: int,
    newest_first: bool,
    field: str,
) -> Page[MaterialOrder]:
    if after:
        (last,) = decode_cursor(after, (int,), field)
        query = query.where(MaterialOrder.id < last if newest_first else MaterialOrder.id > last)
    order = MaterialOrder.id.desc() if newest_first else MaterialOrder.id
    rows = list(await session.scalars(_with_details(query.order_by(order).limit(limit + 1))))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1].id) if more else None)


async def my_orders(
    session: AsyncSession,
    member: Member,
    *,
    after: str | None = None,
    limit: int = ORDERS_PAGE,
    field: str = "cursor",
) -> Page[MaterialOrder]:
    """The member's own orders, the newest first."""
    query = select(MaterialOrder).where(MaterialOrder.member_id == member.id)
    return await _page(session, query, after=after, limit=limit, newest_first=True, field=field)


async def organisation_orders(
    session: AsyncSession, actor: Member, *, after: str | None = None, field: str = "cursor"
) -> Page[MaterialOrder]:
    """The orders of the organisation the actor coordinates, the newest first."""
    if actor.coordinates is None:
        raise Forbidden(messages.ORDER_FORBIDDEN)
    query = select(MaterialOrder).where(MaterialOrder.organisation_id == actor.coordinates)
    return await _page(
        session, query, after=after, limit=ORDERS_PAGE, newest_first=True, field=field
    )


QUEUE_FILTERS: dict[str, tuple[OrderStatus, ...]] = {
    "offen": OPEN_STATUSES,
    **{status.value: (status,) for status in OrderStatus},
    "alle": tuple(OrderStatus),
}
"""The queue's status filter: open orders (the default), one status, or all."""


async def order_queue(
    session: AsyncSession,
    actor: Member,
    *,
    status: str = "offen",
    after: str | None = None,
    limit: int = QUEUE_PAGE,
    field: str = "cursor",
) -> Page[MaterialOrder]:
    """Orders for the staff unit: open ones the oldest first (a queue), others the newest
    first."""
    require_organiser(actor)
    statuses = QUEUE_FILTERS.get(status)
    if statuses is None:
        raise ValidationFailed(messages.FILTER_UNKNOWN, {"status": messages.FILTER_UNKNOWN})
    query = select(MaterialOrder).where(MaterialOrder.status.in_(statuses))
    newest_first = not set(statuses) <= set(OPEN_STATUSES)
    return await _page(
        session, query, after=after, limit=limit, newest_first=newest_first, field=field
    )


def may_see(actor: Member, order: MaterialOrder) -> bool:
    return (
        actor.is_organiser
        or order.member_id == actor.id
        or (actor.coordinates is not None and actor.coordinates == order.organisation_id)
    )


async def get_order(session: AsyncSession, order_id: int, actor: Member) -> MaterialOrder:
    """An order with its lines: for the orderer, their organisation's coordinator and the
    staff unit (403 for anyone else, 404 when there is none)."""
    order = await session.scalar(
        _with_details(select(MaterialOrder).where(MaterialOrder.id == order_id)).execution_options(
            populate_existing=True
        )
    )
    if order is None:
        raise NotFound(messages.ORDER_UNKNOWN)
    if not may_see(actor, order):
        raise Forbidden(messages.ORDER_FORBIDDEN)
    return order


def lines_text(lines: Sequence[MaterialOrderLine]) -> str:
    """ "5 Stück Türkeil, 20 Stück Taschenkarte „Schule“"."""
    return ", ".join(f"{line.quantity} {line.item.unit} {line.item.name}" for line in lines)
