"""The material endpoints: the catalogue, ordering with each refusal's status and German
reason, the organisers' steps, and hostile bodies that change nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.mail.models import OutboxMessage
from materials.models import MaterialItem, MaterialOrder
from tests import factories
from tests.api import assert_german_error, token_of
from tests.materials.factories import address, item, orderer


async def state(db: AsyncSession) -> tuple[Any, ...]:
    await db.commit()
    items = await db.execute(select(MaterialItem.id, MaterialItem.stock, MaterialItem.name))
    orders = await db.execute(select(MaterialOrder.id, MaterialOrder.status))
    outbox = await db.scalar(select(func.count()).select_from(OutboxMessage))
    return sorted(tuple(r) for r in items), sorted(tuple(r) for r in orders), outbox


async def test_catalogue_create_change_and_list(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    _, person = await orderer(db)
    auth, member_auth = await token_of(db, organiser), await token_of(db, person)
    created = await client.post(
        "/api/v1/materials",
        json={"name": "Türkeil", "description": "Hält Türen offen.", "stock": 200,
              "emergency_services_only": True, "yearly_limit": 50},
        headers=auth,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    wedge = created.json()
    assert {k: wedge[k] for k in ("name", "stock", "emergency_services_only", "yearly_limit")} == {
        "name": "Türkeil", "stock": 200, "emergency_services_only": True, "yearly_limit": 50,
    }  # fmt: skip
    changed = await client.patch(
        f"/api/v1/materials/{wedge['id']}", json={"yearly_limit": None, "stock": 150}, headers=auth
    )
    assert changed.status_code == 200 and changed.json()["yearly_limit"] is None
    assert changed.json()["stock"] == 150
    retired = await client.post(
        "/api/v1/materials", json={"name": "Alt", "stock": 1, "active": False}, headers=auth
    )
    assert retired.status_code == 201
    listed = await client.get("/api/v1/materials", headers=member_auth)
    assert [m["name"] for m in listed.json()] == ["Türkeil"]
    assert set(listed.json()[0]) >= {
        "id",
        "name",
        "stock",
        "emergency_services_only",
        "yearly_limit",
    }
    assert len((await client.get("/api/v1/materials", headers=auth)).json()) == 2
    paged = await client.get("/api/v1/materials?limit=1", headers=auth)
    assert len(paged.json()) == 1 and 'rel="next"' in paged.headers["link"]

    refused = await client.post(
        "/api/v1/materials", json={"name": "x", "stock": 1}, headers=member_auth
    )
    assert_german_error(refused, 403)
    taken = await client.post(
        "/api/v1/materials", json={"name": "türkeil", "stock": 1}, headers=auth
    )
    assert "gibt es bereits" in assert_german_error(taken, 422)["fields"]["name"]
    for body in ({}, {"stock": -1}, {"stock": "5"}, {"name": ""}, {"name": "a\x00b"},
                 {"yearly_limit": 0}, {"unit": None}, {"farbe": "rot"}):  # fmt: skip
        before = await state(db)
        answer = await client.patch(f"/api/v1/materials/{wedge['id']}", json=body, headers=auth)
        assert_german_error(answer, 422)
        assert await state(db) == before
    assert_german_error(
        await client.patch("/api/v1/materials/999", json={"stock": 1}, headers=auth), 404
    )


async def test_ordering_through_the_api(client: httpx.AsyncClient, db: AsyncSession) -> None:
    org, crew = await orderer(db, sector="polizei")
    school, teacher = await orderer(db, sector="schule")
    wedges = await item(db, stock=12, emergency_services_only=True, yearly_limit=10, name="Türkeil")
    auth, teacher_auth = await token_of(db, crew), await token_of(db, teacher)

    def body(quantity: int, who: Any = org, **more: Any) -> dict[str, Any]:
        return {"items": [{"material_id": wedges.id, "quantity": quantity}],
                "delivery_address": address(who), "note": "An die Wache.", **more}  # fmt: skip

    placed = await client.post("/api/v1/orders", json=body(6), headers=auth)
    assert placed.status_code == 201, placed.text
    answer = placed.json()
    assert answer["status"] == "received"
    assert answer["items"] == [
        {"material_id": wedges.id, "name": "Türkeil", "unit": "Stück", "quantity": 6}
    ]
    assert answer["contact"] == f"{crew.display_name}, {crew.email}"

    over = assert_german_error(await client.post("/api/v1/orders", json=body(5), headers=auth), 422)
    assert over["error"] == "over_yearly_limit" and "noch 4 Stück" in over["message"]
    not_eligible = await client.post("/api/v1/orders", json=body(1, school), headers=teacher_auth)
    assert "Einsatzkräfte" in assert_german_error(not_eligible, 403, "not_eligible")["message"]

    other_org, other = await orderer(db, sector="thw")
    short = await client.post(
        "/api/v1/orders", json=body(7, other_org), headers=await token_of(db, other)
    )
    assert "noch 6 Stück verfügbar" in assert_german_error(short, 409, "out_of_stock")["message"]

    mine = await client.get("/api/v1/me/orders", headers=auth)
    assert [o["id"] for o in mine.json()] == [answer["id"]]
    assert (await client.get("/api/v1/me/orders", headers=teacher_auth)).json() == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": [], "delivery_address": "x"},
        {"items": [{"material_id": 1, "quantity": 0}], "delivery_address": "x"},
        {"items": [{"material_id": 1, "quantity": "5"}], "delivery_address": "x"},
        {"items": [{"material_id": 0, "quantity": 5}], "delivery_address": "x"},
        {
            "items": [{"material_id": 1, "quantity": 5}],
            "delivery_address": "Privat\nWeg 1\n48143 Münster",
        },
        {
            "items": [{"material_id": 1, "quantity": 5}],
            "delivery_address": "{org}\n\x00\n48143 Münster",
        },
        {
            "items": [{"material_id": 1, "quantity": 5}],
            "delivery_address": "{org}\nWeg 1\n48143 Münster",
            "x": 1,
        },
        [1, 2],
    ],
)
async def test_hostile_orders_are_refused_in_german_and_change_nothing(
    client: httpx.AsyncClient, db: AsyncSession, body: Any
) -> None:
    org, crew = await orderer(db)
    await item(db, stock=10)
    if isinstance(body, dict) and "delivery_address" in body:
        body["delivery_address"] = body["delivery_address"].replace("{org}", org.name)
    before = await state(db)
    answer = await client.post("/api/v1/orders", json=body, headers=await token_of(db, crew))
    assert_german_error(answer, 422)
    assert await state(db) == before
    garbage = await client.post(
        "/api/v1/orders",
        content=b"{nope",
        headers={**await token_of(db, crew), "content-type": "application/json"},
    )
    assert_german_error(garbage, 422)


async def test_the_organisers_steps(client: httpx.AsyncClient, db: AsyncSession) -> None:
    org, crew = await orderer(db)
    wedges = await item(db, stock=20)
    organiser = await factories.member(db, role="organiser")
    auth, crew_auth = await token_of(db, organiser), await token_of(db, crew)
    placed = (
        await client.post(
            "/api/v1/orders",
            json={
                "items": [{"material_id": wedges.id, "quantity": 5}],
                "delivery_address": address(org),
            },
            headers=crew_auth,
        )
    ).json()
    url = f"/api/v1/orders/{placed['id']}"
    assert_german_error(
        await client.patch(url, json={"status": "approved"}, headers=crew_auth), 403
    )
    _, stranger = await orderer(db, role="coordinator")
    assert_german_error(
        await client.patch(url, json={"status": "cancelled"}, headers=await token_of(db, stranger)),
        403,
    )
    more = await client.patch(
        url, json={"items": [{"material_id": wedges.id, "quantity": 8}]}, headers=auth
    )
    assert more.status_code == 200 and more.json()["items"][0]["quantity"] == 8
    too_many = await client.patch(
        url, json={"items": [{"material_id": wedges.id, "quantity": 21}]}, headers=auth
    )
    assert_german_error(too_many, 409, "out_of_stock")
    assert_german_error(await client.patch(url, json={"status": "rejected"}, headers=auth), 422)
    assert_german_error(await client.patch(url, json={"status": "received"}, headers=auth), 422)
    assert_german_error(await client.patch(url, json={}, headers=auth), 422)
    approved = await client.patch(url, json={"status": "approved"}, headers=auth)
    assert approved.json()["status"] == "approved"
    shipped = await client.patch(
        url,
        json={"status": "shipped", "shipped_on": "2026-01-05", "tracking_note": "DHL 123"},
        headers=auth,
    )
    assert (shipped.json()["status"], shipped.json()["shipped_on"]) == ("shipped", "2026-01-05")
    again = await client.patch(url, json={"status": "cancelled"}, headers=auth)
    assert "versandte Bestellung kann nicht storniert" in assert_german_error(again, 409)["message"]
    assert_german_error(
        await client.patch("/api/v1/orders/99999", json={"status": "approved"}, headers=auth), 404
    )
