"""The organisers' pages for organisations: list, create, edit with domains, merge."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from wtforms.fields.choices import SelectChoice

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.errors import CsrfFailed, Forbidden, ValidationFailed
from booking.core.web import (
    bind_form,
    blank_form,
    db,
    flash,
    form_errors,
    now,
    redirect,
    render,
    render_form,
    require_member,
)
from booking.members.models import Member
from booking.organisations import checks, messages, queries, services, urkunden
from booking.organisations.forms import (
    DomainForm,
    EditOrganisationForm,
    MergeForm,
    OrganisationFilterForm,
    OrganisationForm,
    RemoveDomainForm,
)
from booking.organisations.models import Organisation

BASE = "/verwaltung/organisationen"


async def _organiser(request: Request) -> Member:
    actor: Member = await require_member(request)
    if not actor.is_organiser:
        raise Forbidden()
    return actor


def _show_field_errors(form: object, exc: ValidationFailed, fallback: str) -> None:
    """Put the service's messages beside the fields they concern."""
    for name, message in (exc.fields or {fallback: exc.message}).items():
        target = getattr(form, name, None) or getattr(form, fallback)
        target.errors = [*target.errors, message]


async def list_page(request: Request) -> Response:
    actor = await _organiser(request)
    form = OrganisationFilterForm(formdata=request.query_params)
    valid = form.validate()
    filters = queries.OrganisationFilter()
    after = None
    if valid:
        filters = queries.OrganisationFilter(
            search=form.q.data or "",
            sector=form.sector.data or None,
            region=form.region.data or None,
        )
        after = form.nach.data or None
    try:
        page = await queries.list_organisations(db(request), actor, filters, after=after)
    except ValidationFailed as exc:
        valid = False
        _show_field_errors(form, exc, "q")
        page = await queries.list_organisations(db(request), actor, queries.OrganisationFilter())
    query = {k: v for k, v in request.query_params.items() if k in ("q", "sector", "region") and v}
    next_url = (
        f"{BASE}?{urlencode({**query, 'nach': page.next_cursor})}" if page.next_cursor else None
    )
    return await render(
        request,
        "organisations/list.html",
        {
            "form": form,
            "errors": [] if valid else form_errors(form),
            "page": page,
            "next_url": next_url,
            "first_url": f"{BASE}?{urlencode(query)}" if after else None,
            "continued": bool(after),
            "filtered": any(request.query_params.get(k) for k in ("q", "sector", "region")),
        },
        status_code=200 if valid else 400,
    )


async def create_page(request: Request) -> Response:
    actor = await _organiser(request)
    form = await bind_form(request, OrganisationForm)
    if request.method == "POST" and form.validate():
        try:
            organisation = await services.create_organisation(
                db(request),
                actor=actor,
                name=form.name.data or "",
                sector=form.sector.data or "",
                region=form.region.data or "",
                domains=[form.domain.data or ""],
            )
        except ValidationFailed as exc:
            _show_field_errors(form, ValidationFailed(exc.message, _domain_key(exc.fields)), "name")
        else:
            flash(request, f"Die Organisation „{organisation.name}“ ist angelegt.")
            return redirect(f"{BASE}/{organisation.id}")
    return await render_form(request, "organisations/create.html", form)


def _domain_key(fields: dict[str, str]) -> dict[str, str]:
    """The service says ``domains``; the form's field is ``domain``."""
    return {("domain" if k == "domains" else k): v for k, v in fields.items()}


async def _edit(
    request: Request,
    organisation: Organisation,
    form: EditOrganisationForm,
    domain_form: DomainForm,
) -> Response:
    refused = request.method == "POST"
    errors = [*form_errors(form), *form_errors(domain_form)] if refused else []
    usage = await queries.usage(db(request), organisation)
    certificate = await urkunden.current(db(request), organisation.id)
    return await render(
        request,
        "organisations/edit.html",
        {
            "organisation": organisation,
            "form": form,
            "domain_form": domain_form,
            "remove_form": blank_form(request, RemoveDomainForm),
            "errors": errors,
            "usage": usage,
            "certificate": certificate,
        },
        status_code=(
            400
            if "csrf_token" in form.errors or "csrf_token" in domain_form.errors
            else 422
            if refused
            else 200
        ),
    )


async def edit_page(request: Request) -> Response:
    actor = await _organiser(request)
    organisation_id = request.path_params["organisation_id"]
    organisation = await queries.get_organisation(db(request), organisation_id, actor)
    form = await bind_form(
        request,
        EditOrganisationForm,
        name=organisation.name,
        sector=organisation.sector,
        region=organisation.region,
    )
    if request.method == "POST" and form.validate():
        try:
            organisation = await services.update_organisation(
                db(request),
                actor=actor,
                organisation_id=organisation_id,
                name=form.name.data or "",
                sector=form.sector.data or "",
                region=form.region.data or "",
            )
        except ValidationFailed as exc:
            _show_field_errors(form, exc, "name")
            organisation = await queries.get_organisation(db(request), organisation_id, actor)
        else:
            flash(request, "Die Angaben sind gespeichert.")
            return redirect(f"{BASE}/{organisation_id}")
    return await _edit(request, organisation, form, blank_form(request, DomainForm))


async def add_domain(request: Request) -> Response:
    actor = await _organiser(request)
    organisation_id = request.path_params["organisation_id"]
    organisation = await queries.get_organisation(db(request), organisation_id, actor)
    domain_form = await bind_form(request, DomainForm)
    if domain_form.validate():
        try:
            await services.add_domain(
                db(request),
                actor=actor,
                organisation_id=organisation_id,
                domain=domain_form.domain.data or "",
            )
        except ValidationFailed as exc:
            _show_field_errors(domain_form, exc, "domain")
        else:
            added = checks.normalise_domain(domain_form.domain.data or "")
            flash(request, f"Die Domain {added} ist hinzugefügt.")
            return redirect(f"{BASE}/{organisation_id}#domains")
    organisation = await queries.get_organisation(db(request), organisation_id, actor)
    form = blank_form(
        request,
        EditOrganisationForm,
        name=organisation.name,
        sector=organisation.sector,
        region=organisation.region,
    )
    return await _edit(request, organisation, form, domain_form)


async def remove_domain(request: Request) -> Response:
    actor = await _organiser(request)
    organisation_id = request.path_params["organisation_id"]
    form = await bind_form(request, RemoveDomainForm)
    if not form.validate():
        if "csrf_token" in form.errors:
            raise CsrfFailed()
        raise ValidationFailed(messages.DOMAIN_INVALID)
    domain = checks.normalise_domain(form.domain.data or "")
    await services.remove_domain(
        db(request), actor=actor, organisation_id=organisation_id, domain=domain
    )
    flash(request, f"Die Domain {domain} ist entfernt.")
    return redirect(f"{BASE}/{organisation_id}#domains")


async def merge_page(request: Request) -> Response:
    """Step one: choose the duplicate. Step two: see what moves and confirm."""
    actor = await _organiser(request)
    keep_id = request.path_params["organisation_id"]
    session = db(request)
    keep = await queries.get_organisation(session, keep_id, actor)
    others = [o for o in await queries.all_organisations(session) if o.id != keep_id]
    form = await bind_form(request, MergeForm)
    form.remove_id.choices = [
        SelectChoice("", "Bitte wählen …"),
        *(SelectChoice(str(o.id), o.name) for o in others),
    ]
    if request.method == "POST" and form.validate():
        chosen = form.remove_id.data or ""
        remove_id = int(chosen) if chosen.isdigit() and len(chosen) < 10 else 0
        if not any(o.id == remove_id for o in others):
            form.remove_id.errors = ["Bitte wählen Sie den doppelten Eintrag aus."]
        elif form.confirmed.data == "ja":
            result = await services.merge_organisations(
                session, actor=actor, keep_id=keep_id, remove_id=remove_id, now=now(request)
            )
            flash(
                request,
                f"„{result.removed_name}“ ist in „{result.kept.name}“ aufgegangen: "
                f"{result.members} Mitglied(er), {result.bookings} Buchung(en) und "
                f"{result.domains} Domain(s) sind übernommen.",
            )
            return redirect(f"{BASE}/{keep_id}")
        else:
            remove = await queries.get_organisation(session, remove_id, actor)
            return await render(
                request,
                "organisations/merge_confirm.html",
                {
                    "keep": keep,
                    "remove": remove,
                    "usage": await queries.usage(session, remove),
                    "form": form,
                },
            )
    return await render_form(request, "organisations/merge.html", form, {"keep": keep})


routes = [
    Route(BASE, list_page),
    Route(f"{BASE}/neu", create_page, methods=["GET", "POST"]),
    Route(f"{BASE}/{{organisation_id:id}}", edit_page, methods=["GET", "POST"]),
    Route(f"{BASE}/{{organisation_id:id}}/domains", add_domain, methods=["POST"]),
    Route(f"{BASE}/{{organisation_id:id}}/domains/entfernen", remove_domain, methods=["POST"]),
    Route(f"{BASE}/{{organisation_id:id}}/zusammenfuehren", merge_page, methods=["GET", "POST"]),
]
