"""The organisers' pages: the back-office home, an event's page (participants and waiting
list, capacity and the per-organisation limit), moving a session, calling the event off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings import changes, queries
from booking.bookings.models import PARTICIPANT_STATUSES, BookingStatus
from booking.core import paging
from booking.core.errors import NotFound, ValidationFailed
from booking.core.formatting import BERLIN, day_input, time_de
from booking.core.web import (
    bind_form,
    blank_form,
    db,
    flash,
    now,
    redirect,
    render,
    render_form,
    require_member,
)
from courses import queries as backoffice
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


async def home(request: Request) -> Response:
    """The back office's first page: what comes next, the drafts, what needs attention."""
    actor = await require_member(request)
    found = await backoffice.home(db(request), actor, now(request))
    return await render(request, "courses/backoffice.html", {"home": found})


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


def local_moment(day: date, clock: time) -> datetime:
    """A day and a time of day in Berlin, as organisers think of them, in UTC."""
    return datetime.combine(day, clock, tzinfo=BERLIN).astimezone(UTC)


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
        day, starts, ends = form.day.parsed, form.starts.parsed, form.ends.parsed
        assert day is not None and starts is not None and ends is not None  # validated
        change = changes.SessionChange(
            session_id, local_moment(day, starts), local_moment(day, ends)
        )
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
        form = blank_form(
            request,
            SessionForm,
            day=day_input(sitting.starts_at),
            starts=time_de(sitting.starts_at),
            ends=time_de(sitting.ends_at),
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
    Route("/verwaltung", home),
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
