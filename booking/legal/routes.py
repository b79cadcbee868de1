"""The legal pages: Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit.

Their facts come from the settings: the operator (Settings.operator) and the retention
periods (Settings.retention through booking.privacy.rules), so the Datenschutzerklärung
states the periods the retention job applies.
"""

from __future__ import annotations

from limits import parse
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booking.core.web import (
    bind_form,
    client_ip,
    db,
    hit_rate_limit,
    redirect,
    render,
    render_form,
    state,
)
from booking.legal import messages
from booking.legal.forms import AccessibilityFeedbackForm
from booking.legal.services import Feedback, send_feedback
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


FEEDBACK_PER_CLIENT = parse("10/hour")


async def accessibility(request: Request) -> Response:
    """The statement, with the feedback form; POST sends the feedback."""
    form = await bind_form(request, AccessibilityFeedbackForm)
    if request.method == "POST" and form.validate():
        await hit_rate_limit(
            request, FEEDBACK_PER_CLIENT, f"accessibility:client:{client_ip(request)}"
        )
        settings = state(request).settings
        await send_feedback(
            db(request),
            Feedback(
                message=form.message.data or "",
                page=form.page.data or "",
                name=form.name.data or "",
                email=form.email.data or "",
            ),
            fallback=settings.operator.email,
        )
        return redirect("/barrierefreiheit/danke")
    return await render_form(
        request,
        "legal/barrierefreiheit.html",
        form,
        {
            "operator": state(request).settings.operator,
            "ombudsstelle": messages.OMBUDSSTELLE,
            "mail_days": state(request).settings.retention.sent_mail_days,
        },
    )


async def thanks(request: Request) -> Response:
    return await render(request, "legal/danke.html", {})


routes = [
    Route("/impressum", imprint),
    Route("/datenschutz", privacy),
    Route("/barrierefreiheit", accessibility, methods=["GET", "POST"]),
    Route("/barrierefreiheit/danke", thanks),
]
