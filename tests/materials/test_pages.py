"""The material pages through the ASGI client: ordering from the form (with every refusal next
to its field), "Meine Bestellungen", the coordinator's view, the organisers' catalogue and
queue with an order's steps, quantities, packing slip and export; who may see what."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from materials.models import MaterialItem, MaterialOrder
from tests import factories
from tests.materials.factories import address, item, orderer
from tests.pdfs import page_texts
from tests.web import csrf_token, post_form, sign_in


async def order_rows(db: AsyncSession) -> list[tuple[int, str]]:
    await db.commit()
    return [(i, s) for i, s in await db.execute(select(MaterialOrder.id, MaterialOrder.status))]


async def test_a_member_orders_from_the_form(
    app: Starlette, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    org, crew = await orderer(db, sector="feuerwehr")
    wedges = await item(db, stock=12, emergency_services_only=True, yearly_limit=10, name="Türkeil")
    cards = await item(db, stock=5, name="Taschenkarte")
    await sign_in(client, app, crew.email)
    form = await client.get("/material")
    assert form.status_code == 200
    assert "Türkeil" in form.text and "noch 10 Stück bestellen" in form.text
    assert 'href="/material" aria-current="page"' in form.text

    # Over the limit, over the stock, a home address: all at once, nothing written.
    data = {"csrf_token": csrf_token(form.text), f"menge-{wedges.id}": "11",
            f"menge-{cards.id}": "6", "address_choice": "neu",
            "delivery_address": "Max\nAmselweg 3\n48143 Münster", "contact": "M"}  # fmt: skip
    refused = await client.post("/material", data=data)
    assert refused.status_code == 422
    assert "nie an eine Privatanschrift" in refused.text
    data["delivery_address"] = address(org)
    refused = await client.post("/material", data=data)
    assert refused.status_code == 422 and "noch 10 Stück bestellen" in refused.text
    assert f'id="menge-{wedges.id}-error"' in refused.text
    data[f"menge-{wedges.id}"] = "4"
    refused = await client.post("/material", data=data)
    assert refused.status_code == 409 and "noch 5 Stück verfügbar" in refused.text
    refused = await client.post("/material", data={**data, f"menge-{cards.id}": "zwei"})
    assert refused.status_code == 422 and "ganze Zahl" in refused.text
    refused = await client.post("/material", data={**data, "note": "a\x00b"})
    assert refused.status_code == 422 and "Steuerzeichen" in refused.text
    assert (await client.post("/material", data={**data, "csrf_token": "x"})).status_code == 400
    assert await order_rows(db) == []

    placed = await client.post("/material", data={**data, f"menge-{cards.id}": "5"})
    assert placed.status_code == 303
    page = await client.get(placed.headers["location"])
    assert "ist eingegangen" in page.text and "eingegangen" in page.text
    # The address is offered again next time.
    again = await client.get("/material")
    assert 'value="0"' in again.text and "Hauptstraße 1" in again.text
    mine = await client.get("/meine-bestellungen")
    assert re.search(r"M-0000\d\d", mine.text)
    [(order_id, _)] = await order_rows(db)
    cancelled = await client.post(
        f"/meine-bestellungen/{order_id}/stornieren", data={"csrf_token": csrf_token(page.text)}
    )
    assert cancelled.status_code == 303
    assert await order_rows(db) == [(order_id, "cancelled")]
    await db.commit()
    assert await db.scalar(select(MaterialItem.stock).where(MaterialItem.id == cards.id)) == 5


async def test_who_sees_which_orders(
    app: Starlette, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    from materials.orders import Line, place_order
    from tests.factories import NOW

    org, person = await orderer(db)
    coordinator = await factories.member(db, org, role="coordinator")
    _, stranger = await orderer(db, role="coordinator")
    cards = await item(db)
    order = await place_order(
        db, actor=person, lines=[Line(cards.id, 2)], delivery_address=address(org),
        contact="x", now=NOW,
    )  # fmt: skip
    await sign_in(client, app, stranger.email)
    assert (await client.get(f"/meine-bestellungen/{order.id}")).status_code == 403
    assert (await client.get("/meine-bestellungen/organisation")).text.count(order.number) == 0
    assert (await client.get("/verwaltung/bestellungen")).status_code == 403
    assert (
        await client.get(f"/verwaltung/bestellungen/{order.id}/lieferschein.pdf")
    ).status_code == 403
    page = await client.get("/meine-bestellungen")
    refused = await client.post(
        f"/meine-bestellungen/{order.id}/stornieren", data={"csrf_token": csrf_token(page.text)}
    )
    assert refused.status_code == 403
    await client.post("/abmelden", data={"csrf_token": csrf_token(page.text)})
    await sign_in(client, app, coordinator.email)
    listed = await client.get("/meine-bestellungen/organisation")
    assert listed.status_code == 200 and order.number in listed.text
    assert (await client.get(f"/meine-bestellungen/{order.id}")).status_code == 200
    assert (await client.get("/meine-bestellungen/999999")).status_code == 404


async def test_the_organisers_catalogue_queue_and_order(
    app: Starlette, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    from materials.orders import Line, place_order
    from tests.factories import NOW

    organiser = await factories.member(db, role="organiser")
    await sign_in(client, app, organiser.email)
    new = "/verwaltung/material/neu"
    refused = await post_form(client, new, new, {"name": "", "stock": "x", "unit": "Stück"})
    assert refused.status_code == 422 and "Bezeichnung" in refused.text
    created = await post_form(
        client, new, new,
        {"name": "Türkeil", "unit": "Stück", "stock": "2.400", "yearly_limit": "200",
         "low_stock_threshold": "300", "emergency_services_only": "y", "active": "y",
         "picture": "tuerkeil.svg"},
    )  # fmt: skip
    assert created.status_code == 303
    listing = await client.get("/verwaltung/material")
    assert "2.400 Stück" in listing.text and "nur Einsatzkräfte" in listing.text
    await db.commit()
    wedges = await db.scalar(select(MaterialItem).where(MaterialItem.name == "Türkeil"))
    assert wedges is not None and wedges.yearly_limit == 200
    edit = f"/verwaltung/material/{wedges.id}"
    refused = await post_form(
        client, edit, edit, {"name": "Türkeil", "unit": "Stück", "stock": "-3"}
    )
    assert refused.status_code == 422
    assert (await client.get("/verwaltung/material/99999")).status_code == 404

    org, crew = await orderer(db)
    order = await place_order(
        db, actor=crew, lines=[Line(wedges.id, 10)], delivery_address=address(org),
        contact="Wache 1", note="=HYPERLINK(1)", now=NOW,
    )  # fmt: skip
    queue = await client.get("/verwaltung/bestellungen")
    assert order.number in queue.text
    assert (await client.get("/verwaltung/bestellungen?status=versandt")).status_code == 400
    assert order.number not in (await client.get("/verwaltung/bestellungen?status=shipped")).text
    manage = f"/verwaltung/bestellungen/{order.id}"
    page = await client.get(manage)
    assert "Freigeben" in page.text and "Lieferschein" in page.text
    token = csrf_token(page.text)
    refused = await client.post(
        f"{manage}/schritt", data={"csrf_token": token, "aktion": "rejected"}
    )
    assert refused.status_code == 422 and "Grund" in refused.text
    refused = await client.post(
        f"{manage}/schritt", data={"csrf_token": token, "aktion": "shipped"}
    )
    assert refused.status_code == 409
    refused = await client.post(
        f"{manage}/mengen", data={"csrf_token": token, f"menge-{wedges.id}": "201"}
    )
    assert refused.status_code == 422 and "Jahresgrenze" in refused.text
    changed = await client.post(
        f"{manage}/mengen", data={"csrf_token": token, f"menge-{wedges.id}": "12"}
    )
    assert changed.status_code == 303
    assert (
        await client.post(f"{manage}/schritt", data={"csrf_token": token, "aktion": "approved"})
    ).status_code == 303
    refused = await client.post(
        f"{manage}/schritt",
        data={"csrf_token": token, "aktion": "shipped", "shipped_on": "31.02.2026"},
    )
    assert refused.status_code == 422 and "Versanddatum" in refused.text

    slip = await client.get(f"{manage}/lieferschein.pdf")
    assert slip.headers["content-type"] == "application/pdf"
    [text] = page_texts(slip.content)
    assert order.number in text and org.name in text and "48143 Münster" in text
    assert "Türkeil" in text and "12" in text
    csv = await client.get("/verwaltung/bestellungen/offen.csv")
    assert csv.status_code == 200
    rows = csv.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Bestellnummer;Eingegangen;Status")
    assert order.number in rows[1] and "'=HYPERLINK(1)" in rows[1]
    xlsx = await client.get("/verwaltung/bestellungen/offen.xlsx")
    assert xlsx.content[:2] == b"PK"
    shipped = await client.post(
        f"{manage}/schritt",
        data={"csrf_token": token, "aktion": "shipped", "shipped_on": "", "tracking_note": "DHL 1"},
    )
    assert shipped.status_code == 303
    assert f'{manage}"' not in (await client.get("/verwaltung/bestellungen")).text
    assert (
        len(
            (await client.get("/verwaltung/bestellungen/offen.csv"))
            .content.decode("utf-8-sig")
            .splitlines()
        )
        == 1
    )
