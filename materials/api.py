"""The material endpoints, joined into booking/api.py's table: the catalogue (everyone signed
in reads it, organisers change it), orders (members place them for their organisation, the
staff unit takes them on their way)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from booking.core.api import (
    Operation,
    json_answer,
    page_headers,
    path_id,
    read_body,
    read_query,
)
from booking.core.paging import parse_limit
from booking.core.schemas import PageQuery
from booking.core.web import db, now
from booking.members.models import Member
from materials import orders, queries, schemas, services
from materials.models import MaterialItem, MaterialOrder


def _item(item: MaterialItem) -> schemas.MaterialOut:
    return schemas.MaterialOut(
        id=item.id, name=item.name, description=item.description, unit=item.unit,
        stock=item.stock, emergency_services_only=item.emergency_services_only,
        yearly_limit=item.yearly_limit, low_stock_threshold=item.low_stock_threshold,
        active=item.active,
    )  # fmt: skip


def _order(order: MaterialOrder) -> schemas.OrderOut:
    return schemas.OrderOut(
        id=order.id,
        number=order.number,
        status=order.status,  # type: ignore[arg-type]
        organisation_id=order.organisation_id,
        items=[
            schemas.LineOut(
                material_id=line.item_id,
                name=line.item.name,
                unit=line.item.unit,
                quantity=line.quantity,
            )  # fmt: skip
            for line in order.lines
        ],
        delivery_address=order.delivery_address,
        contact=order.contact,
        note=order.note,
        created_at=order.created_at,
        shipped_on=order.shipped_on,
        tracking_note=order.tracking_note,
        reason=order.reason,
    )


def _fields_keyed(model: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(model, name) for name in names if name in model.model_fields_set}


async def list_materials(request: Request, actor: Member) -> Response:
    params = read_query(request, PageQuery)
    page = await queries.list_items(
        db(request), actor, after=params.cursor, limit=parse_limit(str(params.limit))
    )
    return json_answer([_item(item) for item in page.items], headers=page_headers(request, page))


async def create_material(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.MaterialIn)
    item = await services.create_item(db(request), actor=actor, **body.model_dump())
    return json_answer(_item(item), 201)


async def change_material(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.MaterialChanges)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    item = await services.update_item(db(request), actor=actor, item_id=path_id(request), **changes)
    return json_answer(_item(item))


async def place_order(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.OrderIn)
    contact = body.contact if body.contact is not None else f"{actor.display_name}, {actor.email}"
    order = await orders.place_order(
        db(request),
        actor=actor,
        lines=[orders.Line(line.material_id, line.quantity) for line in body.items],
        delivery_address=body.delivery_address,
        contact=contact,
        note=body.note,
        now=now(request),
    )
    return json_answer(_order(order), 201)


async def my_orders(request: Request, actor: Member) -> Response:
    params = read_query(request, PageQuery)
    page = await queries.my_orders(db(request), actor, after=params.cursor, limit=params.limit)
    return json_answer([_order(o) for o in page.items], headers=page_headers(request, page))


async def change_order(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.OrderChange)
    order_id = path_id(request)
    if body.status is not None:
        await orders.change_status(
            db(request), actor=actor, order_id=order_id, status=body.status, now=now(request),
            reason=body.reason, shipped_on=body.shipped_on, tracking_note=body.tracking_note,
        )  # fmt: skip
    else:
        await orders.change_quantities(
            db(request), actor=actor, order_id=order_id, now=now(request),
            quantities={line.material_id: line.quantity for line in body.items or []},
        )  # fmt: skip
    return json_answer(_order(await orders.with_lines(db(request), order_id)))


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", "/materials", list_materials, "member", 200, schemas.MaterialOut, many=True,
        query=PageQuery, paged=True,
        summary="Der Materialkatalog (für die Geschäftsstelle auch nicht mehr bestellbare "
        "Artikel), seitenweise",
    ),
    Operation(
        "POST", "/materials", create_material, "organiser", 201, schemas.MaterialOut,
        body=schemas.MaterialIn, errors=(503,),
        summary="Einen Artikel in den Katalog aufnehmen",
    ),
    Operation(
        "PATCH", "/materials/{id:id}", change_material, "organiser", 200, schemas.MaterialOut,
        body=schemas.MaterialChanges, errors=(503,),
        summary="Einen Artikel ändern (Bestand, Jahresgrenze, wer bestellen darf …)",
    ),
    Operation(
        "POST", "/orders", place_order, "member", 201, schemas.OrderOut,
        body=schemas.OrderIn, errors=(403, 409, 503),
        summary="Material für die eigene Organisation bestellen: 403 nicht berechtigt "
        "(Türkeile nur für Einsatzkräfte), 409 nicht genug auf Lager, 422 über der "
        "Jahresgrenze oder ungültige Angaben",
    ),
    Operation(
        "GET", "/me/orders", my_orders, "member", 200, schemas.OrderOut, many=True,
        query=PageQuery, paged=True,
        summary="Eigene Bestellungen, neueste zuerst",
    ),
    Operation(
        "PATCH", "/orders/{id:id}", change_order, "organiser", 200, schemas.OrderOut,
        body=schemas.OrderChange, errors=(409, 503),
        summary="Nächster Schritt einer Bestellung (approved, shipped, rejected, cancelled) "
        "oder neue Mengen vor dem Versand",
    ),
)  # fmt: skip
