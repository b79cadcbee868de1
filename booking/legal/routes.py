"""The legal pages: Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit.

Their facts come from the settings: the operator (Settings.operator) and the retention
periods (Settings.retention through booking.privacy.rules), so the Datenschutzerklärung
states the periods the retention job applies.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booking.core.web import render, state
from booking.legal import messages
from booking.privacy.rules import rules


async def imprint(request: Request) -> Response:
    return await render(
        request, "legal/impressum.html", {"operator": state(request).settings.operator}
    )


async def privacy(request: Request) -> Response:
    settings = state(request).settings
    return await render(
        request,
        "legal/datenschutz.html",
        {
            "operator": settings.operator,
            "rules": rules(settings.retention),
            "authority": messages.SUPERVISORY_AUTHORITY,
        },
    )


async def accessibility(request: Request) -> Response:
    return await render(
        request,
        "legal/barrierefreiheit.html",
        {"operator": state(request).settings.operator, "ombudsstelle": messages.OMBUDSSTELLE},
    )


routes = [
    Route("/impressum", imprint),
    Route("/datenschutz", privacy),
    Route("/barrierefreiheit", accessibility),
]
