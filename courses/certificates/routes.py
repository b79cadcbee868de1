"""Certificates on the web: issuing for an event, the public verification page, the PDF."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.errors import NotFound
from booking.core.web import (
    db,
    flash,
    now,
    pdf_answer,
    redirect,
    render,
    require_member,
    state,
    verify_csrf,
)
from courses.certificates import services


async def issue(request: Request) -> Response:
    member = await require_member(request)
    await verify_csrf(request)
    issued = await services.issue(
        db(request), event_id=request.path_params["event_id"], actor=member, now=now(request)
    )
    flash(
        request,
        f"{len(issued)} Bescheinigung(en) ausgestellt."
        if issued
        else "Alle Bescheinigungen dieser Veranstaltung sind bereits ausgestellt.",
    )
    return redirect("/meine-kurse")


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
    member = await require_member(request)
    number = request.path_params["number"]
    certificate = await services.for_download(db(request), number, member)
    link = services.verify_url(state(request).settings.base_url, certificate)
    body = await asyncio.to_thread(services.render, certificate, link)
    return pdf_answer(body, f"{certificate.number}.pdf")


routes = [
    Route("/kurse/{event_id:id}/bescheinigungen", issue, methods=["POST"]),
    Route("/bescheinigungen/pruefen", verify),
    Route("/bescheinigungen/pruefen/{code:str}", verify),
    Route("/bescheinigungen/{number:str}.pdf", pdf),
]
