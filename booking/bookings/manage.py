"""The organisers' pages of the draw: an event's protocol (inputs, the order, the decision
per request, 100 a page) and its export as CSV or XLSX."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings import draw, draw_record, messages
from booking.core import paging
from booking.core.web import SpreadsheetKind, db, render, require_member, spreadsheet_answer

PROTOCOL_PAGE = 100
"""Requests per page of the protocol."""


async def protocol_page(request: Request) -> Response:
    actor = await require_member(request)
    session, event_id = db(request), request.path_params["event_id"]
    found = await draw_record.protocol(session, event_id, actor)
    page = None
    if isinstance(found, draw_record.Record):
        page = await draw_record.protocol_lines(
            session,
            found.draw,
            cursor=request.query_params.get("cursor"),
            limit=PROTOCOL_PAGE,
        )
    return await render(
        request,
        "bookings/draw.html",
        {
            "event": found.event,
            "found": found,
            "drawn": isinstance(found, draw_record.Record),
            "page": page,
            "algorithm": draw.ALGORITHM,
            "DECISIONS": messages.DRAW_DECISIONS,
            "later_page": "cursor" in request.query_params,
            "first_page": paging.without_param(request, "cursor"),
            "next_page": paging.next_page_url(request, page.next_cursor)
            if page is not None and page.next_cursor
            else None,
        },
    )


async def _exported(request: Request, kind: SpreadsheetKind) -> Response:
    actor = await require_member(request)
    event_id = request.path_params["event_id"]
    table = await draw_record.protocol_table(db(request), event_id, actor)
    filename = messages.DRAW_EXPORT_FILENAME.format(event_id=event_id)
    return await spreadsheet_answer(table, kind, filename)


async def protocol_csv(request: Request) -> Response:
    return await _exported(request, "csv")


async def protocol_xlsx(request: Request) -> Response:
    return await _exported(request, "xlsx")


routes = [
    Route("/verwaltung/veranstaltungen/{event_id:id}/platzvergabe", protocol_page),
    Route("/verwaltung/veranstaltungen/{event_id:id}/platzvergabe.csv", protocol_csv),
    Route("/verwaltung/veranstaltungen/{event_id:id}/platzvergabe.xlsx", protocol_xlsx),
]
