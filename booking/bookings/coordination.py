"""The coordinators' pages (and the organisers', for organisations without a coordinator):
the requests waiting for release, the organisation's bookings, declining with a reason,
handing a seat to a colleague."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings import queries, release
from booking.bookings.forms import DeclineForm, SubstituteForm
from booking.bookings.models import ACTIVE_STATUSES, BookingStatus
from booking.core import paging
from booking.core.errors import DomainError, ValidationFailed
from booking.core.web import (
    Form,
    bind_form,
    blank_form,
    db,
    flash,
    form_errors,
    invalid_status,
    now,
    redirect,
    render,
    require_member,
    verify_csrf,
)
from booking.members.models import Member

PAGE = 50
REQUESTS = "/organisation/anfragen"
BOOKINGS = "/organisation/buchungen"


async def _list(
    request: Request, actor: Member, template: str, statuses: tuple[str, ...]
) -> Response:
    everyone = actor.is_organiser and request.query_params.get("alle") == "1"
    page = await queries.organisation_bookings_page(
        db(request),
        actor,
        statuses=statuses,
        now=now(request),
        uncoordinated=actor.is_organiser and not everyone,
        cursor=request.query_params.get("cursor"),
        limit=PAGE,
    )
    return await render(
        request,
        template,
        {
            "page": page,
            "everyone": everyone,
            "next_page": paging.next_page_url(request, page.next_cursor)
            if page.next_cursor
            else None,
            "first_page": paging.without_param(request, "cursor"),
            "later_page": "cursor" in request.query_params,
            "deadline": release.release_deadline,
        },
    )


async def requests_page(request: Request) -> Response:
    """The requests waiting for the organisation's release, oldest first."""
    actor = await require_member(request)
    return await _list(request, actor, "bookings/requests.html", (BookingStatus.REQUESTED,))


async def bookings_page(request: Request) -> Response:
    """The organisation's members' active bookings (requests, seats, waiting lists)."""
    actor = await require_member(request)
    return await _list(request, actor, "bookings/organisation.html", tuple(ACTIVE_STATUSES))


async def release_request(request: Request) -> Response:
    actor = await require_member(request)
    await verify_csrf(request)
    done = await release.release(
        db(request), booking_id=request.path_params["booking_id"], actor=actor, now=now(request)
    )
    name = done.booking.member.display_name
    if done.waitlist_position is None:
        flash(request, f"Freigegeben: {name} hat einen Platz und erhält die Einladung.")
    else:
        flash(
            request,
            f"Freigegeben: Die Veranstaltung ist voll, {name} steht auf der Warteliste auf "
            f"Platz {done.waitlist_position}.",
            "info",
        )
    return redirect(REQUESTS)


async def _booking_form(
    request: Request,
    actor: Member,
    template: str,
    form: Form,
    statuses: tuple[str, ...],
    *,
    refused: bool = False,
) -> Response:
    booking = await queries.organisation_booking(
        db(request), actor, request.path_params["booking_id"], statuses
    )
    return await render(
        request,
        template,
        {
            "booking": booking,
            "event": booking.event,
            "form": form,
            "errors": form_errors(form) if refused else [],
        },
        status_code=invalid_status(form) if refused else 200,
    )


async def decline_request(request: Request) -> Response:
    """GET: the reason to give; POST: decline."""
    actor = await require_member(request)
    statuses = (BookingStatus.REQUESTED,)
    if request.method == "GET":
        form = blank_form(request, DeclineForm)
        return await _booking_form(request, actor, "bookings/decline.html", form, statuses)
    form = await bind_form(request, DeclineForm)
    if form.validate():
        try:
            await release.decline(
                db(request),
                booking_id=request.path_params["booking_id"],
                actor=actor,
                now=now(request),
                reason=form.reason.data or "",
            )
        except ValidationFailed as exc:
            form.reason.errors = [exc.fields.get("reason", exc.message)]
        else:
            flash(request, "Abgelehnt. Die Person erhält die Begründung per E-Mail.")
            return redirect(REQUESTS)
    return await _booking_form(
        request, actor, "bookings/decline.html", form, statuses, refused=True
    )


async def substitute_seat(request: Request) -> Response:
    """GET: whom to hand the seat to; POST: hand it on."""
    actor = await require_member(request)
    statuses = (BookingStatus.CONFIRMED,)
    if request.method == "GET":
        form = blank_form(request, SubstituteForm)
        return await _booking_form(request, actor, "bookings/substitute.html", form, statuses)
    form = await bind_form(request, SubstituteForm)
    if form.validate():
        try:
            done = await release.substitute(
                db(request),
                booking_id=request.path_params["booking_id"],
                email=form.email.data,
                actor=actor,
                now=now(request),
            )
        except ValidationFailed as exc:
            form.email.errors = [exc.fields.get("email", exc.message)]
        except DomainError as exc:
            if exc.status in (401, 403, 404):
                raise
            form.email.errors = [exc.message]
        else:
            flash(
                request,
                f"Der Platz gehört jetzt {done.booking.member.display_name}; beide erhalten eine "
                "E-Mail.",
            )
            return redirect(BOOKINGS)
    return await _booking_form(
        request, actor, "bookings/substitute.html", form, statuses, refused=True
    )


routes = [
    Route(REQUESTS, requests_page),
    Route(BOOKINGS, bookings_page),
    Route(f"{REQUESTS}/{{booking_id:id}}/freigeben", release_request, methods=["POST"]),
    Route(f"{REQUESTS}/{{booking_id:id}}/ablehnen", decline_request, methods=["GET", "POST"]),
    Route(f"{BOOKINGS}/{{booking_id:id}}/uebertragen", substitute_seat, methods=["GET", "POST"]),
]
