"""Sign-in by one-time link, profile, sign-out, and the organisers' approval page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from limits import parse
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.errors import CsrfFailed, NotFound, ValidationFailed
from booking.core.paging import decode_cursor, next_page_url, without_param
from booking.core.text import has_control_characters
from booking.core.web import (
    Form,
    begin_session,
    bind_form,
    blank_form,
    client_ip,
    db,
    end_session,
    flash,
    form_errors,
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
from booking.members import messages, services, tokens
from booking.members.forms import (
    ApproveForm,
    ProfileForm,
    RoleForm,
    SignInForm,
    SignInLinkForm,
)
from booking.members.models import Member
from booking.members.sessions import end_all_sessions
from booking.newsletter.queries import own_subscription
from booking.organisations.forms import NewOrganisationForMemberForm
from booking.organisations.queries import Suggestion, suggestions
from booking.organisations.services import create_and_approve

PER_ADDRESS = parse("5/15 minutes")
PER_CLIENT = parse("30/15 minutes")


def safe_next(value: str | None) -> str:
    """Only a local path may follow the sign-in (no open redirect, no control characters)."""
    if (
        value
        and value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value
        and not has_control_characters(value)
        and len(value) <= 500
    ):
        return value
    return "/meine-buchungen"


async def sign_in(request: Request) -> Response:
    form = await bind_form(request, SignInForm)
    if request.method == "GET":
        # Kept only when a page asked for the sign-in: looking at the form stores nothing.
        weiter = request.query_params.get("weiter")
        if weiter is not None and safe_next(weiter) != request.session.get("next"):
            request.session["next"] = safe_next(weiter)
        elif weiter is None:
            request.session.pop("next", None)
    if request.method == "GET" or not form.validate():
        return await render_form(request, "members/sign_in.html", form)
    email = services.valid_email(form.email.data or "") or ""
    await hit_rate_limit(request, PER_CLIENT, f"sign-in:client:{client_ip(request)}")
    await hit_rate_limit(request, PER_ADDRESS, f"sign-in:address:{email}")
    app = state(request)
    await services.request_sign_in(
        db(request), email=email, serializer=app.serializer, base_url=app.settings.base_url
    )
    return redirect("/anmelden/gesendet")


async def sign_in_sent(request: Request) -> Response:
    return await render(request, "members/sign_in_sent.html")


async def sign_in_link(request: Request) -> Response:
    """GET shows a button; only the POST uses the link, so that mail scanners that open
    links do not use it up."""
    form = await bind_form(request, SignInLinkForm, token=request.query_params.get("token", ""))
    if request.method == "GET":
        token = form.token.data or ""
        try:
            services.read_sign_in_token(token, state(request).serializer)
        except ValidationFailed as exc:
            return await _link_invalid(request, exc.message)
        return await render(request, "members/sign_in_link.html", {"form": form})
    if not form.validate():
        return await _link_invalid(
            request, "Der Anmeldelink ist unvollständig. Bitte fordern Sie einen neuen an."
        )
    try:
        result = await services.complete_sign_in(
            db(request),
            token=form.token.data or "",
            serializer=state(request).serializer,
            now=now(request),
        )
    except ValidationFailed as exc:
        return await _link_invalid(request, exc.message)
    next_url = safe_next(request.session.get("next"))
    begin_session(request, result.member)
    if result.member.needs_profile:
        request.session["next"] = next_url
        return redirect("/profil")
    flash(request, f"Willkommen, {result.member.display_name}. Sie sind angemeldet.")
    return redirect(next_url)


async def _link_invalid(request: Request, message: str) -> Response:
    return await render(request, "members/link_invalid.html", {"message": message}, status_code=400)


async def profile(request: Request) -> Response:
    member = await require_member(request, profile_complete=False)
    form = await bind_form(
        request,
        ProfileForm,
        first_name=member.first_name,
        last_name=member.last_name,
        function=member.function,
        organisation_name=member.organisation_name_given,
    )
    if request.method == "POST" and form.validate():
        try:
            await services.update_profile(
                db(request),
                member=member,
                first_name=form.first_name.data or "",
                last_name=form.last_name.data or "",
                function=form.function.data or "",
                organisation_name=form.organisation_name.data or "",
            )
        except ValidationFailed as exc:
            for name, message in exc.fields.items():
                getattr(form, name).errors = [message]
        else:
            flash(request, "Ihre Angaben sind gespeichert.")
            return redirect(safe_next(request.session.pop("next", None)))
    issued = await tokens.api_tokens_of(db(request), member.id)
    subscription = await own_subscription(db(request), member)
    return await render_form(
        request,
        "members/profile.html",
        form,
        {"tokens": issued, "now": now(request), "newsletter": subscription},
    )


async def revoke_token(request: Request) -> Response:
    member = await require_member(request, profile_complete=False)
    await verify_csrf(request)
    await tokens.revoke_api_token(
        db(request), token_id=request.path_params["token_id"], actor=member, now=now(request)
    )
    flash(request, "Das API-Token ist widerrufen und gilt ab sofort nicht mehr.")
    return redirect("/profil")


async def sign_out(request: Request) -> Response:
    await verify_csrf(request)
    end_session(request)
    flash(request, "Sie sind abgemeldet.")
    return redirect("/")


async def sign_out_everywhere(request: Request) -> Response:
    member = await require_member(request, profile_complete=False)
    await verify_csrf(request)
    await end_all_sessions(db(request), member_id=member.id)
    end_session(request)
    flash(request, "Sie sind jetzt auf allen Geräten abgemeldet.")
    return redirect("/")


APPROVALS = "/verwaltung/freigaben"


async def approvals(request: Request) -> Response:
    actor = await require_member(request)
    return await _approvals_page(request, actor)


def _approvals_url(cursor: str | None) -> str:
    """The page of the list that ``cursor`` starts (the first page without one)."""
    return f"{APPROVALS}?{urlencode({'cursor': cursor})}" if cursor else APPROVALS


def _cursor(request: Request) -> str | None:
    """The page the organiser was on: a form's action keeps it, so that the answer (or the
    page after the redirect) is the same page; a forged one is refused like on the page."""
    cursor = request.query_params.get("cursor") or None
    if cursor is not None:
        decode_cursor(cursor, (datetime, int))
    return cursor


async def _approvals_page(
    request: Request,
    actor: Member,
    refused: tuple[int, Form] | None = None,
) -> Response:
    """One page of the people waiting; ``refused``: one person's form that was refused (an
    approval, or a new organisation), answered at the form's address with its errors."""
    session = db(request)
    cursor = _cursor(request)
    page = await services.pending_members(session, actor, cursor=cursor)
    suggested = await suggestions(
        session,
        [(services.email_domain(p.email), p.organisation_name_given) for p in page.items],
    )
    rows = []
    for person, suggestion in zip(page.items, suggested, strict=True):
        form = blank_form(
            request, ApproveForm, organisation=suggestion.organisation.name if suggestion else ""
        )
        new_form = blank_form(
            request,
            NewOrganisationForMemberForm,
            name=person.organisation_name_given,
            domain=services.email_domain(person.email),
        )
        if refused is not None and refused[0] == person.id:
            if isinstance(refused[1], ApproveForm):
                form = refused[1]
            elif isinstance(refused[1], NewOrganisationForMemberForm):
                new_form = refused[1]
        rows.append(
            ApprovalRow(
                person, _unique_ids(form, person.id), _unique_ids(new_form, person.id), suggestion
            )
        )
    if request.method == "GET":
        next_url = next_page_url(request, page.next_cursor) if page.next_cursor else None
        first_url = without_param(request) if cursor else None
    else:  # a refused form, answered at its action's address: the links lead back to the page
        next_url = _approvals_url(page.next_cursor) if page.next_cursor else None
        first_url = APPROVALS if cursor else None
    query = f"?{urlencode({'cursor': cursor})}" if cursor else ""
    return await render(
        request,
        "members/approvals.html",
        {
            "rows": rows,
            "total": page.total or 0,
            "query": query,
            "next_url": next_url,
            "first_url": first_url,
            "errors": form_errors(refused[1]) if refused is not None else [],
        },
        status_code=invalid_status(refused[1]) if refused is not None else 200,
    )


@dataclass(frozen=True)
class ApprovalRow:
    person: Member
    form: ApproveForm
    new_form: NewOrganisationForMemberForm
    suggestion: Suggestion | None


def _unique_ids[FormT: Form](form: FormT, member_id: int) -> FormT:
    """One form per pending person on the page: ids that name the person."""
    for field in form:
        field.id = field.label.field_id = f"{field.name}-{member_id}"
    return form


async def approve_new_organisation(request: Request) -> Response:
    """Approve a pending member into an organisation created on the spot."""
    actor = await require_member(request)
    member_id = request.path_params["member_id"]
    cursor = _cursor(request)
    form = await bind_form(request, NewOrganisationForMemberForm)
    if form.validate():
        try:
            person = await create_and_approve(
                db(request),
                actor=actor,
                member_id=member_id,
                name=form.name.data or "",
                sector=form.sector.data or "",
                region=form.region.data or "",
                domains=[form.domain.data or ""],
                now=now(request),
            )
        except ValidationFailed as exc:
            for name, message in exc.fields.items():
                field = getattr(form, "domain" if name == "domains" else name, form.name)
                field.errors = [*field.errors, message]
        else:
            flash(request, f"{person.display_name} ist freigeschaltet.")
            return redirect(_approvals_url(cursor))
    return await _approvals_page(request, actor, (member_id, form))


async def approve(request: Request) -> Response:
    """Approve a pending member into the organisation the organiser names by its name or
    one of its domains; anything else is answered on the page, beside the field."""
    actor = await require_member(request)
    member_id = request.path_params["member_id"]
    cursor = _cursor(request)
    form = await bind_form(request, ApproveForm)
    if not form.validate():
        if "csrf_token" in form.errors:
            raise CsrfFailed()
        return await _approvals_page(request, actor, (member_id, form))
    try:
        person = await services.approve(
            db(request),
            member_id=member_id,
            organisation=form.organisation.data or "",
            actor=actor,
            now=now(request),
        )
    except ValidationFailed as exc:
        form.organisation.errors = [exc.fields.get("organisation", exc.message)]
        return await _approvals_page(request, actor, (member_id, form))
    flash(request, f"{person.display_name} ist freigeschaltet.")
    return redirect(_approvals_url(cursor))


async def reject(request: Request) -> Response:
    actor = await require_member(request)
    cursor = _cursor(request)
    await verify_csrf(request)
    person = await services.reject(
        db(request), member_id=request.path_params["member_id"], actor=actor
    )
    flash(request, f"Der Zugang von {person.email} wurde abgelehnt.")
    return redirect(_approvals_url(cursor))


ROLES_PAGE = 50


async def roles(request: Request) -> Response:
    """Who holds which role; an organiser gives one (a coordinator for an organisation, a
    trainer, a colleague in the office), recorded in the audit log."""
    actor = await require_member(request)
    session = db(request)
    form = await bind_form(request, RoleForm)
    if request.method == "POST" and form.validate():
        try:
            member = await services.grant_role(
                session, email=form.email.data, role=form.role.data, actor=actor, now=now(request)
            )
        except ValidationFailed as exc:
            for key, message in (exc.fields or {"email": exc.message}).items():
                target = getattr(form, key, form.email)
                target.errors = [*target.errors, message]
        except NotFound as exc:  # no member with that address
            form.email.errors = [exc.message]
        else:
            label = messages.ROLE_LABELS[member.role]
            flash(request, f"{member.display_name} hat jetzt die Rolle „{label}“.")
            return redirect("/verwaltung/rollen")
    page = await services.role_holders_page(
        session, actor, cursor=request.query_params.get("cursor"), limit=ROLES_PAGE
    )
    return await render_form(
        request,
        "members/roles.html",
        form,
        {
            "page": page,
            "labels": messages.ROLE_LABELS,
            "next_page": next_page_url(request, page.next_cursor) if page.next_cursor else None,
            "first_page": without_param(request),
            "later_page": "cursor" in request.query_params,
        },
    )


routes = [
    Route("/verwaltung/rollen", roles, methods=["GET", "POST"]),
    Route("/anmelden", sign_in, methods=["GET", "POST"]),
    Route("/anmelden/gesendet", sign_in_sent),
    Route("/anmelden/link", sign_in_link, methods=["GET", "POST"]),
    Route("/profil", profile, methods=["GET", "POST"]),
    Route("/profil/tokens/{token_id:id}/widerrufen", revoke_token, methods=["POST"]),
    Route("/abmelden", sign_out, methods=["POST"]),
    Route("/ueberall-abmelden", sign_out_everywhere, methods=["POST"]),
    Route("/verwaltung/freigaben", approvals),
    Route("/verwaltung/freigaben/{member_id:id}/freigeben", approve, methods=["POST"]),
    Route("/verwaltung/freigaben/{member_id:id}/ablehnen", reject, methods=["POST"]),
    Route(
        "/verwaltung/freigaben/{member_id:id}/neue-organisation",
        approve_new_organisation,
        methods=["POST"],
    ),
]
