"""The organisers' pages for venues with their rooms (/verwaltung/orte) and for online rooms
(/verwaltung/online-raeume): lists a page at a time, create, edit."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import wtforms
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.errors import Forbidden, ValidationFailed
from booking.core.web import (
    bind_form,
    blank_form,
    db,
    flash,
    form_errors,
    invalid_status,
    redirect,
    render,
    render_form,
    require_member,
)
from booking.members.models import Member
from venues import messages, queries, services
from venues.forms import (
    NewRoomForm,
    OnlineRoomFilterForm,
    OnlineRoomForm,
    RoomForm,
    VenueFilterForm,
    VenueForm,
    whole_number,
)
from venues.models import Venue

BASE = "/verwaltung/orte"
ONLINE = "/verwaltung/online-raeume"


async def _organiser(request: Request) -> Member:
    actor: Member = await require_member(request)
    if not actor.is_organiser:
        raise Forbidden()
    return actor


def _show_field_errors(form: wtforms.Form, exc: ValidationFailed, fallback: str) -> None:
    """Put the service's messages beside the fields they concern."""
    for name, message in (exc.fields or {fallback: exc.message}).items():
        target = getattr(form, name, None) or getattr(form, fallback)
        target.errors = [*target.errors, message]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _shown_again(*forms: wtforms.Form) -> None:
    """Entries are shown again as typed, but a control character (which HTML may not carry)
    as the replacement character U+FFFD, so that the organiser sees where it was."""
    for form in forms:
        for field in form:
            if isinstance(field.data, str):
                field.data = _CONTROL.sub("\ufffd", field.data)


def _pages(
    base: str, request: Request, keep: tuple[str, ...], cursor: str | None
) -> dict[str, object]:
    """The links of a list: the next page and, on a later page, back to the first, the
    filters kept."""
    query = {k: v for k, v in request.query_params.items() if k in keep and v}
    continued = bool(request.query_params.get("nach"))
    return {
        "next_url": f"{base}?{urlencode({**query, 'nach': cursor})}" if cursor else None,
        "first_url": f"{base}?{urlencode(query)}" if continued else None,
        "continued": continued,
        "filtered": bool(query),
    }


# -- venues ---------------------------------------------------------------------------------------


async def list_page(request: Request) -> Response:
    actor = await _organiser(request)
    form = VenueFilterForm(formdata=request.query_params)
    filters = queries.VenueFilter(search=form.q.data or "", region=form.region.data or None)
    try:
        page = await queries.list_venues(db(request), actor, filters, after=form.nach.data or None)
        valid = True
    except ValidationFailed as exc:
        valid = False
        _show_field_errors(form, ValidationFailed(exc.message, _filter_keys(exc)), "q")
        page = await queries.list_venues(db(request), actor, queries.VenueFilter())
    _shown_again(form)
    return await render(
        request,
        "venues/list.html",
        {
            "form": form,
            "errors": [] if valid else form_errors(form),
            "page": page,
            **_pages(BASE, request, ("q", "region"), page.next_cursor if valid else None),
        },
        status_code=200 if valid else 400,
    )


def _filter_keys(exc: ValidationFailed) -> dict[str, str]:
    """The query says ``search``, the form ``q`` (a forged ``after`` is shown there too)."""
    return {("q" if key == "search" else key): message for key, message in exc.fields.items()}


def _venue_values(form: VenueForm) -> dict[str, Any]:
    return {
        "name": form.name.data or "",
        "street": form.street.data or "",
        "postal_code": form.postal_code.data or "",
        "city": form.city.data or "",
        "region": form.region.data or "",
        "step_free": bool(form.step_free.data),
        "hearing_loop": bool(form.hearing_loop.data),
        "accessible_toilet": bool(form.accessible_toilet.data),
        "accessibility_notes": form.accessibility_notes.data or "",
    }


async def create_page(request: Request) -> Response:
    actor = await _organiser(request)
    form = await bind_form(request, VenueForm)
    if request.method == "POST" and form.validate():
        try:
            venue = await services.create_venue(
                db(request),
                actor=actor,
                **_venue_values(form),
            )
        except ValidationFailed as exc:
            _show_field_errors(form, exc, "name")
        else:
            flash(request, messages.VENUE_CREATED.format(name=venue.name))
            return redirect(f"{BASE}/{venue.id}#raeume")
    _shown_again(form)
    return await render_form(
        request, "venues/create.html", form, {"rules": messages.ACCESSIBILITY_RULES}
    )


async def _edit(
    request: Request, venue: Venue, form: VenueForm, room_form: NewRoomForm, status: int
) -> Response:
    _shown_again(form, room_form)
    return await render(
        request,
        "venues/edit.html",
        {
            "venue": venue,
            "form": form,
            "room_form": room_form,
            "rules": messages.ACCESSIBILITY_RULES,
            "errors": [*form_errors(form), *form_errors(room_form)] if status != 200 else [],
        },
        status_code=status,
    )


def _venue_form_data(venue: Venue) -> dict[str, object]:
    return {
        "name": venue.name,
        "street": venue.street,
        "postal_code": venue.postcode,
        "city": venue.city,
        "region": venue.region,
        "step_free": venue.step_free,
        "hearing_loop": venue.hearing_loop,
        "accessible_toilet": venue.accessible_toilet,
        "accessibility_notes": venue.accessibility_notes,
    }


async def edit_page(request: Request) -> Response:
    actor = await _organiser(request)
    venue_id: int = request.path_params["venue_id"]
    venue = await queries.get_venue(db(request), venue_id, actor)
    form = await bind_form(request, VenueForm, **_venue_form_data(venue))
    if request.method == "POST" and form.validate():
        try:
            await services.update_venue(
                db(request),
                actor=actor,
                venue_id=venue_id,
                **_venue_values(form),
            )
        except ValidationFailed as exc:
            _show_field_errors(form, exc, "name")
            venue = await queries.get_venue(db(request), venue_id, actor)
        else:
            flash(request, messages.SAVED)
            return redirect(f"{BASE}/{venue_id}")
    status = invalid_status(form) if request.method == "POST" else 200
    return await _edit(request, venue, form, blank_form(request, NewRoomForm), status)


async def add_room(request: Request) -> Response:
    actor = await _organiser(request)
    venue_id: int = request.path_params["venue_id"]
    venue = await queries.get_venue(db(request), venue_id, actor)
    room_form = await bind_form(request, NewRoomForm)
    if room_form.validate():
        try:
            room = await services.add_room(
                db(request),
                actor=actor,
                venue_id=venue_id,
                name=room_form.room_name.data or "",
                capacity=whole_number(room_form.capacity.data),
            )
        except ValidationFailed as exc:
            _show_field_errors(room_form, exc, "room_name")
            venue = await queries.get_venue(db(request), venue_id, actor)
        else:
            flash(request, messages.ROOM_ADDED.format(name=room.name))
            return redirect(f"{BASE}/{venue_id}#raeume")
    form = blank_form(request, VenueForm, **_venue_form_data(venue))
    return await _edit(request, venue, form, room_form, invalid_status(room_form))


async def room_page(request: Request) -> Response:
    actor = await _organiser(request)
    venue_id: int = request.path_params["venue_id"]
    room_id: int = request.path_params["room_id"]
    room = await queries.get_room(db(request), venue_id, room_id, actor)
    form = await bind_form(request, RoomForm, name=room.name, capacity=str(room.capacity))
    if request.method == "POST" and form.validate():
        try:
            room = await services.update_room(
                db(request),
                actor=actor,
                venue_id=venue_id,
                room_id=room_id,
                name=form.name.data or "",
                capacity=whole_number(form.capacity.data),
            )
        except ValidationFailed as exc:
            _show_field_errors(form, exc, "name")
            room = await queries.get_room(db(request), venue_id, room_id, actor)
        else:
            flash(request, messages.ROOM_SAVED.format(name=room.name))
            return redirect(f"{BASE}/{venue_id}#raeume")
    _shown_again(form)
    return await render_form(request, "venues/room.html", form, {"room": room})


# -- online rooms ---------------------------------------------------------------------------------


async def online_list_page(request: Request) -> Response:
    actor = await _organiser(request)
    form = OnlineRoomFilterForm(formdata=request.query_params)
    try:
        page = await queries.list_online_rooms(
            db(request), actor, search=form.q.data or "", after=form.nach.data or None
        )
        valid = True
    except ValidationFailed as exc:
        valid = False
        _show_field_errors(form, ValidationFailed(exc.message, _filter_keys(exc)), "q")
        page = await queries.list_online_rooms(db(request), actor)
    _shown_again(form)
    return await render(
        request,
        "venues/online_list.html",
        {
            "form": form,
            "errors": [] if valid else form_errors(form),
            "page": page,
            **_pages(ONLINE, request, ("q",), page.next_cursor if valid else None),
        },
        status_code=200 if valid else 400,
    )


async def online_create_page(request: Request) -> Response:
    actor = await _organiser(request)
    form = await bind_form(request, OnlineRoomForm)
    if request.method == "POST" and form.validate():
        try:
            room = await services.create_online_room(
                db(request),
                actor=actor,
                name=form.name.data or "",
                meeting_url=form.meeting_url.data or "",
                dial_in=form.dial_in.data or "",
            )
        except ValidationFailed as exc:
            _show_field_errors(form, exc, "name")
        else:
            flash(request, messages.ONLINE_ROOM_CREATED.format(name=room.name))
            return redirect(ONLINE)
    _shown_again(form)
    return await render_form(request, "venues/online_create.html", form)


async def online_edit_page(request: Request) -> Response:
    actor = await _organiser(request)
    room_id: int = request.path_params["room_id"]
    room = await queries.get_online_room(db(request), room_id, actor)
    form = await bind_form(
        request, OnlineRoomForm, name=room.name, meeting_url=room.meeting_url, dial_in=room.dial_in
    )
    if request.method == "POST" and form.validate():
        try:
            room = await services.update_online_room(
                db(request),
                actor=actor,
                online_room_id=room_id,
                name=form.name.data or "",
                meeting_url=form.meeting_url.data or "",
                dial_in=form.dial_in.data or "",
            )
        except ValidationFailed as exc:
            _show_field_errors(form, exc, "name")
            room = await queries.get_online_room(db(request), room_id, actor)
        else:
            flash(request, messages.SAVED)
            return redirect(ONLINE)
    _shown_again(form)
    return await render_form(request, "venues/online_edit.html", form, {"room": room})


routes = [
    Route(BASE, list_page),
    Route(f"{BASE}/neu", create_page, methods=["GET", "POST"]),
    Route(f"{BASE}/{{venue_id:id}}", edit_page, methods=["GET", "POST"]),
    Route(f"{BASE}/{{venue_id:id}}/raeume", add_room, methods=["POST"]),
    Route(f"{BASE}/{{venue_id:id}}/raeume/{{room_id:id}}", room_page, methods=["GET", "POST"]),
    Route(ONLINE, online_list_page),
    Route(f"{ONLINE}/neu", online_create_page, methods=["GET", "POST"]),
    Route(f"{ONLINE}/{{room_id:id}}", online_edit_page, methods=["GET", "POST"]),
]
