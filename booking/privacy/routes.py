"""The member's rights on pages: their data to read and download, deleting their account;
an organiser's page of a member with the erasure on request."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.errors import Forbidden, ValidationFailed
from booking.core.web import (
    bind_form,
    blank_form,
    db,
    end_session,
    flash,
    now,
    redirect,
    render,
    render_form,
    require_member,
)
from booking.privacy import erasure, export, messages
from booking.privacy.forms import EraseMemberForm, EraseOwnForm


async def my_data(request: Request) -> Response:
    member = await require_member(request)
    data = await export.member_export(db(request), member, now(request))
    return await render(request, "privacy/export.html", {"data": data})


async def my_data_download(request: Request) -> Response:
    member = await require_member(request)
    data = await export.member_export(db(request), member, now(request))
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="meine-daten.json"'},
    )


async def erase_own(request: Request) -> Response:
    member = await require_member(request, profile_complete=False)
    preview = await erasure.erasure_preview(
        db(request), member_id=member.id, actor=member, now=now(request)
    )
    form = (
        await bind_form(request, EraseOwnForm)
        if request.method == "POST"
        else blank_form(request, EraseOwnForm)
    )
    if request.method == "POST" and form.validate():
        await erasure.erase_member(db(request), member_id=member.id, actor=member, now=now(request))
        end_session(request)
        flash(request, messages.ERASED_OWN)
        return redirect("/")
    return await render_form(request, "privacy/erase.html", form, {"preview": preview})


async def member_page(request: Request) -> Response:
    actor = await require_member(request)
    member_id = request.path_params["member_id"]
    session = db(request)
    preview = await erasure.erasure_preview(
        session, member_id=member_id, actor=actor, now=now(request)
    )
    if member_id == actor.id or not actor.is_organiser:
        # One's own account is deleted on one's profile; others see nothing here.
        raise Forbidden(messages.ERASE_NOT_ALLOWED)
    form = (
        await bind_form(request, EraseMemberForm)
        if request.method == "POST"
        else blank_form(request, EraseMemberForm)
    )
    if request.method == "POST" and form.validate():
        try:
            await erasure.erase_member(
                session,
                member_id=member_id,
                actor=actor,
                now=now(request),
                reason=form.reason.data or "",
            )
        except ValidationFailed as exc:
            form.reason.errors = [str(exc.fields.get("reason", exc.message))]
        else:
            flash(request, messages.ERASED_MEMBER)
            return redirect("/verwaltung")
    return await render_form(request, "privacy/member.html", form, {"preview": preview})


routes = [
    Route("/profil/daten", my_data),
    Route("/profil/daten.json", my_data_download),
    Route("/profil/loeschen", erase_own, methods=["GET", "POST"]),
    Route("/verwaltung/mitglieder/{member_id:id}", member_page, methods=["GET", "POST"]),
]
