"""The JSON API under /api/v1: the services behind the pages, for programs, with bearer tokens.

One table, :data:`OPERATIONS`, names every endpoint with its path, method, who may call it,
its body and its answers; the routes and the OpenAPI document are both built from it, so the
two cannot drift apart. Each handler is thin: parse the body, call one service, answer JSON.
Domain errors become ``{"error": code, "message": German text}`` in booking.core.http_errors.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings import eligibility, queries, schemas
from booking.bookings import services as bookings
from booking.bookings.models import Booking
from booking.bookings.queries import Availability
from booking.core.api import Operation, openapi_document
from booking.core.errors import DomainError, Forbidden
from booking.core.http_errors import json_error
from booking.core.web import db, now, state
from booking.members.models import Member
from booking.organisations import api as organisation_api
from courses import services as programme
from courses.models import Event

PREFIX = "/api/v1"
"""Where booking/app.py mounts :data:`routes`."""

TOKEN_MISSING = (
    "Bitte melden Sie sich mit einem API-Token an (Kopfzeile „Authorization: Bearer …“)."
)
TOKEN_INVALID = "Das API-Token ist ungültig oder wurde widerrufen."
JSON_ONLY = "Bitte senden Sie den Inhalt als JSON (Content-Type: application/json)."


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415
    default_message = JSON_ONLY


# -- reading requests -----------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


def _id(request: Request) -> int:
    """The ``{id:id}`` of the path (booking.core.routing: larger numbers do not match, 404)."""
    value: int = request.path_params["id"]
    return value


async def _body(request: Request, model: type[M], *, optional: bool = False) -> M:
    raw = await request.body()
    if optional and not raw.strip():
        return model()
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType()
    return schemas.parse(model, raw)


async def _token_member(request: Request, header: str) -> Member | None:
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return await state(request).bookings.member_for_token(token)


def _challenge(message: str, *, invalid: bool) -> Response:
    response = json_error(401, "not_authenticated", message)
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if invalid else "Bearer"
    return response


# -- writing answers ------------------------------------------------------------------------------


def _json(
    content: BaseModel | Sequence[BaseModel],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    if isinstance(content, BaseModel):
        data: Any = content.model_dump(mode="json")
    else:
        data = [item.model_dump(mode="json") for item in content]
    return JSONResponse(data, status_code, headers)


def _summary_fields(
    event: Event, seats: Availability, at: datetime, base_url: str
) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind,
        "status": event.status,
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "capacity": event.capacity,
        "seats_left": seats.seats_left,
        "waitlist_length": seats.waiting,
        "booking_open": eligibility.booking_window_problem(event, at) is None,
        "url": f"{base_url}/veranstaltungen/{event.id}",
    }


async def _detail(
    request: Request,
    event: Event,
    model: type[schemas.EventDetail] = schemas.EventDetail,
    **extra: Any,
) -> schemas.EventDetail:
    """The event as loaded by courses.services.event_detail; never its meeting link."""
    workshops = event.workshops  # event_detail leaves out drafts for non-organisers
    seats = await queries.availability(db(request), [event, *workshops])
    at, base_url = now(request), state(request).settings.base_url
    return model(
        **_summary_fields(event, seats[event.id], at, base_url),
        summary=event.summary,
        description=event.description,
        sessions=[
            schemas.SessionOut(id=s.id, starts_at=s.starts_at, ends_at=s.ends_at, title=s.title)
            for s in event.sessions
        ],
        venue=schemas.VenueOut.model_validate(event.venue, from_attributes=True)
        if event.venue is not None
        else None,
        parent=schemas.EventRef(id=event.parent.id, title=event.parent.title)
        if event.parent is not None
        else None,
        workshops=[
            schemas.WorkshopOut(
                id=w.id,
                title=w.title,
                starts_at=w.starts_at,
                ends_at=w.ends_at,
                capacity=w.capacity,
                seats_left=seats[w.id].seats_left,
                waitlist_length=seats[w.id].waiting,
                booking_open=eligibility.booking_window_problem(w, at) is None,
            )
            for w in workshops
        ],
        target_sectors=event.target_sectors,
        seats_per_organisation=event.seats_per_organisation,
        booking_opens_at=event.booking_opens_at,
        registration_deadline=eligibility.registration_deadline(event),
        cancellation_deadline=eligibility.cancellation_deadline(event),
        **extra,
    )


# -- endpoints ------------------------------------------------------------------------------------


async def list_events(request: Request, viewer: Member | None) -> Response:
    at = now(request)
    listings = await programme.programme(
        db(request), programme.ProgrammeFilter(include_workshops=True), at
    )
    base_url = state(request).settings.base_url
    return _json(
        [
            schemas.EventSummary(**_summary_fields(item.event, item.availability, at, base_url))
            for item in listings
        ]
    )


async def show_event(request: Request, viewer: Member | None) -> Response:
    event = await programme.event_detail(db(request), _id(request), viewer)
    return _json(await _detail(request, event))


async def create_event(request: Request, actor: Member) -> Response:
    data = await _body(request, schemas.EventIn)
    event = await programme.create_event(db(request), data=data.to_new_event(), actor=actor)
    location = f"{PREFIX}/events/{event.id}"
    return _json(await _detail(request, event), 201, {"Location": location})


async def change_event(request: Request, actor: Member) -> Response:
    event_id = _id(request)
    changes = await _body(request, schemas.EventChanges)
    promoted: list[Booking] = []
    if "sessions" in changes.model_fields_set:
        await programme.change_sessions(
            db(request),
            event_id=event_id,
            changes=[
                programme.SessionChange(s.id, s.starts_at, s.ends_at) for s in changes.sessions
            ],
            actor=actor,
        )
    if limits := changes.limits():
        promoted = await bookings.change_limits(
            db(request), event_id=event_id, actor=actor, now=now(request), **limits
        )
    event = await programme.event_detail(db(request), event_id, actor)
    promoted_ids = [b.id for b in promoted]
    return _json(await _detail(request, event, schemas.EventChanged, promoted=promoted_ids))


async def book(request: Request, member: Member) -> Response:
    event_id = _id(request)
    await _body(request, schemas.BookingIn, optional=True)
    result = await state(request).bookings.book(
        event_id=event_id, member_id=member.id, now=now(request)
    )
    created = schemas.BookingCreated(
        id=result.booking.id,
        status="confirmed" if result.booking.status == "confirmed" else "waitlisted",
        waitlist_position=result.waitlist_position,
    )
    return _json(created, 201)


async def cancel_booking(request: Request, member: Member) -> Response:
    booking_id = _id(request)
    promoted = await bookings.cancel(
        db(request), booking_id=booking_id, actor=member, now=now(request)
    )
    cancelled = schemas.BookingCancelled(
        id=booking_id, status="cancelled", promoted=[b.id for b in promoted]
    )
    return _json(cancelled)


async def event_bookings(request: Request, actor: Member) -> Response:
    session, event_id = db(request), _id(request)
    rows = await queries.event_bookings(session, event_id, actor)  # 404 when unknown
    positions = await queries.waitlist_positions(session, rows)
    return _json(
        [
            schemas.EventBooking(
                id=b.id,
                member_email=b.member.email,
                member_name=b.member.display_name,
                organisation=b.organisation.name if b.organisation is not None else None,
                status=schemas.api_status(b.status),
                waitlist_position=positions.get(b.id),
                created_at=b.created_at,
            )
            for b in rows
        ]
    )


async def my_bookings(request: Request, member: Member) -> Response:
    rows = await queries.member_bookings(db(request), member.id)
    positions = await queries.waitlist_positions(db(request), rows)
    return _json(
        [
            schemas.MyBooking(
                id=b.id,
                event_id=b.event_id,
                event_title=b.event.title,
                status=schemas.api_status(b.status),
                waitlist_position=positions.get(b.id),
                starts_at=b.event.starts_at,
                ends_at=b.event.ends_at,
            )
            for b in rows
        ]
    )


async def openapi(request: Request, viewer: Member | None) -> Response:
    return JSONResponse(_document())


@functools.cache
def _document() -> dict[str, Any]:
    return openapi_document(OPERATIONS, PREFIX)


# -- the table ------------------------------------------------------------------------------------


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", "/events", list_events, "public", 200, schemas.EventSummary, many=True,
        summary="Kommende veröffentlichte Veranstaltungen, Workshops eingeschlossen",
    ),
    Operation(
        "POST", "/events", create_event, "organiser", 201, schemas.EventDetail,
        body=schemas.EventIn, summary="Veranstaltung anlegen",
    ),
    Operation(
        "GET", "/events/{id:id}", show_event, "public", 200, schemas.EventDetail,
        summary="Eine Veranstaltung mit Terminen, Ort und Workshops",
    ),
    Operation(
        "PATCH", "/events/{id:id}", change_event, "organiser", 200, schemas.EventChanged,
        body=schemas.EventChanges, errors=(503,),
        summary="Plätze oder Termine ändern; wer wartet, rückt bei mehr Plätzen sofort nach",
    ),
    Operation(
        "GET", "/events/{id:id}/bookings", event_bookings, "organiser", 200,
        schemas.EventBooking, many=True, summary="Alle Buchungen einer Veranstaltung",
    ),
    Operation(
        "POST", "/events/{id:id}/bookings", book, "member", 201, schemas.BookingCreated,
        body=schemas.BookingIn, body_optional=True, errors=(403, 409, 503),
        summary="Platz buchen, oder auf die Warteliste, wenn alles belegt ist",
    ),
    Operation(
        "DELETE", "/bookings/{id:id}", cancel_booking, "member", 200, schemas.BookingCancelled,
        errors=(403, 409, 422, 503), summary="Buchung stornieren (eigene; Geschäftsstelle: jede)",
    ),
    Operation(
        "GET", "/me/bookings", my_bookings, "member", 200, schemas.MyBooking, many=True,
        summary="Eigene Buchungen",
    ),
    *organisation_api.OPERATIONS,
    Operation(
        "GET", "/openapi.json", openapi, "public", 200, None,
        summary="Diese Beschreibung (OpenAPI 3.1)",
    ),
)  # fmt: skip


def _endpoint(operations: Sequence[Operation]) -> Callable[[Request], Awaitable[Response]]:
    """One Starlette endpoint for every method of a path: checks the caller, then hands over."""
    by_method = {op.method: op for op in operations}

    async def endpoint(request: Request) -> Response:
        op = by_method["GET" if request.method == "HEAD" else request.method]
        header = request.headers.get("authorization")
        member = await _token_member(request, header) if header is not None else None
        if header is not None and member is None:
            return _challenge(TOKEN_INVALID, invalid=True)
        if op.access == "public":
            return await op.handler(request, member)
        if member is None:
            return _challenge(TOKEN_MISSING, invalid=False)
        if op.access == "organiser" and not member.is_organiser:
            raise Forbidden()
        return await op.handler(request, member)

    return endpoint


def _build_routes(operations: Sequence[Operation]) -> list[BaseRoute]:
    paths: dict[str, list[Operation]] = {}
    for op in operations:
        paths.setdefault(op.path, []).append(op)
    return [
        Route(path, _endpoint(ops), methods=[op.method for op in ops], name=f"api{path}")
        for path, ops in paths.items()
    ]


routes: list[BaseRoute] = _build_routes(OPERATIONS)
