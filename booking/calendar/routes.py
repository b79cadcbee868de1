"""Calendar pages: the personal feed (set up, renewed, switched off), the public programme
feed, and a booking's invitation to download."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.calendar import feeds
from booking.core.errors import NotFound
from booking.core.web import db, flash, now, redirect, require_member, state, verify_csrf

ICS = "text/calendar; charset=utf-8"


async def renew_feed(request: Request) -> Response:
    member = await require_member(request)
    await verify_csrf(request)
    first = member.calendar_token is None
    await feeds.renew_calendar_token(db(request), member)
    if first:
        flash(request, "Ihr Kalender-Abo ist eingerichtet. Die Adresse steht unten.")
    else:
        flash(request, "Ihr Kalender-Abo hat eine neue Adresse. Die alte Adresse gilt nicht mehr.")
    return redirect("/meine-buchungen#kalender")


async def revoke_feed(request: Request) -> Response:
    member = await require_member(request)
    await verify_csrf(request)
    await feeds.revoke_calendar_token(db(request), member)
    flash(request, "Ihr Kalender-Abo ist abgeschaltet.")
    return redirect("/meine-buchungen#kalender")


async def member_feed(request: Request) -> Response:
    app = state(request)
    body = await feeds.member_feed(
        db(request), request.path_params["token"], now=now(request), base_url=app.settings.base_url
    )
    if body is None:
        raise NotFound("Dieses Kalender-Abo gibt es nicht oder nicht mehr.")
    return Response(body, media_type=ICS, headers={"Cache-Control": "private, max-age=300"})


def _matches(if_none_match: str, etag: str) -> bool:
    """``If-None-Match`` by weak comparison (RFC 9110, 13.1.2): ``*``, or any listed tag
    that is ``etag`` with or without its ``W/``."""
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


async def programme_feed(request: Request) -> Response:
    """The public programme; ``If-None-Match`` with the current tag answers 304."""
    programme: feeds.ProgrammeFeed = request.app.state.programme_feed
    at, base_url = now(request), state(request).settings.base_url
    etag = await programme.tag(db(request), now=at, base_url=base_url)
    headers = {"Cache-Control": "public, max-age=300", "ETag": etag}
    if _matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    built = await programme.get(db(request), etag, now=at, base_url=base_url)
    return Response(built.body, media_type=ICS, headers=headers)


async def invitation(request: Request) -> Response:
    """The invitation of one of the member's own confirmed bookings, to download."""
    member = await require_member(request)
    body = await feeds.invitation_for(
        db(request),
        booking_id=request.path_params["booking_id"],
        actor=member,
        organizer=state(request).settings.mail_from,
        base_url=state(request).settings.base_url,
        now=now(request),
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8; method=REQUEST",
        headers={"Content-Disposition": 'attachment; filename="einladung.ics"'},
    )


routes = [
    Route("/kalender/{token:str}.ics", member_feed),
    Route("/programm.ics", programme_feed),
    Route("/meine-buchungen/kalender", renew_feed, methods=["POST"]),
    Route("/meine-buchungen/kalender/abschalten", revoke_feed, methods=["POST"]),
    Route("/buchungen/{booking_id:id}/einladung.ics", invitation),
]
