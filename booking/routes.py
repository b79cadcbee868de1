"""Member pages: book a seat, cancel, "Meine Buchungen"."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booking import services
from booking.web import db, flash, now, redirect, render, require_member, verify_csrf


async def book(request: Request) -> Response:
    member = await require_member(request)
    await verify_csrf(request)
    event_id = request.path_params["event_id"]
    result = await services.book(db(request), event_id=event_id, member_id=member.id, now=now(request))
    if result.booking.status == "confirmed":
        flash(request, "Ihre Anmeldung ist bestätigt. Eine E-Mail mit der Kalendereinladung ist unterwegs.")
    else:
        flash(
            request,
            f"Die Veranstaltung ist ausgebucht. Sie stehen auf der Warteliste auf Platz "
            f"{result.waitlist_position}. Wird ein Platz frei, rücken Sie automatisch nach.",
            "info",
        )
    return redirect(f"/veranstaltungen/{event_id}")


async def cancel(request: Request) -> Response:
    member = await require_member(request)
    await verify_csrf(request)
    booking_id = request.path_params["booking_id"]
    await services.cancel(db(request), booking_id=booking_id, actor=member, now=now(request))
    flash(request, "Ihre Buchung ist storniert. Sie erhalten eine Bestätigung per E-Mail.")
    target = request.query_params.get("zurueck", "")
    return redirect(target if target.startswith("/verwaltung/veranstaltungen/") else "/meine-buchungen")


async def my_bookings(request: Request) -> Response:
    member = await require_member(request)
    bookings = await services.member_bookings(db(request), member.id)
    positions = await services.waitlist_positions(db(request), bookings)
    current_time = now(request)
    active = [b for b in bookings if b.status in ("confirmed", "waiting", "requested")]
    past = [b for b in bookings if b not in active]
    return await render(
        request,
        "booking/my_bookings.html",
        {
            "active": active,
            "past": past,
            "positions": positions,
            "can_cancel": {
                b.id: b.status == "waiting"
                or (
                    (deadline := services.cancellation_deadline(b.event)) is None
                    or current_time < deadline
                )
                for b in active
            },
        },
    )


routes = [
    Route("/veranstaltungen/{event_id:int}/buchen", book, methods=["POST"]),
    Route("/buchungen/{booking_id:int}/stornieren", cancel, methods=["POST"]),
    Route("/meine-buchungen", my_bookings),
]
