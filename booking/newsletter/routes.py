"""The newsletter's public and members' pages: sign-up, confirmation link, one-click
unsubscribe (also the RFC 8058 POST of mail programs), the profile's buttons, the archive."""

from __future__ import annotations

from limits import parse
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.errors import InvalidState, ValidationFailed
from booking.core.paging import next_page_url, without_param
from booking.core.web import (
    bind_form,
    client_ip,
    current_member,
    db,
    flash,
    hit_rate_limit,
    invalid_status,
    now,
    redirect,
    render,
    render_form,
    require_member,
    state,
    verify_csrf,
)
from booking.members.services import valid_email
from booking.newsletter import messages, queries, services
from booking.newsletter.forms import ConfirmLinkForm, SignUpForm, mask_controls
from booking.newsletter.models import SubscriptionStatus
from booking.newsletter.rendering import render_markdown

PAGE = "/newsletter"
PER_ADDRESS = parse("5/hour")
PER_CLIENT = parse("20/hour")


async def sign_up(request: Request) -> Response:
    """The same answer whether or not the address is subscribed already."""
    form = await bind_form(request, SignUpForm)
    if request.method == "POST" and form.validate():
        await hit_rate_limit(request, PER_CLIENT, f"newsletter:client:{client_ip(request)}")
        email = valid_email(form.email.data or "") or "-"
        await hit_rate_limit(request, PER_ADDRESS, f"newsletter:address:{email}")
        app = state(request)
        try:
            await services.request_subscription(
                db(request),
                email=form.email.data or "",
                consent=bool(form.consent.data),
                serializer=services.confirm_serializer(app.settings.secret_key),
                base_url=app.settings.base_url,
                now=now(request),
            )
        except ValidationFailed as exc:
            for name, message in exc.fields.items():
                field = getattr(form, name, None) or form.email
                field.errors = [*field.errors, message]
        else:
            return redirect(f"{PAGE}/gesendet")
    mask_controls(form)
    member = await current_member(request)
    own = await queries.own_subscription(db(request), member) if member else None
    return await render_form(
        request,
        "newsletter/sign_up.html",
        form,
        {
            "consent_text": messages.CONSENT_TEXTS[messages.CONSENT_VERSION],
            "own": own,
            "subscribed": own is not None and own.status == SubscriptionStatus.CONFIRMED,
        },
    )


async def sent(request: Request) -> Response:
    return await render(request, "newsletter/sent.html")


async def confirm_page(request: Request) -> Response:
    """GET shows a button; only the POST uses the link (mail scanners open links)."""
    form = await bind_form(request, ConfirmLinkForm, token=request.query_params.get("token", ""))
    serializer = services.confirm_serializer(state(request).settings.secret_key)
    if request.method == "GET":
        try:
            services.read_confirm_token(form.token.data or "", serializer)
        except ValidationFailed as exc:
            return await _problem(request, exc.message, 400)
        return await render(request, "newsletter/confirm.html", {"form": form})
    if not form.validate():
        return await _problem(request, messages.CONFIRM_LINK_INVALID, invalid_status(form))
    try:
        await services.confirm(
            db(request), token=form.token.data or "", serializer=serializer, now=now(request)
        )
    except ValidationFailed as exc:
        return await _problem(request, exc.message, 400)
    except InvalidState as exc:
        return await _problem(request, exc.message, 409)
    return await render(request, "newsletter/confirmed.html")


async def unsubscribe(request: Request) -> Response:
    """GET shows a button; POST (the button, or a mail program's one-click POST with
    ``List-Unsubscribe=One-Click``) unsubscribes. The signed token in the address is the
    authority: no session, no CSRF token."""
    token = request.path_params["token"]
    serializer = services.unsubscribe_serializer(state(request).settings.secret_key)
    if request.method == "GET":
        try:
            services.read_unsubscribe_token(token, serializer)
        except ValidationFailed as exc:
            return await _problem(request, exc.message, 400)
        return await render(request, "newsletter/unsubscribe.html", {"token": token})
    try:
        await services.unsubscribe_by_token(
            db(request), token=token, serializer=serializer, now=now(request)
        )
    except ValidationFailed as exc:
        return await _problem(request, exc.message, 400)
    return await render(request, "newsletter/unsubscribed.html")


async def _problem(request: Request, message: str, status: int) -> Response:
    return await render(request, "newsletter/link.html", {"message": message}, status_code=status)


async def subscribe_member(request: Request) -> Response:
    member = await require_member(request, profile_complete=False)
    await verify_csrf(request)
    await services.subscribe_member(db(request), member=member, now=now(request))
    flash(request, "Sie erhalten ab jetzt den Newsletter an " + member.email + ".")
    return redirect(_back(request))


async def unsubscribe_member(request: Request) -> Response:
    member = await require_member(request, profile_complete=False)
    await verify_csrf(request)
    await services.unsubscribe_email(db(request), email=member.email, now=now(request))
    flash(request, "Sie sind vom Newsletter abgemeldet.")
    return redirect(_back(request))


def _back(request: Request) -> str:
    return PAGE if request.query_params.get("von") == "newsletter" else "/profil#newsletter"


async def archive(request: Request) -> Response:
    await require_member(request)
    cursor = request.query_params.get("cursor") or None
    page = await queries.archive_page(db(request), cursor=cursor)
    return await render(
        request,
        "newsletter/archive.html",
        {
            "page": page,
            "next_url": next_page_url(request, page.next_cursor) if page.next_cursor else None,
            "first_url": without_param(request) if cursor else None,
        },
    )


async def archived(request: Request) -> Response:
    await require_member(request)
    issue = await queries.archived_issue(db(request), request.path_params["issue_id"])
    return await render(
        request,
        "newsletter/archived.html",
        {"issue": issue, "body": render_markdown(issue.body_markdown).html},
    )


routes = [
    Route(PAGE, sign_up, methods=["GET", "POST"]),
    Route(f"{PAGE}/gesendet", sent),
    Route(f"{PAGE}/bestaetigen", confirm_page, methods=["GET", "POST"]),
    Route(f"{PAGE}/abmelden/{{token:str}}", unsubscribe, methods=["GET", "POST"]),
    Route(f"{PAGE}/abonnieren", subscribe_member, methods=["POST"]),
    Route(f"{PAGE}/abbestellen", unsubscribe_member, methods=["POST"]),
    Route(f"{PAGE}/archiv", archive),
    Route(f"{PAGE}/archiv/{{issue_id:id}}", archived),
]
