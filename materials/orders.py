"""Ordering material and the order's way (DESIGN.md: the organisation orders, the staff unit
sends). Pages, the JSON API and the demo call these functions.

The guarantee, as for seats: an item's stock never goes below zero and an organisation never
orders more of an item in a calendar year than its yearly limit, under any concurrency, on
SQLite and PostgreSQL, with any number of processes. Every function that takes from or gives
back to a stock does so in one write transaction with the rows of the items concerned locked
in id order (PostgreSQL ``FOR UPDATE``; on SQLite the transaction holds the database's write
lock), and counts what the organisation ordered this year only after the lock: whoever orders
the same item waits, and then sees the quantities taken. The CHECK on the stock is the
database's last word; it would refuse the write and roll it back whole.

An accepted order holds its quantities (status ``received``); ``rejected`` and ``cancelled``
give them back. The orderer gets a mail at every step; what the staff unit does to someone
else's order goes into the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.core.errors import Forbidden, InvalidState, NotEligible, NotFound, ValidationFailed
from booking.core.formatting import local
from booking.core.transactions import write_transaction
from booking.mail.services import enqueue
from booking.members.models import Member
from booking.organisations.messages import SECTOR_LABELS
from booking.organisations.models import EMERGENCY_SECTORS, Organisation
from booking.privacy.audit import record
from materials import messages
from materials.checks import (
    CONTACT_MAX,
    LINES_MAX,
    NOTE_MAX,
    REASON_MAX,
    TRACKING_MAX,
    OutOfStock,
    OverLimit,
    clean_address,
    clean_line,
    clean_quantity,
    clean_shipped_on,
    clean_text,
    refuse,
)
from materials.models import (
    HOLDING_STATUSES,
    NEXT_STATUSES,
    OPEN_STATUSES,
    MaterialItem,
    MaterialOrder,
    MaterialOrderLine,
    OrderStatus,
)
from materials.services import rearm


@dataclass(frozen=True)
class Line:
    item_id: int
    quantity: int


def order_year(now: datetime) -> int:
    """The calendar year an order counts in: Berlin's."""
    return local(now).year


async def lock_items(session: AsyncSession, item_ids: Iterable[int]) -> dict[int, MaterialItem]:
    """Lock the items' rows in id order (two orders never wait on each other in a circle)."""
    items = await session.scalars(
        select(MaterialItem)
        .where(MaterialItem.id.in_(sorted(set(item_ids))))
        .order_by(MaterialItem.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {item.id: item for item in items}


async def ordered_this_year(
    session: AsyncSession, organisation_id: int, year: int, item_ids: Iterable[int]
) -> dict[int, int]:
    """What the organisation's orders of ``year`` hold of each item (the one definition of
    what counts against a yearly limit: received, approved and shipped orders)."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(MaterialOrderLine.item_id, func.sum(MaterialOrderLine.quantity))
        .join(MaterialOrder, MaterialOrder.id == MaterialOrderLine.order_id)
        .where(
            MaterialOrder.organisation_id == organisation_id,
            MaterialOrder.year == year,
            MaterialOrder.status.in_(HOLDING_STATUSES),
            MaterialOrderLine.item_id.in_(ids),
        )
        .group_by(MaterialOrderLine.item_id)
    )
    return {item_id: int(total or 0) for item_id, total in rows}


def may_order(item: MaterialItem, organisation: Organisation) -> bool:
    return not item.emergency_services_only or organisation.sector in EMERGENCY_SECTORS


def _not_eligible(item: MaterialItem, organisation: Organisation) -> str:
    return messages.NOT_EMERGENCY.format(
        name=item.name,
        organisation=organisation.name,
        sector=SECTOR_LABELS.get(organisation.sector, organisation.sector),
    )


def _check_amounts(
    wanted: Sequence[tuple[str, MaterialItem, int, int]],
    organisation: Organisation,
    used: Mapping[int, int],
    year: int,
) -> None:
    """``wanted``: (field, item, quantity the order would hold, quantity it holds now).
    Over the yearly limit is refused before too little stock (422 before 409)."""
    over: dict[str, str] = {}
    short: dict[str, str] = {}
    for field, item, quantity, held in wanted:
        if item.yearly_limit is not None:
            others = used.get(item.id, 0) - held
            left = max(0, item.yearly_limit - others)
            if quantity > left:
                over[field] = messages.OVER_LIMIT.format(
                    name=item.name, organisation=organisation.name, year=year, left=left,
                    unit=item.unit, limit=item.yearly_limit,
                )  # fmt: skip
        if quantity - held > item.stock:
            short[field] = messages.OUT_OF_STOCK.format(
                name=item.name, available=item.stock + held, unit=item.unit
            )
    if over:
        raise OverLimit(next(iter(over.values())), over)
    if short:
        raise OutOfStock(next(iter(short.values())), short)


def _clean_contact(contact: str, errors: dict[str, str]) -> str:
    return clean_line(
        contact, "contact", errors, required=messages.CONTACT_REQUIRED,
        too_long=messages.CONTACT_TOO_LONG, max_length=CONTACT_MAX,
    )  # fmt: skip


async def place_order(
    session: AsyncSession,
    *,
    actor: Member,
    lines: Sequence[Line],
    delivery_address: str,
    contact: str,
    note: str = "",
    now: datetime,
) -> MaterialOrder:
    """An order of ``actor`` for their organisation, accepted with its quantities reserved,
    or refused whole: 422 for bad input or over the yearly limit (with what is left), 403
    for an item the organisation may not order, 409 for too little stock (with what is
    available)."""
    if not actor.is_active or actor.organisation_id is None:
        raise Forbidden(messages.NO_ORGANISATION)
    errors: dict[str, str] = {}
    if not lines:
        errors["items"] = messages.NOTHING_ORDERED
    elif len(lines) > LINES_MAX:
        errors["items"] = messages.TOO_MANY_LINES.format(count=LINES_MAX)
    for n, line in enumerate(lines[:LINES_MAX]):
        clean_quantity(line.quantity, f"items.{n}.quantity", errors)
    contact = _clean_contact(contact, errors)
    note = clean_text(note, "note", errors, too_long=messages.NOTE_TOO_LONG, max_length=NOTE_MAX)
    year = order_year(now)
    # Nothing is read before the write transaction: a request waiting for the write lock
    # holds no pooled connection (on SQLite, waiters holding them would starve the writer).
    async with write_transaction(session):
        organisation = await session.get(Organisation, actor.organisation_id)
        if organisation is None:
            raise Forbidden(messages.NO_ORGANISATION)
        address = clean_address(delivery_address, organisation.name, errors)
        refuse(errors)
        items = await lock_items(session, (line.item_id for line in lines))
        seen: set[int] = set()
        for n, line in enumerate(lines):
            item = items.get(line.item_id)
            field = f"items.{n}.material_id"
            if item is None or not item.active:
                errors[field] = messages.ITEM_NOT_ORDERABLE
            elif line.item_id in seen:
                errors[field] = messages.ITEM_TWICE.format(name=item.name)
            seen.add(line.item_id)
        refuse(errors)
        refused = {
            f"items.{n}.material_id": _not_eligible(items[line.item_id], organisation)
            for n, line in enumerate(lines)
            if not may_order(items[line.item_id], organisation)
        }
        if refused:
            raise NotEligible(next(iter(refused.values())))
        used = await ordered_this_year(session, organisation.id, year, items)
        _check_amounts(
            [(f"items.{n}.quantity", items[x.item_id], x.quantity, 0) for n, x in enumerate(lines)],
            organisation,
            used,
            year,
        )
        order = MaterialOrder(
            member_id=actor.id, organisation_id=organisation.id, year=year,
            status=OrderStatus.RECEIVED, delivery_address=address, contact=contact, note=note,
            created_at=now, changed_at=now, tracking_note="", reason="",
        )  # fmt: skip
        order.organisation = organisation
        order.lines = [
            MaterialOrderLine(
                item_id=line.item_id, item=items[line.item_id], quantity=line.quantity
            )
            for line in lines
        ]
        for line in lines:
            items[line.item_id].stock -= line.quantity
        session.add(order)
        await session.flush()
        enqueue(session, actor.email, "material_order_received", material_order_id=order.id)
    return order


async def _locked_order(session: AsyncSession, order_id: int) -> MaterialOrder:
    order = await session.scalar(
        select(MaterialOrder)
        .where(MaterialOrder.id == order_id)
        .with_for_update(of=MaterialOrder)
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound(messages.ORDER_UNKNOWN)
    await session.refresh(order, ["lines", "member", "organisation"])
    return order


def _may_cancel_own(actor: Member, order: MaterialOrder) -> bool:
    ours = order.member_id == actor.id or actor.coordinates == order.organisation_id
    return ours and order.status == OrderStatus.RECEIVED


def _target(status: str) -> OrderStatus:
    try:
        target = OrderStatus(status)
    except ValueError:
        target = OrderStatus.RECEIVED
    if target == OrderStatus.RECEIVED:
        raise ValidationFailed(messages.STATUS_UNKNOWN, {"status": messages.STATUS_UNKNOWN})
    return target


async def change_status(
    session: AsyncSession,
    *,
    actor: Member,
    order_id: int,
    status: str,
    now: datetime,
    reason: str = "",
    shipped_on: date | None = None,
    tracking_note: str = "",
) -> MaterialOrder:
    """The next step of an order (organisers); the orderer and their organisation's
    coordinator may cancel a received order themselves. Rejecting needs a reason; shipping
    takes the day (today if none) and a tracking note; rejecting and cancelling give the
    stock back."""
    target = _target(status)
    errors: dict[str, str] = {}
    if target == OrderStatus.REJECTED:
        reason = clean_text(
            reason, "reason", errors, too_long=messages.REASON_TOO_LONG, max_length=REASON_MAX
        )
        if not reason and "reason" not in errors:
            errors["reason"] = messages.REASON_REQUIRED
    else:
        reason = clean_text(
            reason, "reason", errors, too_long=messages.REASON_TOO_LONG, max_length=REASON_MAX
        )
    if target == OrderStatus.SHIPPED:
        shipped_on = clean_shipped_on(shipped_on, local(now).date(), errors)
        tracking_note = clean_line(
            tracking_note, "tracking_note", errors, required=None,
            too_long=messages.TRACKING_TOO_LONG, max_length=TRACKING_MAX,
        )  # fmt: skip
    refuse(errors)
    async with write_transaction(session):
        order = await _locked_order(session, order_id)
        if not actor.is_organiser and not (
            target == OrderStatus.CANCELLED and _may_cancel_own(actor, order)
        ):
            if order.member_id == actor.id or actor.coordinates == order.organisation_id:
                raise Forbidden(messages.ONLY_OWN_CANCEL)
            raise Forbidden(messages.ORDER_FORBIDDEN)
        current = OrderStatus(order.status)
        if target not in NEXT_STATUSES[current]:
            raise InvalidState(
                messages.STEP_NOT_POSSIBLE.format(
                    current=messages.STEP_ADJECTIVES[current], wanted=messages.STEP_VERBS[target]
                )
            )
        if target in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
            items = await lock_items(session, (line.item_id for line in order.lines))
            for line in order.lines:
                items[line.item_id].stock += line.quantity
                rearm(items[line.item_id])
        order.status = target
        order.changed_at = now
        if target == OrderStatus.REJECTED:
            order.reason = reason
        if target == OrderStatus.SHIPPED:
            order.shipped_on = shipped_on
            order.tracking_note = tracking_note
        if order.member_id != actor.id:
            record(
                session, actor=actor, action="order_status", now=now, member_id=order.member_id,
                before={"order": order.number, "order_status": current.value},
                after={"order_status": target.value}, reason=reason,
            )  # fmt: skip
        if order.member is not None:
            enqueue(
                session, order.member.email, f"material_order_{target.value}",
                material_order_id=order.id,
            )  # fmt: skip
    return order


async def change_quantities(
    session: AsyncSession,
    *,
    actor: Member,
    order_id: int,
    quantities: Mapping[int, int],
    now: datetime,
) -> MaterialOrder:
    """The staff unit changes an open order's quantities (item id → new quantity; 0 takes
    the item out, items not named keep theirs). More takes from the stock and counts
    against the yearly limit as a new order would; less gives back."""
    require = actor.is_organiser
    if not require:
        raise Forbidden(messages.ORGANISERS_ONLY)
    errors: dict[str, str] = {}
    for item_id, quantity in quantities.items():
        clean_quantity(quantity, f"quantities.{item_id}", errors, smallest=0)
    refuse(errors)
    async with write_transaction(session):
        order = await _locked_order(session, order_id)
        current = OrderStatus(order.status)
        if current not in OPEN_STATUSES:
            raise InvalidState(
                messages.QUANTITIES_CLOSED.format(current=messages.STEP_ADJECTIVES[current])
            )
        held = {line.item_id: line for line in order.lines}
        for item_id in quantities:
            if item_id not in held:
                errors[f"quantities.{item_id}"] = messages.ITEM_NOT_ORDERABLE
        refuse(errors)
        new = {item_id: quantities.get(item_id, line.quantity) for item_id, line in held.items()}
        if not any(new.values()):
            raise ValidationFailed(
                messages.QUANTITIES_ALL_ZERO, {"quantities": messages.QUANTITIES_ALL_ZERO}
            )
        if all(new[i] == line.quantity for i, line in held.items()):
            raise ValidationFailed(
                messages.QUANTITIES_UNCHANGED, {"quantities": messages.QUANTITIES_UNCHANGED}
            )
        items = await lock_items(session, held)
        used = await ordered_this_year(session, order.organisation_id, order.year, held)
        _check_amounts(
            [
                (f"quantities.{i}", items[i], new[i], line.quantity)
                for i, line in held.items()
                if new[i] > line.quantity
            ],
            order.organisation,
            used,
            order.year,
        )
        before = {items[i].name: line.quantity for i, line in held.items()}
        after = {items[i].name: new[i] for i in held}
        for item_id, line in held.items():
            items[item_id].stock -= new[item_id] - line.quantity
            rearm(items[item_id])
            if new[item_id] == 0:
                order.lines.remove(line)
                await session.delete(line)
            else:
                line.quantity = new[item_id]
        order.changed_at = now
        record(
            session, actor=actor, action="order_quantity", now=now, member_id=order.member_id,
            before={"order": order.number, **before}, after=after,
        )  # fmt: skip
        if order.member is not None:
            enqueue(
                session, order.member.email, "material_order_changed", material_order_id=order.id
            )
    return order


async def with_lines(session: AsyncSession, order_id: int) -> MaterialOrder:
    """The order with its lines and their items, for an answer."""
    order = await session.scalar(
        select(MaterialOrder)
        .where(MaterialOrder.id == order_id)
        .options(selectinload(MaterialOrder.lines).selectinload(MaterialOrderLine.item))
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound(messages.ORDER_UNKNOWN)
    return order
