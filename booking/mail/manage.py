"""The organisers' page of dead letters: messages the sender gave up on, to queue again."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.web import db, flash, now, redirect, render, require_member, verify_csrf
from booking.mail import messages, queries, services


def _page_number(request: Request) -> int:
    value = request.query_params.get("seite", "1")
    return int(value) if value.isdigit() and len(value) <= 6 else 1


async def failed(request: Request) -> Response:
    actor = await require_member(request)
    page = await queries.failed_messages(db(request), actor, _page_number(request))
    return await render(request, "mail_admin/failed.html", {"page": page})


async def queue_again(request: Request) -> Response:
    actor = await require_member(request)
    await verify_csrf(request)
    message = await services.queue_again(
        db(request), message_id=request.path_params["message_id"], actor=actor, now=now(request)
    )
    flash(request, messages.QUEUED_AGAIN.format(recipient=message.recipient))
    return redirect("/verwaltung/mail")


routes = [
    Route("/verwaltung/mail", failed),
    Route("/verwaltung/mail/{message_id:id}/erneut", queue_again, methods=["POST"]),
]
