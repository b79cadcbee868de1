"""The organisers' event page: participants and waiting list, capacity and the
per-organisation limit, moving a session, calling the event off."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings import changes, queries
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
    bookings = await queries.event_bookings(session, event_id, actor)
    event = await services.event_detail(session, event_id, actor)
    if request.method == "GET":
        form = blank_form(
            request,
            CapacityForm,
            capacity=event.capacity,
            seats_per_organisation=event.seats_per_organisation,
        )
    positions = await queries.waitlist_positions(session, bookings)
    seats = await queries.availability(session, [event])
    return await render_form(
        request,
        "courses/manage_event.html",
        form,
        {"event": event, "bookings": bookings, "positions": positions, "seats": seats[event.id]},
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
