"""The organisers' event page: participants and waiting list, capacity and the
per-organisation limit, moving a session, calling the event off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings import changes, queries
from booking.bookings.models import PARTICIPANT_STATUSES, BookingStatus
from booking.core import paging
from booking.core.errors import NotFound, ValidationFailed
from booking.core.formatting import BERLIN
from booking.core.web import (
    bind_form,
    blank_form,
    db,
    flash,
    now,
    redirect,
    render_form,
    require_member,
)
from courses import services
from courses.forms import CancelEventForm, CapacityForm, SessionForm

LIST_PAGE = 100
"""Bookings per page of the organisers' lists."""


@dataclass(frozen=True)
class BookingList:
    slug: str
    title: str
    statuses: tuple[str, ...]


BOOKING_LISTS = (
    BookingList(
        "teilnehmende",
        "Teilnehmende",
        PARTICIPANT_STATUSES,
    ),
    BookingList("anfragen", "Anfragen", (BookingStatus.REQUESTED,)),
    BookingList("warteliste", "Warteliste", (BookingStatus.WAITING,)),
    BookingList("storniert", "Storniert", (BookingStatus.CANCELLED,)),
)


async def manage_event(request: Request) -> Response:
    actor = await require_member(request)
    session = db(request)
    event_id = request.path_params["event_id"]
    form = await bind_form(request, CapacityForm)
    if request.method == "POST" and form.validate():
        promoted = await changes.change_limits(
            session,
            event_id=event_id,
            actor=actor,
            now=now(request),
            capacity=form.capacity.data,
            seats_per_organisation=form.seats_per_organisation.data,
        )
        message = "Die Plätze sind geändert."
        if promoted:
            message += f" {len(promoted)} Person(en) sind von der Warteliste nachgerückt."
        flash(request, message)
        return redirect(f"/verwaltung/veranstaltungen/{event_id}")
    event = await services.event_for_organiser(session, event_id, actor)
    shown = next(
        (b for b in BOOKING_LISTS if b.slug == request.query_params.get("liste")), BOOKING_LISTS[0]
    )
    page = await queries.event_bookings_page(
        session,
        event_id,
        actor,
        cursor=request.query_params.get("cursor"),
        limit=LIST_PAGE,
        statuses=shown.statuses,
    )
    first_position = None
    if shown.slug == "warteliste" and page.items:
        first_position = await queries.first_waitlist_position(session, page.items[0])
    counts = await queries.status_counts(session, event_id)
    if request.method == "GET":
        form = blank_form(
            request,
            CapacityForm,
            capacity=event.capacity,
            seats_per_organisation=event.seats_per_organisation,
        )
    lists = [
        (b, sum(counts[s] for s in b.statuses))
        for b in BOOKING_LISTS
        if b is shown or any(counts[s] for s in b.statuses) or b.slug != "anfragen"
    ]
    return await render_form(
        request,
        "courses/manage_event.html",
        form,
        {
            "event": event,
            "page": page,
            "lists": lists,
            "shown": shown,
            "first_position": first_position,
            "next_page": paging.next_page_url(request, page.next_cursor)
            if page.next_cursor
            else None,
            "first_page": paging.without_param(request, "cursor"),
            "later_page": "cursor" in request.query_params,
            "seats": (await queries.availability(session, [event]))[event.id],
        },
    )


def _local(day: str, clock: str) -> datetime | None:
    try:
        return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=BERLIN)
    except ValueError:
        return None


async def move_session(request: Request) -> Response:
    """Move one session; participants get the updated invitation."""
    actor = await require_member(request)
    session = db(request)
    event_id, session_id = request.path_params["event_id"], request.path_params["session_id"]
    event = await services.event_for_organiser(session, event_id, actor)
    sitting = next((s for s in event.sessions if s.id == session_id), None)
    if sitting is None:
        raise NotFound("Diesen Termin gibt es bei dieser Veranstaltung nicht.")
    form = await bind_form(request, SessionForm)
    if request.method == "POST" and form.validate():
        starts = _local(form.day.data or "", form.starts.data or "")
        ends = _local(form.day.data or "", form.ends.data or "")
        if starts is None or ends is None:
            form.day.errors = ["Dieses Datum gibt es nicht."]
        else:
            change = changes.SessionChange(session_id, starts.astimezone(UTC), ends.astimezone(UTC))
            try:
                await changes.change_sessions(
                    session, event_id=event_id, changes=[change], actor=actor, now=now(request)
                )
            except ValidationFailed as exc:  # the service's rules: the end after the start
                form.ends.errors = [exc.message]
            else:
                flash(
                    request,
                    "Der Termin ist verschoben. Die Teilnehmenden werden per E-Mail informiert.",
                )
                return redirect(f"/verwaltung/veranstaltungen/{event_id}")
    if request.method == "GET":
        start = sitting.starts_at.astimezone(BERLIN)
        form = blank_form(
            request,
            SessionForm,
            day=start.date().isoformat(),
            starts=start.strftime("%H:%M"),
            ends=sitting.ends_at.astimezone(BERLIN).strftime("%H:%M"),
        )
    return await render_form(
        request, "courses/move_session.html", form, {"event": event, "sitting": sitting}
    )


async def cancel_event(request: Request) -> Response:
    actor = await require_member(request)
    session = db(request)
    event_id = request.path_params["event_id"]
    event = await services.event_for_organiser(session, event_id, actor)
    form = await bind_form(request, CancelEventForm)
    if request.method == "POST" and form.validate():
        await changes.cancel_event(
            session, event_id=event_id, actor=actor, now=now(request), reason=form.reason.data or ""
        )
        flash(
            request,
            "Die Veranstaltung ist abgesagt. Alle Angemeldeten werden per E-Mail informiert.",
        )
        return redirect(f"/verwaltung/veranstaltungen/{event_id}")
    return await render_form(request, "courses/cancel_event.html", form, {"event": event})


routes = [
    Route("/verwaltung/veranstaltungen/{event_id:id}", manage_event, methods=["GET", "POST"]),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/termine/{session_id:id}",
        move_session,
        methods=["GET", "POST"],
    ),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/absagen", cancel_event, methods=["GET", "POST"]
    ),
]
