"""Sign-in by one-time link, profile, sign-out, and the organisers' approval page."""

from __future__ import annotations

from limits import parse
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from wtforms.fields.choices import SelectChoice

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.errors import CsrfFailed, ValidationFailed
from booking.core.web import (
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
from booking.members import services, tokens
from booking.members.forms import ApproveForm, ProfileForm, SignInForm, SignInLinkForm
from booking.members.models import Member
from booking.members.sessions import end_all_sessions
from booking.organisations.forms import NewOrganisationForMemberForm
from booking.organisations.models import Organisation
from booking.organisations.queries import all_organisations
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
        and not services.has_control_characters(value)
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
    return await render_form(
        request, "members/profile.html", form, {"tokens": issued, "now": now(request)}
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


async def approvals(request: Request) -> Response:
    actor = await require_member(request)
    return await _approvals_page(request, actor)


async def _approvals_page(
    request: Request,
    actor: Member,
    refused: tuple[int, NewOrganisationForMemberForm] | None = None,
) -> Response:
    """The page; ``refused``: a pending person's new-organisation form that was refused."""
    pending = await services.pending_members(db(request), actor)
    organisations = await all_organisations(db(request))
    forms, new_forms = {}, {}
    for person in pending:
        form = blank_form(request, ApproveForm)
        form.organisation_id.choices = [
            SelectChoice("", "Bitte wählen …"),
            *_organisation_choices(organisations),
        ]
        forms[person.id] = form
        new_form = refused[1] if refused is not None and refused[0] == person.id else None
        new_forms[person.id] = _unique_ids(
            new_form
            or blank_form(
                request,
                NewOrganisationForMemberForm,
                name=person.organisation_name_given,
                domain=services.email_domain(person.email),
            ),
            person.id,
        )
    errors = form_errors(refused[1]) if refused is not None else []
    return await render(
        request,
        "members/approvals.html",
        {"pending": pending, "forms": forms, "new_forms": new_forms, "errors": errors},
        status_code=invalid_status(refused[1]) if refused is not None else 200,
    )


def _unique_ids(form: NewOrganisationForMemberForm, member_id: int) -> NewOrganisationForMemberForm:
    """One form per pending person on the page: ids that name the person."""
    for field in form:
        field.id = field.label.field_id = f"{field.name}-{member_id}"
    return form


async def approve_new_organisation(request: Request) -> Response:
    """Approve a pending member into an organisation created on the spot."""
    actor = await require_member(request)
    member_id = request.path_params["member_id"]
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
            return redirect("/verwaltung/freigaben")
    return await _approvals_page(request, actor, (member_id, form))


async def approve(request: Request) -> Response:
    actor = await require_member(request)
    member_id = request.path_params["member_id"]
    form = await bind_form(request, ApproveForm)
    form.organisation_id.choices = _organisation_choices(await all_organisations(db(request)))
    if not form.validate() and "csrf_token" in form.errors:
        raise CsrfFailed()
    # An invalid choice arrives as None: the service refuses it after checking who asks.
    person = await services.approve(
        db(request),
        member_id=member_id,
        organisation_id=form.organisation_id.data,
        actor=actor,
        now=now(request),
    )
    flash(request, f"{person.display_name} ist freigeschaltet.")
    return redirect("/verwaltung/freigaben")


def _organisation_choices(organisations: list[Organisation]) -> list[SelectChoice]:
    return [SelectChoice(str(o.id), o.name) for o in organisations]


async def reject(request: Request) -> Response:
    actor = await require_member(request)
    await verify_csrf(request)
    person = await services.reject(
        db(request), member_id=request.path_params["member_id"], actor=actor
    )
    flash(request, f"Der Zugang von {person.email} wurde abgelehnt.")
    return redirect("/verwaltung/freigaben")


routes = [
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
