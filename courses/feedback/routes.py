"""The feedback form behind the link in the invitation: no sign-in, answered once.

GET only shows the form (mail scanners that open links use nothing up); the POST records the
answer and leads to a thank-you page. A used, expired or unknown link gets a German page
saying so (409, 410, 404)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booking.core.errors import DomainError, ValidationFailed
from booking.core.web import bind_form, db, now, redirect, render, render_form
from courses.feedback import services
from courses.feedback.forms import FeedbackForm
from courses.feedback.questions import COMMENT_MAX


async def form_page(request: Request) -> Response:
    token = request.path_params["token"]
    session = db(request)
    try:
        invited = await services.open_invitation(session, token, now(request))
    except DomainError as exc:
        return await _unavailable(request, exc)
    form = await bind_form(request, FeedbackForm)
    if request.method == "POST" and form.validate():
        try:
            await services.submit(
                session,
                token=token,
                ratings=form.ratings(),
                comment=form.comment.data or "",
                now=now(request),
            )
        except ValidationFailed as exc:
            for key, message in (exc.fields or {"comment": exc.message}).items():
                target = getattr(form, key, form.comment)
                target.errors = [*target.errors, message]
        except DomainError as exc:  # used meanwhile (a second tab, a double click), expired
            return await _unavailable(request, exc)
        else:
            return redirect("/rueckmeldung/danke")
    return await render_form(
        request,
        "courses/feedback/form.html",
        form,
        {"event": invited.event, "expires_at": invited.expires_at, "comment_max": COMMENT_MAX},
    )


async def _unavailable(request: Request, exc: DomainError) -> Response:
    return await render(
        request,
        "courses/feedback/unavailable.html",
        {"message": exc.message, "status": exc.status},
        status_code=exc.status,
    )


async def thanks(request: Request) -> Response:
    return await render(request, "courses/feedback/thanks.html")


routes = [
    Route("/rueckmeldung/danke", thanks),
    Route("/rueckmeldung/{token:str}", form_page, methods=["GET", "POST"]),
]
