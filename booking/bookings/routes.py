"""Member pages: book a seat, cancel, "Meine Buchungen"."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings import eligibility, queries, services
from booking.bookings.forms import RemoveForm
from booking.bookings.models import ACTIVE_STATUSES, BookingStatus
from booking.bookings.queue import booking_queue
from booking.core.errors import ValidationFailed
from booking.core.web import (
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
    state,
    verify_csrf,
)
from booking.members.models import Member
from courses.certificates import services as certificates


async def book(request: Request) -> Response:
    member = await require_member(request)
    await verify_csrf(request)
    event_id = request.path_params["event_id"]
    result = await booking_queue(request).book(
        event_id=event_id, member_id=member.id, now=now(request)
    )
    if result.for_draw:
        flash(
            request,
            "Ihre Anfrage ist eingegangen. Nach dem Anmeldeschluss werden die Plätze verlost; "
            "das Ergebnis erhalten Sie per E-Mail.",
            "info",
        )
    elif result.booking.status == BookingStatus.REQUESTED:
        flash(
            request,
            "Ihre Anfrage ist eingegangen. Sobald Ihre Organisation die Teilnahme freigibt, "
            "erhalten Sie eine E-Mail.",
            "info",
        )
    elif result.booking.status == BookingStatus.CONFIRMED:
        flash(
            request,
            "Ihre Anmeldung ist bestätigt. Eine E-Mail mit der Kalendereinladung ist unterwegs.",
        )
    else:
        flash(
            request,
            f"Die Veranstaltung ist ausgebucht. Sie stehen auf der Warteliste auf Platz "
            f"{result.waitlist_position}. Wird ein Platz frei, rücken Sie automatisch nach.",
            "info",
        )
    return redirect(f"/veranstaltungen/{event_id}")


def _back_to(request: Request) -> str:
    """Where to go after cancelling: the organisers' event page they came from, or
    "Meine Buchungen"."""
    target = request.query_params.get("zurueck", "")
    if re.fullmatch(r"/verwaltung/veranstaltungen/[0-9]{1,9}", target):
        return target
    return "/meine-buchungen"


async def cancel(request: Request) -> Response:
    """GET asks (what is cancelled, until when, what is lost); POST cancels. An organiser
    cancelling someone else's booking may give a reason for the person's mail."""
    member = await require_member(request)
    booking_id = request.path_params["booking_id"]
    if request.method == "GET":
        return await confirm_cancel(request, member, booking_id, blank_form(request, RemoveForm))
    form = await bind_form(request, RemoveForm)
    if not form.validate():
        return await confirm_cancel(request, member, booking_id, form, refused=True)
    try:
        await services.cancel(
            db(request),
            booking_id=booking_id,
            actor=member,
            now=now(request),
            reason=form.reason.data or "",
        )
    except ValidationFailed as exc:
        form.reason.errors = [exc.fields.get("reason", exc.message)]
        return await confirm_cancel(request, member, booking_id, form, refused=True)
    if member.is_organiser and _back_to(request) != "/meine-buchungen":
        flash(request, "Die Buchung ist storniert. Die Person erhält eine E-Mail.")
    else:
        flash(request, "Ihre Buchung ist storniert. Sie erhalten eine Bestätigung per E-Mail.")
    return redirect(_back_to(request))


async def confirm_cancel(
    request: Request, member: Member, booking_id: int, form: RemoveForm, *, refused: bool = False
) -> Response:
    session = db(request)
    booking = await queries.booking_to_cancel(session, booking_id, member)
    back = _back_to(request)
    own = booking.member_id == member.id
    return await render(
        request,
        "bookings/cancel.html",
        {
            "booking": booking,
            "event": booking.event,
            "own": own,
            "active": booking.status in ACTIVE_STATUSES,
            "allowed": eligibility.cancellation_allowed(
                booking.event, booking, member, now(request)
            ),
            "deadline": eligibility.cancellation_deadline(booking.event),
            "position": (await queries.waitlist_positions(session, [booking])).get(booking.id),
            "workshops": await queries.workshop_bookings_under(session, booking),
            "back": back,
            "action": f"/buchungen/{booking.id}/stornieren"
            + (f"?zurueck={back}" if back != "/meine-buchungen" else ""),
            "form": form,
            "errors": form_errors(form) if refused else [],
        },
        status_code=invalid_status(form) if refused else 200,
    )


async def my_bookings(request: Request) -> Response:
    member = await require_member(request)
    current_time = now(request)
    bookings = await queries.member_bookings(db(request), member.id, current_time)
    positions = await queries.waitlist_positions(db(request), bookings)
    overview = queries.arrange_member_bookings(bookings, current_time)
    active = [b for b in bookings if b.status in ACTIVE_STATUSES]
    return await render(
        request,
        "bookings/my_bookings.html",
        {
            "upcoming": overview.upcoming,
            "past": overview.past,
            "positions": positions,
            "feed_url": (
                f"{state(request).settings.base_url}/kalender/{member.calendar_token}.ics"
                if member.calendar_token
                else None
            ),
            "certificates": await certificates.valid_for_bookings(
                db(request), [b.id for b in bookings]
            ),
            "can_cancel": {
                b.id: eligibility.cancellation_allowed(b.event, b, member, current_time)
                for b in active
            },
        },
    )


routes = [
    Route("/veranstaltungen/{event_id:id}/buchen", book, methods=["POST"]),
    Route("/buchungen/{booking_id:id}/stornieren", cancel, methods=["GET", "POST"]),
    Route("/meine-buchungen", my_bookings),
]
