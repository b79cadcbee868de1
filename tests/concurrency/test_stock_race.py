"""Door wedges going fast: orders race for the stock and for an organisation's yearly limit
through the JSON API of a real server with two worker processes, on SQLite and PostgreSQL.
Exactly as many are accepted as the stock (or the limit) allows; the rest are refused with
the German reason; the stock ends at zero, never below."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from booking.core.db import create_engine, session_factory, utcnow
from booking.members.models import Member
from booking.organisations.models import Organisation, OrganisationDomain
from materials.models import MaterialItem, MaterialOrder, MaterialOrderLine
from materials.orders import order_year
from tests.concurrency.server import fire_at_once, fresh_database, running_server, server_env, sid
from tests.databases import postgres_url

pytestmark = pytest.mark.race

DATABASES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(postgres_url() is None, reason="TEST_DATABASE_URL not set"),
    ),
]


@pytest.fixture(params=DATABASES)
async def race_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with fresh_database(request.param, tmp_path, postgres_url()) as url:
        yield url


async def seed(url: str, organisations: int, members: int, stock: int, limit: int | None) -> int:
    """Fire brigades with ``members`` people spread over them, and the door wedges."""
    engine = create_engine(url)
    async with session_factory(engine)() as db:
        orgs = []
        for n in range(organisations):
            org = Organisation(name=f"Feuerwehr {n}", sector="feuerwehr", region="Köln")
            org.domains.append(OrganisationDomain(domain=f"feuerwehr{n}.example"))
            orgs.append(org)
        db.add_all(orgs)
        await db.flush()
        db.add_all(
            Member(
                email=f"m{i:03d}@feuerwehr{i % organisations}.example",
                first_name="M",
                last_name=f"{i:03d}",
                organisation_id=orgs[i % organisations].id,
            )  # fmt: skip
            for i in range(members)
        )
        wedges = MaterialItem(
            name="Türkeil", description="", unit="Stück", picture="", stock=stock,
            emergency_services_only=True, yearly_limit=limit, low_stock_threshold=0, active=True,
        )  # fmt: skip
        db.add(wedges)
        await db.commit()
        item_id = wedges.id
    await engine.dispose()
    return item_id


async def facts(url: str, item_id: int) -> tuple[int, int, int]:
    """The stock, the orders, and the door wedges the orders hold."""
    engine = create_engine(url)
    async with session_factory(engine)() as db:
        stock = await db.scalar(select(MaterialItem.stock).where(MaterialItem.id == item_id))
        orders = await db.scalar(select(func.count()).select_from(MaterialOrder))
        held = await db.scalar(select(func.sum(MaterialOrderLine.quantity)))
    await engine.dispose()
    return int(stock or 0), int(orders or 0), int(held or 0)


def body(item_id: int, email: str) -> dict[str, object]:
    brigade = email.partition("@")[2].removesuffix(".example").replace("feuerwehr", "Feuerwehr ")
    return {
        "items": [{"material_id": item_id, "quantity": 5}],
        "delivery_address": f"{brigade}\nFeuer- und Rettungswache 1\n50667 Köln",
    }


async def race(url: str, tmp_path: Path, item_id: int, emails: list[str]) -> list[httpx.Response]:
    env = server_env(url, tmp_path)
    tokens = sid(["token", *emails], env).stdout.split()
    assert len(tokens) == len(emails)
    with running_server(env, workers=2) as base:
        limits = httpx.Limits(max_connections=len(emails), max_keepalive_connections=len(emails))
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            return await fire_at_once(
                client,
                [
                    ("POST", "/api/v1/orders", token, body(item_id, email))
                    for token, email in zip(tokens, emails, strict=True)
                ],
            )


async def test_sixty_orders_of_five_against_two_hundred(race_database: str, tmp_path: Path) -> None:
    item_id = await seed(race_database, organisations=60, members=60, stock=200, limit=None)
    emails = [f"m{i:03d}@feuerwehr{i}.example" for i in range(60)]
    responses = await race(race_database, tmp_path, item_id, emails)
    assert Counter(r.status_code for r in responses) == {201: 40, 409: 20}
    refusals = {r.json()["message"] for r in responses if r.status_code == 409}
    assert refusals == {"Nicht genug auf Lager: Von „Türkeil“ sind noch 0 Stück verfügbar."}
    assert await facts(race_database, item_id) == (0, 40, 200)


async def test_one_organisations_parallel_orders_keep_its_yearly_limit(
    race_database: str, tmp_path: Path
) -> None:
    item_id = await seed(race_database, organisations=1, members=30, stock=1000, limit=50)
    emails = [f"m{i:03d}@feuerwehr0.example" for i in range(30)]
    responses = await race(race_database, tmp_path, item_id, emails)
    assert Counter(r.status_code for r in responses) == {201: 10, 422: 20}
    refusals = {r.json()["message"] for r in responses if r.status_code == 422}
    assert len(refusals) == 1
    [message] = refusals
    assert message == (
        f"Über der Jahresgrenze: Von „Türkeil“ kann Feuerwehr 0 {order_year(utcnow())} noch 0 "
        "Stück bestellen (Grenze 50 je Kalenderjahr)."
    )
    assert await facts(race_database, item_id) == (950, 10, 50)
