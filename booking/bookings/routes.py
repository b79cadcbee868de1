"""Member pages: book a seat, cancel, "Meine Buchungen", answer an offered seat."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings import eligibility, messages, offers, queries, services
from booking.bookings.forms import OfferLinkForm, RemoveForm
from booking.bookings.models import ACTIVE_STATUSES, BookingStatus
from booking.bookings.queue import booking_queue
from booking.core.errors import InvalidState, NotFound, ValidationFailed
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
            f"{result.waitlist_position}. Wird ein Platz frei, erhalten Sie eine E-Mail.",
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


def _offer_back_to(request: Request) -> str:
    """Where to go after answering an offer: the event's page it was answered on, or
    "Meine Buchungen"."""
    target = request.query_params.get("zurueck", "")
    if re.fullmatch(r"/veranstaltungen/[0-9]{1,9}", target):
        return target
    return "/meine-buchungen"


async def accept_offer(request: Request) -> Response:
    """The member takes the seat offered to them (the button on their pages)."""
    member = await require_member(request)
    await verify_csrf(request)
    await offers.accept(
        db(request), booking_id=request.path_params["booking_id"], now=now(request), actor=member
    )
    flash(request, "Sie haben den Platz angenommen. Ihre Teilnahme ist bestätigt; die "
          "Kalendereinladung kommt per E-Mail.")  # fmt: skip
    return redirect(_offer_back_to(request))


async def decline_offer(request: Request) -> Response:
    """The member lets the offered seat go; it is offered to the next waiting member."""
    member = await require_member(request)
    await verify_csrf(request)
    await offers.decline(
        db(request), booking_id=request.path_params["booking_id"], now=now(request), actor=member
    )
    flash(request, "Sie haben den Platz abgelehnt und stehen nicht mehr auf der Warteliste.",
          "info")  # fmt: skip
    return redirect(_offer_back_to(request))


async def offer_link_page(request: Request) -> Response:
    """The page an offer's mail links to: GET shows the offer and one button, only the POST
    answers it (a mail scanner opening the link changes nothing). No sign-in needed: the
    signed link names the booking and the answer."""
    answer = offers.ACCEPT if request.url.path == offers.ACCEPT_PATH else offers.DECLINE
    form = await bind_form(request, OfferLinkForm, token=request.query_params.get("token", ""))
    serializer = offers.offer_serializer(state(request).settings.secret_key)
    session = db(request)
    try:
        if request.method == "POST" and not form.validate():
            raise ValidationFailed(messages.OFFER_LINK_INVALID)
        link = offers.read_offer_token(serializer, form.token.data or "", answer)
        if request.method == "GET":
            booking = await offers.offer_for_link(session, link, now(request))
            return await render(
                request,
                "bookings/offer_confirm.html",
                {"form": form, "booking": booking, "event": booking.event, "answer": answer},
            )
        done = await offers.answer_by_link(session, link=link, now=now(request))
    except ValidationFailed as exc:
        return await _offer_problem(request, exc.message, 400)
    except offers.OfferExpired as exc:
        return await _offer_problem(request, exc.message, 410)
    except (NotFound, InvalidState) as exc:
        return await _offer_problem(request, exc.message, exc.status)
    answered = await queries.booking_with_event(session, done.booking.id)
    assert answered is not None
    return await render(
        request,
        "bookings/offer_answered.html",
        {"booking": answered, "event": answered.event, "answer": answer},
    )


async def _offer_problem(request: Request, message: str, status: int) -> Response:
    return await render(
        request, "bookings/offer_link.html", {"message": message}, status_code=status
    )


routes = [
    Route("/veranstaltungen/{event_id:id}/buchen", book, methods=["POST"]),
    Route("/buchungen/{booking_id:id}/angebot/annehmen", accept_offer, methods=["POST"]),
    Route("/buchungen/{booking_id:id}/angebot/ablehnen", decline_offer, methods=["POST"]),
    Route(offers.ACCEPT_PATH, offer_link_page, methods=["GET", "POST"]),
    Route(offers.DECLINE_PATH, offer_link_page, methods=["GET", "POST"]),
    Route("/buchungen/{booking_id:id}/stornieren", cancel, methods=["GET", "POST"]),
    Route("/meine-buchungen", my_bookings),
]
