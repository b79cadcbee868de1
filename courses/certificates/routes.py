"""Certificates on the web: issuing for an event, the public verification page, the PDF."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings.queries import status_counts
from booking.core.errors import NotFound, ValidationFailed
from booking.core.paging import next_page_url
from booking.core.web import (
    db,
    flash,
    now,
    pdf_answer,
    redirect,
    render,
    require_member,
    require_reader,
    state,
    verify_csrf,
)
from courses.attendance.services import event_for_trainer, last_session_begun
from courses.certificates import services

REASON_FIELD = "grund"


def _page_url(event_id: int) -> str:
    return f"/kurse/{event_id}/bescheinigungen"


async def event_page(request: Request) -> Response:
    """An event's certificates for its trainers and organisers: the outcomes, issuing in one
    step, how far the mails to the members have got, the list with revocation."""
    return await _event_page(request, request.path_params["event_id"])


async def _event_page(
    request: Request, event_id: int, *, errors: dict[str, str] | None = None, reason: str = ""
) -> Response:
    member = await require_member(request)
    session = db(request)
    event = await event_for_trainer(session, event_id, member)
    page = await services.event_certificates(
        session, event_id, member, cursor=request.query_params.get("cursor")
    )
    counts = await status_counts(session, event_id)
    return await render(
        request,
        "courses/certificates.html",
        {
            "event": event,
            "page": page,
            "progress": await services.progress(session, event_id),
            "counts": counts,
            "settled": await services.outcomes_settled(session, event_id),
            "unissued": await services.unissued(session, event_id),
            "begun": last_session_begun(event, now(request)),
            "next_url": next_page_url(request, page.next_cursor) if page.next_cursor else None,
            "errors": errors or {},
            "reason": reason,
            "reason_field": REASON_FIELD,
        },
        status_code=422 if errors else 200,
    )


async def progress(request: Request) -> Response:
    """How far the mails of an event's certificates have got, for the page's small script."""
    member = await require_member(request)
    event_id = request.path_params["event_id"]
    await event_for_trainer(db(request), event_id, member)
    done = await services.progress(db(request), event_id)
    return JSONResponse(
        {"valid": done.valid, "mailed": done.mailed, "failed": done.failed, "done": done.done},
        headers={"Cache-Control": "no-store"},
    )


async def issue(request: Request) -> Response:
    member = await require_member(request)
    await verify_csrf(request)
    event_id = request.path_params["event_id"]
    issued = await services.issue(db(request), event_id=event_id, actor=member, now=now(request))
    flash(
        request,
        f"{len(issued)} Bescheinigung(en) ausgestellt; die Teilnehmenden erhalten je eine "
        "E-Mail mit dem Link."
        if issued
        else "Alle Bescheinigungen dieser Veranstaltung sind bereits ausgestellt.",
    )
    return redirect(_page_url(event_id))


async def revoke(request: Request) -> Response:
    """Organisers revoke a certificate with a reason; back to its event's list."""
    member = await require_member(request)
    await verify_csrf(request)
    number = request.path_params["number"]
    reason = str((await request.form()).get(REASON_FIELD, ""))
    try:
        certificate = await services.revoke(
            db(request), number=number, reason=reason, actor=member, now=now(request)
        )
    except ValidationFailed as exc:
        certificate = await services.by_number(db(request), number)
        if certificate.event_id is None:
            raise
        errors = {certificate.number: exc.message}
        return await _event_page(request, certificate.event_id, errors=errors, reason=reason)
    flash(request, f"Bescheinigung {certificate.number} widerrufen.")
    if certificate.event_id is None:
        return redirect("/meine-kurse")
    return redirect(_page_url(certificate.event_id))


async def verify(request: Request) -> Response:
    """By the code in the QR code, or by the number typed into the form."""
    session = db(request)
    certificate = None
    number = request.query_params.get("nummer", "").strip()[:40]
    try:
        if "code" in request.path_params:
            certificate = await services.by_code(session, request.path_params["code"])
        elif number:
            certificate = await services.by_number(session, number)
    except NotFound as exc:
        return await render(
            request,
            "courses/verify.html",
            {"certificate": None, "number": number, "unknown": exc.message},
            status_code=404,
        )
    return await render(
        request,
        "courses/verify.html",
        {
            "certificate": certificate,
            "name": services.abbreviated(certificate.participant_name) if certificate else "",
            "number": number,
            "unknown": None,
        },
    )


async def pdf(request: Request) -> Response:
    """The certificate as a PDF for its owner or an organiser, signed in or with an API token."""
    member = await require_reader(request)
    number = request.path_params["number"]
    certificate = await services.for_download(db(request), number, member)
    link = services.verify_url(state(request).settings.base_url, certificate)
    body = await asyncio.to_thread(services.render, certificate, link)
    return pdf_answer(body, f"{certificate.number}.pdf")


routes = [
    Route("/kurse/{event_id:id}/bescheinigungen", event_page, methods=["GET"]),
    Route("/kurse/{event_id:id}/bescheinigungen", issue, methods=["POST"]),
    Route("/kurse/{event_id:id}/bescheinigungen/stand", progress),
    Route("/bescheinigungen/{number:str}/widerrufen", revoke, methods=["POST"]),
    Route("/bescheinigungen/pruefen", verify),
    Route("/bescheinigungen/pruefen/{code:str}", verify),
    Route("/bescheinigungen/{number:str}.pdf", pdf),
]
