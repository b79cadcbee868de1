"""The catalogue, as the staff unit keeps it: create and change items (orders are in
orders.py, the low-stock alert in alerts.py).

Every change is an organiser's, checked as a whole (every field's problem at once, in
German) and written in one write transaction with the item row locked, so that a change of
the stock and an order for the item never cross. A raised stock re-arms the low-stock alert.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.errors import NotFound, ValidationFailed
from booking.core.transactions import write_transaction
from booking.members.models import Member
from materials import messages
from materials.checks import (
    DESCRIPTION_MAX,
    NAME_MAX,
    UNIT_MAX,
    clean_amount,
    clean_line,
    clean_text,
    refuse,
    require_organiser,
)
from materials.models import MaterialItem

UNSET: Any = object()
"""For :func:`update_item`: the field is left as it is (None means "no yearly limit")."""


def rearm(item: MaterialItem) -> None:
    """Back at or above its threshold: the next fall below it is told again."""
    if item.stock >= item.low_stock_threshold:
        item.low_stock_alerted_at = None


def _clean(fields: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The given fields, checked; every problem goes into ``errors`` by field."""
    cleaned: dict[str, Any] = {}
    if "name" in fields:
        cleaned["name"] = clean_line(
            fields["name"], "name", errors, required=messages.NAME_REQUIRED,
            too_long=messages.NAME_TOO_LONG, max_length=NAME_MAX,
        )  # fmt: skip
    if "description" in fields:
        cleaned["description"] = clean_text(
            fields["description"], "description", errors,
            too_long=messages.DESCRIPTION_TOO_LONG, max_length=DESCRIPTION_MAX,
        )  # fmt: skip
    if "unit" in fields:
        cleaned["unit"] = clean_line(
            fields["unit"], "unit", errors, required=messages.UNIT_REQUIRED,
            too_long=messages.UNIT_TOO_LONG, max_length=UNIT_MAX,
        )  # fmt: skip
    if "picture" in fields:
        if fields["picture"] not in messages.PICTURES:
            errors["picture"] = messages.PICTURE_UNKNOWN
        cleaned["picture"] = fields["picture"]
    amounts = (
        ("stock", messages.STOCK_RANGE, 0),
        ("yearly_limit", messages.LIMIT_RANGE, 1),
        ("low_stock_threshold", messages.THRESHOLD_RANGE, 0),
    )
    for name, message, smallest in amounts:
        if name in fields:
            cleaned[name] = clean_amount(
                fields[name], name, errors, message=message, smallest=smallest
            )
            if name != "yearly_limit" and fields[name] is None:
                errors[name] = message
    for flag in ("emergency_services_only", "active"):
        if flag in fields:
            cleaned[flag] = bool(fields[flag])
    return cleaned


async def _name_taken(session: AsyncSession, name: str, except_id: int | None = None) -> bool:
    query = select(MaterialItem.id).where(func.lower(MaterialItem.name) == name.lower())
    if except_id is not None:
        query = query.where(MaterialItem.id != except_id)
    return await session.scalar(query.limit(1)) is not None


def _taken(name: str) -> ValidationFailed:
    message = messages.NAME_TAKEN.format(name=name)
    return ValidationFailed(message, {"name": message})


@asynccontextmanager
async def _unique_name(session: AsyncSession, name: str) -> AsyncIterator[None]:
    """Two organisers naming two items alike at once: the database's unique index refuses
    the second, with the same message as the check."""
    try:
        async with session.begin_nested():
            yield
    except IntegrityError as exc:
        raise _taken(name) from exc


async def create_item(
    session: AsyncSession,
    *,
    actor: Member,
    name: str,
    description: str = "",
    unit: str = "Stück",
    picture: str = "",
    stock: int = 0,
    emergency_services_only: bool = False,
    yearly_limit: int | None = None,
    low_stock_threshold: int = 0,
    active: bool = True,
) -> MaterialItem:
    require_organiser(actor)
    errors: dict[str, str] = {}
    values = _clean(
        {
            "name": name, "description": description, "unit": unit, "picture": picture,
            "stock": stock, "emergency_services_only": emergency_services_only,
            "yearly_limit": yearly_limit, "low_stock_threshold": low_stock_threshold,
            "active": active,
        },
        errors,
    )  # fmt: skip
    async with write_transaction(session):
        if "name" not in errors and await _name_taken(session, values["name"]):
            errors["name"] = _taken(values["name"]).message
        refuse(errors)
        item = MaterialItem(**values)
        async with _unique_name(session, item.name):
            session.add(item)
    return item


async def update_item(
    session: AsyncSession,
    *,
    actor: Member,
    item_id: int,
    **changes: Any,
) -> MaterialItem:
    """Change the fields given (the keywords of :func:`create_item`); the stock set here is
    what is on the shelf, orders already accepted have taken theirs off."""
    require_organiser(actor)
    unknown = set(changes) - {
        "name", "description", "unit", "picture", "stock", "emergency_services_only",
        "yearly_limit", "low_stock_threshold", "active",
    }  # fmt: skip
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    errors: dict[str, str] = {}
    values = _clean({k: v for k, v in changes.items() if v is not UNSET}, errors)
    async with write_transaction(session):
        item = await session.scalar(
            select(MaterialItem)
            .where(MaterialItem.id == item_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if item is None:
            raise NotFound(messages.ITEM_UNKNOWN)
        renamed = "name" in values and values["name"] != item.name and "name" not in errors
        if renamed and await _name_taken(session, values["name"], except_id=item.id):
            errors["name"] = _taken(values["name"]).message
        refuse(errors)
        async with _unique_name(session, values.get("name", item.name)):
            for column, value in values.items():
                setattr(item, column, value)
            rearm(item)
    return item
