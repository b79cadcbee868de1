"""The organisers' material pages: the catalogue (/verwaltung/material), the queue of orders
(/verwaltung/bestellungen) with an order's page, its steps, quantity changes, the packing slip
and the export of open orders."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.errors import DomainError, Forbidden, ValidationFailed
from booking.core.formatting import date_de, local, parse_day_de
from booking.core.web import (
    SpreadsheetKind,
    bind_form,
    blank_form,
    db,
    flash,
    form_errors,
    invalid_status,
    now,
    pdf_answer,
    redirect,
    render,
    render_form,
    require_member,
    spreadsheet_answer,
)
from booking.members.models import Member
from materials import exports, messages, orders, queries, services
from materials.forms import ItemForm, QueueFilterForm, StepForm, whole_number
from materials.models import NEXT_STATUSES, OPEN_STATUSES, MaterialItem, MaterialOrder, OrderStatus
from materials.slip import Slip, render_slip

CATALOGUE = "/verwaltung/material"
QUEUE = "/verwaltung/bestellungen"


async def _organiser(request: Request) -> Member:
    actor: Member = await require_member(request)
    if not actor.is_organiser:
        raise Forbidden()
    return actor


def _show(form: Any, exc: DomainError, fallback: str) -> None:
    fields = getattr(exc, "fields", None) or {fallback: exc.message}
    for name, message in fields.items():
        target = getattr(form, name, None) or getattr(form, fallback)
        target.errors = [*target.errors, message]


# -- the catalogue --------------------------------------------------------------------------------


async def catalogue_page(request: Request) -> Response:
    actor = await _organiser(request)
    after = request.query_params.get("nach") or None
    page = await queries.list_items(db(request), actor, after=after, field="nach")
    return await render(
        request,
        "materials/items.html",
        {
            "page": page,
            "next_url": f"{CATALOGUE}?{urlencode({'nach': page.next_cursor})}"
            if page.next_cursor
            else None,
            "first_url": CATALOGUE if after else None,
        },
    )


def _item_values(form: ItemForm) -> dict[str, Any]:
    return {
        "name": form.name.data or "",
        "description": form.description.data or "",
        "unit": form.unit.data or "",
        "picture": form.picture.data or "",
        "stock": whole_number(form.stock.data, empty=-1),
        "yearly_limit": whole_number(form.yearly_limit.data, empty=None),
        "low_stock_threshold": whole_number(form.low_stock_threshold.data),
        "emergency_services_only": bool(form.emergency_services_only.data),
        "active": bool(form.active.data),
    }


def _item_data(item: MaterialItem) -> dict[str, Any]:
    return {
        "name": item.name, "description": item.description, "unit": item.unit,
        "picture": item.picture, "stock": str(item.stock),
        "yearly_limit": "" if item.yearly_limit is None else str(item.yearly_limit),
        "low_stock_threshold": str(item.low_stock_threshold),
        "emergency_services_only": item.emergency_services_only, "active": item.active,
    }  # fmt: skip


async def new_item_page(request: Request) -> Response:
    actor = await _organiser(request)
    form = await bind_form(
        request, ItemForm, unit="Stück", stock="0", low_stock_threshold="0", active=True
    )
    if request.method == "POST" and form.validate():
        try:
            item = await services.create_item(db(request), actor=actor, **_item_values(form))
        except ValidationFailed as exc:
            _show(form, exc, "name")
        else:
            flash(request, messages.ITEM_CREATED.format(name=item.name))
            return redirect(CATALOGUE)
    return await render_form(request, "materials/item_form.html", form, {"item": None})


async def item_page(request: Request) -> Response:
    actor = await _organiser(request)
    item_id: int = request.path_params["item_id"]
    item = await queries.get_item(db(request), item_id, actor)
    form = await bind_form(request, ItemForm, **_item_data(item))
    if request.method == "POST" and form.validate():
        try:
            item = await services.update_item(
                db(request), actor=actor, item_id=item_id, **_item_values(form)
            )
        except ValidationFailed as exc:
            _show(form, exc, "name")
            item = await queries.get_item(db(request), item_id, actor)
        else:
            flash(request, messages.ITEM_SAVED.format(name=item.name))
            return redirect(CATALOGUE)
    return await render_form(request, "materials/item_form.html", form, {"item": item})


# -- the queue ------------------------------------------------------------------------------------


async def queue_page(request: Request) -> Response:
    actor = await _organiser(request)
    form = QueueFilterForm(formdata=request.query_params)
    status = form.status.data or "offen"
    try:
        page = await queries.order_queue(
            db(request), actor, status=status, after=form.nach.data or None, field="nach"
        )
        valid = True
    except ValidationFailed as exc:
        valid = False
        form.status.errors = [next(iter(exc.fields.values()), exc.message)]
        page = await queries.order_queue(db(request), actor)
    query = {"status": status} if status != "offen" else {}
    return await render(
        request,
        "materials/queue.html",
        {
            "form": form,
            "page": page,
            "errors": [] if valid else form_errors(form),
            "next_url": f"{QUEUE}?{urlencode({**query, 'nach': page.next_cursor})}"
            if valid and page.next_cursor
            else None,
            "first_url": f"{QUEUE}?{urlencode(query)}" if form.nach.data else None,
        },
        status_code=200 if valid else 400,
    )


STEPS = {
    "approved": "Freigeben",
    "shipped": "Als versandt vermerken",
    "rejected": "Ablehnen",
    "cancelled": "Stornieren",
}


async def _order_page(
    request: Request,
    order: MaterialOrder,
    step_form: StepForm,
    status: int = 200,
    item_errors: dict[int, str] | None = None,
    quantities: dict[int, str] | None = None,
) -> Response:
    errors = form_errors(step_form) if status != 200 else []
    names = {line.item_id: line.item.name for line in order.lines}
    errors += [(f"menge-{i}", names.get(i, ""), m) for i, m in (item_errors or {}).items()]
    if status != 200 and not errors:
        errors = [("", "", ValidationFailed.default_message)]
    return await render(
        request,
        "materials/manage_order.html",
        {
            "order": order,
            "form": step_form,
            "steps": [(s.value, STEPS[s.value]) for s in NEXT_STATUSES[OrderStatus(order.status)]],
            "open": order.status in OPEN_STATUSES,
            "errors": errors,
            "item_errors": item_errors or {},
            "quantities": quantities or {},
        },
        status_code=status,
    )


async def order_page(request: Request) -> Response:
    actor = await _organiser(request)
    order = await queries.get_order(db(request), request.path_params["order_id"], actor)
    today = local(now(request)).strftime("%d.%m.%Y")
    return await _order_page(request, order, blank_form(request, StepForm, shipped_on=today))


async def step(request: Request) -> Response:
    actor = await _organiser(request)
    order_id: int = request.path_params["order_id"]
    form = await bind_form(request, StepForm)
    status = 200
    if form.validate():
        target = form.aktion.data or ""
        shipped_on = None
        if target == "shipped" and (form.shipped_on.data or "").strip():
            try:
                shipped_on = parse_day_de(form.shipped_on.data or "")
            except ValueError:
                form.shipped_on.errors = [messages.SHIPPED_ON_INVALID]
                status = 422
        if status == 200:
            try:
                order = await orders.change_status(
                    db(request), actor=actor, order_id=order_id, status=target,
                    now=now(request), reason=form.reason.data or "", shipped_on=shipped_on,
                    tracking_note=form.tracking_note.data or "",
                )  # fmt: skip
            except (ValidationFailed, DomainError) as exc:
                if isinstance(exc, Forbidden) or exc.status == 404:
                    raise
                _show(form, exc, "aktion")
                status = exc.status
            else:
                flash(request, messages.STEP_DONE[order.status].format(number=order.number))
                return redirect(f"{QUEUE}/{order_id}")
    else:
        status = invalid_status(form)
    order = await queries.get_order(db(request), order_id, actor)
    return await _order_page(request, order, form, status)


async def quantities(request: Request) -> Response:
    actor = await _organiser(request)
    order_id: int = request.path_params["order_id"]
    order = await queries.get_order(db(request), order_id, actor)
    form = await bind_form(request, StepForm)
    typed = {
        line.item_id: str((await request.form()).get(f"menge-{line.item_id}", ""))
        for line in order.lines
    }
    item_errors: dict[int, str] = {}
    if not form.validate():
        return await _order_page(request, order, form, invalid_status(form))
    wanted = {
        item_id: value
        for item_id, text in typed.items()
        if (value := whole_number(text, empty=None)) is not None
    }
    await db(request).commit()  # waiting for the write lock without holding a connection
    try:
        changed = await orders.change_quantities(
            db(request), actor=actor, order_id=order_id, quantities=wanted, now=now(request)
        )
    except DomainError as exc:
        if isinstance(exc, Forbidden) or exc.status == 404:
            raise
        for key, message in (getattr(exc, "fields", None) or {"": exc.message}).items():
            item_id = key.removeprefix("quantities.")
            if item_id.isdigit():
                item_errors[int(item_id)] = message
            else:
                form.aktion.errors = [message]
        order = await queries.get_order(db(request), order_id, actor)
        return await _order_page(request, order, form, exc.status, item_errors, typed)
    flash(request, messages.QUANTITIES_CHANGED.format(number=changed.number))
    return redirect(f"{QUEUE}/{order_id}")


async def packing_slip(request: Request) -> Response:
    actor = await _organiser(request)
    order = await queries.get_order(db(request), request.path_params["order_id"], actor)
    slip = Slip(
        number=order.number,
        ordered_on=date_de(order.created_at),
        organisation=order.organisation.name,
        address=tuple(order.delivery_address.splitlines()),
        lines=tuple((line.item.name, line.item.unit, line.quantity) for line in order.lines),
        contact=order.contact,
        note=order.note,
        printed=local(now(request)).date(),
    )
    body = await asyncio.to_thread(render_slip, slip)
    return pdf_answer(body, messages.SLIP_FILENAME.format(number=order.number))


async def _export(request: Request, kind: SpreadsheetKind) -> Response:
    actor = await _organiser(request)
    table = await exports.open_orders_table(db(request), actor)
    return await spreadsheet_answer(
        table, kind, exports.export_filename(local(now(request)).date())
    )


async def export_csv(request: Request) -> Response:
    return await _export(request, "csv")


async def export_xlsx(request: Request) -> Response:
    return await _export(request, "xlsx")


routes = [
    Route(CATALOGUE, catalogue_page),
    Route(f"{CATALOGUE}/neu", new_item_page, methods=["GET", "POST"]),
    Route(f"{CATALOGUE}/{{item_id:id}}", item_page, methods=["GET", "POST"]),
    Route(QUEUE, queue_page),
    Route(f"{QUEUE}/offen.csv", export_csv),
    Route(f"{QUEUE}/offen.xlsx", export_xlsx),
    Route(f"{QUEUE}/{{order_id:id}}", order_page),
    Route(f"{QUEUE}/{{order_id:id}}/schritt", step, methods=["POST"]),
    Route(f"{QUEUE}/{{order_id:id}}/mengen", quantities, methods=["POST"]),
    Route(f"{QUEUE}/{{order_id:id}}/lieferschein.pdf", packing_slip),
]
