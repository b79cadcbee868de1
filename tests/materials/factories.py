"""Test data for the material room: items, and an organisation's member ready to order."""

from __future__ import annotations

import itertools

from sqlalchemy.ext.asyncio import AsyncSession

from booking.members.models import Member
from booking.organisations.models import Organisation
from materials.models import MaterialItem
from tests import factories

_counter = itertools.count(1)


async def item(
    db: AsyncSession,
    *,
    stock: int = 100,
    emergency_services_only: bool = False,
    yearly_limit: int | None = None,
    low_stock_threshold: int = 0,
    active: bool = True,
    name: str | None = None,
    unit: str = "Stück",
) -> MaterialItem:
    made = MaterialItem(
        name=name or f"Artikel {next(_counter)}", description="", unit=unit, picture="",
        stock=stock, emergency_services_only=emergency_services_only,
        yearly_limit=yearly_limit, low_stock_threshold=low_stock_threshold, active=active,
    )  # fmt: skip
    db.add(made)
    await db.commit()
    return made


def address(org: Organisation, *lines: str) -> str:
    """An official delivery address of ``org``."""
    return "\n".join([org.name, *(lines or ("Hauptstraße 1",)), "48143 Münster"])


async def orderer(
    db: AsyncSession, *, sector: str = "feuerwehr", role: str = "member"
) -> tuple[Organisation, Member]:
    org = await factories.organisation(db, sector=sector)
    return org, await factories.member(db, org, role=role)
