"""The public programme and the event page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings import draw_record, queries
from booking.core import paging
from booking.core.web import (
    current_member,
    db,
    form_errors,
    now,
    render,
)
from courses import listing, services
from courses.forms import ProgrammeFilterForm


async def programme(request: Request) -> Response:
    form = ProgrammeFilterForm(formdata=request.query_params)
    valid = form.validate()
    filters = listing.ProgrammeFilter(collapse_series=True)
    series = None
    if "series" in request.query_params:  # the link from a series' card
        series = await listing.series(db(request), request.query_params["series"])
    if valid:
        filters = listing.ProgrammeFilter(
            kind=form.kind.data or None,
            sector=form.sector.data or None,
            region=form.region.data or None,
            month=form.month.data or None,
            free_only=bool(form.free_only.data),
            series_id=series.id if series is not None else None,
            collapse_series=True,
        )
    page = await listing.programme(
        db(request),
        filters,
        now(request),
        cursor=request.query_params.get("cursor") if valid else None,
        limit=listing.PROGRAMME_PAGE,
    )
    first_page = paging.without_param(request, "cursor")
    return await render(
        request,
        "courses/programme.html",
        {
            "form": form,
            "errors": [] if valid else form_errors(form),
            "page": page,
            "series": series,
            "later_page": "cursor" in request.query_params,
            "first_page": first_page,
            "next_page": paging.next_page_url(request, page.next_cursor)
            if page.next_cursor
            else None,
            "filtered": any(v for k, v in request.query_params.items() if k != "cursor"),
        },
        status_code=200 if valid else 400,
    )


async def event_page(request: Request) -> Response:
    member = await current_member(request)
    session = db(request)
    event = await services.event_detail(session, request.path_params["event_id"], member)
    seats = await queries.availability(session, [event, *event.workshops])
    box = await queries.booking_box(session, event, member, now(request))
    lottery = await draw_record.event_view(session, event, member) if event.by_draw else None
    return await render(
        request,
        "courses/event.html",
        {
            "event": event,
            "seats": seats,
            "booking": box.booking,
            "position": box.position,
            "problem": box.problem,
            "meeting_link": box.meeting_link,
            "can_cancel": box.can_cancel,
            "slots": services.parallel_slots(event.workshops),
            "lottery": lottery,
        },
    )


routes = [
    Route("/", programme),
    Route("/veranstaltungen/{event_id:id}", event_page),
]
