"""The trainers' pages: "Meine Kurse", and a roster per session built for a phone at the
door (one line per participant, four marks, "Alle anwesend", a search, walk-ins)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.errors import InvalidState, ValidationFailed
from booking.core.formatting import BERLIN
from booking.core.web import (
    db,
    flash,
    now,
    pdf_answer,
    redirect,
    render,
    require_member,
    require_reader,
    verify_csrf,
)
from courses import messages
from courses.attendance import services
from courses.attendance.models import Mark
from courses.attendance.sheet import render_sign_in_sheet

MARK_FIELD = "mark-"
"""A roster line's radio group: ``mark-<booking id>``."""


def _roster_url(event_id: int, session_id: int) -> str:
    return f"/kurse/{event_id}/termine/{session_id}"


async def my_courses(request: Request) -> Response:
    member = await require_member(request)
    at = now(request)
    events = await services.trainer_events(db(request), member, at)
    begun = {e.id for e in events if services.last_session_begun(e, at)}
    return await render(request, "courses/my_courses.html", {"events": events, "begun": begun})


async def roster_page(
    request: Request, errors: list[tuple[str, str, str]] | None = None, status_code: int = 422
) -> Response:
    member = await require_member(request)
    event_id, session_id = request.path_params["event_id"], request.path_params["session_id"]
    event, sitting, lines = await services.roster(db(request), event_id, session_id, member)
    search = request.query_params.get("suche", "").strip()[:100]
    shown = [
        line
        for line in lines
        if search.casefold() in line.booking.member.display_name.casefold()
        or (
            line.booking.organisation
            and search.casefold() in line.booking.organisation.name.casefold()
        )
    ]
    return await render(
        request,
        "courses/roster.html",
        {
            "event": event,
            "sitting": sitting,
            "lines": shown,
            "total": len(lines),
            "marked": sum(1 for line in lines if line.mark is not None),
            "search": search,
            "marks": [(m.value, messages.MARK_LABELS[m.value]) for m in Mark],
            "action": _roster_url(event_id, session_id),
            "errors": errors or [],
        },
        status_code=status_code if errors else 200,
    )


async def save_marks(request: Request) -> Response:
    member = await require_member(request)
    await verify_csrf(request)
    event_id, session_id = request.path_params["event_id"], request.path_params["session_id"]
    data = await request.form()
    marks = []
    for key, value in data.multi_items():
        if key.startswith(MARK_FIELD) and key[len(MARK_FIELD) :].isdigit():
            marks.append((int(key[len(MARK_FIELD) :][:12]), str(value)))
    if not marks:
        flash(request, "Es wurde nichts geändert.")
        return redirect(_roster_url(event_id, session_id))
    try:
        await services.mark(
            db(request),
            event_id=event_id,
            session_id=session_id,
            marks=marks,
            actor=member,
            now=now(request),
        )
    except (ValidationFailed, InvalidState) as exc:
        return await roster_page(request, [("marks", "Anwesenheit", exc.message)], exc.status)
    flash(request, f"Die Anwesenheit ist gespeichert ({len(marks)} Einträge).")
    return redirect(_roster_url(event_id, session_id))


async def all_present(request: Request) -> Response:
    member = await require_member(request)
    await verify_csrf(request)
    event_id, session_id = request.path_params["event_id"], request.path_params["session_id"]
    count = await services.mark_all_present(
        db(request), event_id=event_id, session_id=session_id, actor=member, now=now(request)
    )
    flash(request, f"{count} Person(en) als anwesend eingetragen.")
    return redirect(_roster_url(event_id, session_id))


async def walk_in(request: Request) -> Response:
    """A member who came without a booking, found by their address."""
    member = await require_member(request)
    await verify_csrf(request)
    event_id, session_id = request.path_params["event_id"], request.path_params["session_id"]
    email = str((await request.form()).get("email", ""))
    try:
        booking = await services.add_walk_in(
            db(request), event_id=event_id, email=email, actor=member, now=now(request)
        )
    except ValidationFailed as exc:
        return await roster_page(request, [("email", "E-Mail-Adresse", exc.message)])
    await db(request).refresh(booking, ["member"])
    flash(request, f"{booking.member.display_name} ist vor Ort hinzugefügt.")
    return redirect(_roster_url(event_id, session_id))


async def sign_in_sheet(request: Request) -> Response:
    """The event's sign-in sheet as a PDF for printing (its trainers and organisers, signed in
    or with an API token)."""
    member = await require_reader(request)
    event_id = request.path_params["event_id"]
    today = now(request).astimezone(BERLIN).date()
    sheet = await services.sign_in_sheet(db(request), event_id, member, today)
    body = await asyncio.to_thread(render_sign_in_sheet, sheet)
    return pdf_answer(body, f"unterschriftenliste-{event_id}.pdf")


ROSTER = "/kurse/{event_id:id}/termine/{session_id:id}"

routes = [
    Route("/meine-kurse", my_courses),
    Route(ROSTER, roster_page, methods=["GET"]),
    Route(ROSTER, save_marks, methods=["POST"]),
    Route(f"{ROSTER}/alle-anwesend", all_present, methods=["POST"]),
    Route(f"{ROSTER}/vor-ort", walk_in, methods=["POST"]),
    Route("/kurse/{event_id:id}/unterschriftenliste.pdf", sign_in_sheet),
]
