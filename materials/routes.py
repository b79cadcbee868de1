"""Members' material pages: the order form (/material), "Meine Bestellungen", an order's page
with cancelling while it is only received; for a coordinator, the organisation's orders."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.errors import DomainError, ValidationFailed
from booking.core.web import (
    bind_form,
    db,
    flash,
    form_errors,
    now,
    redirect,
    render,
    require_member,
    verify_csrf,
)
from booking.members.models import Member
from materials import messages, orders, queries
from materials.forms import NEW_ADDRESS, OrderForm, whole_number
from materials.models import OrderStatus
from materials.queries import Catalogue

FORM = "/material"
MINE = "/meine-bestellungen"


def _address_choices(catalogue: Catalogue) -> list[tuple[str, str]]:
    earlier = [(str(n), ", ".join(a.splitlines())) for n, a in enumerate(catalogue.addresses)]
    return [*earlier, (NEW_ADDRESS, "Eine andere dienstliche Anschrift (unten eingeben)")]


def _field_for(key: str, lines: list[tuple[int, int]]) -> str:
    """The form's field for a service's error key ("items.2.quantity" → "menge-<id>")."""
    parts = key.split(".")
    if parts[0] == "items" and len(parts) == 3 and parts[1].isdigit():
        n = int(parts[1])
        if n < len(lines):
            return f"menge-{lines[n][0]}"
    return key


async def order_page(request: Request) -> Response:
    member: Member = await require_member(request)
    catalogue = await queries.catalogue_for(db(request), member, now(request))
    defaults = {
        "address_choice": "0" if catalogue.addresses else NEW_ADDRESS,
        "delivery_address": f"{catalogue.organisation.name}\n" if catalogue.organisation else "",
        "contact": f"{member.display_name}, {member.email}",
    }
    form = await bind_form(request, OrderForm, **defaults)
    form.address_choice.choices = _address_choices(catalogue)
    quantities: dict[int, str] = {}
    item_errors: dict[int, str] = {}
    general: list[str] = []
    status = 200
    if request.method == "POST":
        data: FormData = await request.form()
        quantities = {
            offer.item.id: str(data.get(f"menge-{offer.item.id}", "")) for offer in catalogue.offers
        }
        if form.validate():
            lines = [
                (item_id, whole_number(text) or 0)
                for item_id, text in quantities.items()
                if text.strip()
            ]
            wanted = [(i, q) for i, q in lines if q != 0]
            choice = form.address_choice.data or NEW_ADDRESS
            if choice.isdigit() and int(choice) < len(catalogue.addresses):
                address = catalogue.addresses[int(choice)]
            elif choice == NEW_ADDRESS:
                address = form.delivery_address.data or ""
            else:
                form.address_choice.errors = [messages.ADDRESS_CHOICE_UNKNOWN]
                address = None
            if address is not None:
                # End the read transaction of the catalogue: waiting for the write lock, the
                # request holds no pooled connection.
                await db(request).commit()
                try:
                    order = await orders.place_order(
                        db(request),
                        actor=member,
                        lines=[orders.Line(i, q) for i, q in wanted],
                        delivery_address=address,
                        contact=form.contact.data or "",
                        note=form.note.data or "",
                        now=now(request),
                    )
                except DomainError as exc:
                    status = exc.status
                    fields = getattr(exc, "fields", {}) or {}
                    for key, message in fields.items():
                        target = _field_for(key, wanted)
                        if target.startswith("menge-"):
                            item_errors[int(target.removeprefix("menge-"))] = message
                        elif target == "delivery_address":
                            form.delivery_address.errors = [message]
                            form.address_choice.data = NEW_ADDRESS
                            form.delivery_address.data = address
                        elif target in ("contact", "note"):
                            getattr(form, target).errors = [message]
                        else:
                            general.append(message)
                    if not fields:
                        general.append(exc.message)
                    catalogue = await queries.catalogue_for(db(request), member, now(request))
                else:
                    flash(request, messages.ORDER_PLACED.format(number=order.number))
                    return redirect(f"{MINE}/{order.id}")
            else:
                status = 422
        else:
            status = 400 if "csrf_token" in form.errors else 422
    errors = form_errors(form) if status != 200 else []
    names = {offer.item.id: offer.item.name for offer in catalogue.offers}
    errors += [(f"menge-{i}", names.get(i, ""), m) for i, m in item_errors.items()]
    errors += [("", "", m) for m in general]
    if status != 200 and not errors:
        errors = [("", "", ValidationFailed.default_message)]
    return await render(
        request,
        "materials/order_form.html",
        {
            "form": form,
            "catalogue": catalogue,
            "quantities": quantities,
            "item_errors": item_errors,
            "errors": errors,
        },
        status_code=status,
    )


def _pager(request: Request, base: str, cursor: str | None) -> dict[str, object]:
    continued = bool(request.query_params.get("nach"))
    return {
        "next_url": f"{base}?{urlencode({'nach': cursor})}" if cursor else None,
        "first_url": base if continued else None,
        "continued": continued,
    }


async def my_orders(request: Request) -> Response:
    member: Member = await require_member(request)
    after = request.query_params.get("nach") or None
    page = await queries.my_orders(db(request), member, after=after, field="nach")
    return await render(
        request,
        "materials/my_orders.html",
        {"page": page, "organisation_view": False, **_pager(request, MINE, page.next_cursor)},
    )


async def organisation_orders(request: Request) -> Response:
    member: Member = await require_member(request)
    after = request.query_params.get("nach") or None
    page = await queries.organisation_orders(db(request), member, after=after, field="nach")
    base = f"{MINE}/organisation"
    return await render(
        request,
        "materials/my_orders.html",
        {"page": page, "organisation_view": True, **_pager(request, base, page.next_cursor)},
    )


async def order_detail(request: Request) -> Response:
    member: Member = await require_member(request)
    order = await queries.get_order(db(request), request.path_params["order_id"], member)
    cancellable = order.status == OrderStatus.RECEIVED and (
        order.member_id == member.id or member.coordinates == order.organisation_id
    )
    return await render(
        request, "materials/order.html", {"order": order, "cancellable": cancellable}
    )


async def cancel(request: Request) -> Response:
    member: Member = await require_member(request)
    await verify_csrf(request)
    order_id: int = request.path_params["order_id"]
    order = await orders.change_status(
        db(request), actor=member, order_id=order_id, status="cancelled", now=now(request)
    )
    flash(request, messages.STEP_DONE["cancelled"].format(number=order.number))
    return redirect(f"{MINE}/{order_id}")


routes = [
    Route(FORM, order_page, methods=["GET", "POST"]),
    Route(MINE, my_orders),
    Route(f"{MINE}/organisation", organisation_orders),
    Route(f"{MINE}/{{order_id:id}}", order_detail),
    Route(f"{MINE}/{{order_id:id}}/stornieren", cancel, methods=["POST"]),
]
