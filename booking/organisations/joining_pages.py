"""The public side of joining: the form "Netzwerkpartner werden", the confirmation link, the
list of partner organisations, the Urkunde's verification page and PDF, and the page of an
organisation for its coordinators."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from limits import parse
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booking.core.errors import InvalidState, NotFound, ValidationFailed
from booking.core.web import (
    bind_form,
    client_ip,
    db,
    form_errors,
    hit_rate_limit,
    invalid_status,
    now,
    pdf_answer,
    redirect,
    render,
    render_form,
    require_member,
    require_reader,
    state,
)
from booking.members.services import valid_email
from booking.organisations import joining, messages, queries, urkunden
from booking.organisations.joining_forms import ConfirmLinkForm, JoiningForm, PartnerFilterForm
from booking.organisations.models import Organisation

FORM = "/netzwerkpartner-werden"
PARTNERS = "/netzwerkpartner"
PER_ADDRESS = parse("5/hour")
PER_CLIENT = parse("20/hour")


def _input(form: JoiningForm) -> joining.ApplicationInput:
    return joining.ApplicationInput(
        name=form.name.data or "", sector=form.sector.data or "", region=form.region.data or "",
        street=form.street.data or "", address_extra=form.address_extra.data or "",
        postal_code=form.postal_code.data or "", city=form.city.data or "",
        head_name=form.head_name.data or "", head_function=form.head_function.data or "",
        contact_first_name=form.contact_first_name.data or "",
        contact_last_name=form.contact_last_name.data or "",
        contact_email=form.contact_email.data or "",
        domains=joining.split_domains(form.domains.data or ""), listed=bool(form.listed.data),
    )  # fmt: skip


async def apply_page(request: Request) -> Response:
    """The same answer for known and unknown organisations, domains and addresses."""
    form = await bind_form(request, JoiningForm)
    if request.method == "POST" and form.validate():
        await hit_rate_limit(request, PER_CLIENT, f"joining:client:{client_ip(request)}")
        email = valid_email(form.contact_email.data or "") or "-"
        await hit_rate_limit(request, PER_ADDRESS, f"joining:address:{email}")
        app = state(request)
        try:
            await joining.apply(
                db(request),
                _input(form),
                serializer=joining.confirm_serializer(app.settings.secret_key),
                base_url=app.settings.base_url,
                now=now(request),
            )
        except ValidationFailed as exc:
            for name, message in exc.fields.items():
                field = getattr(form, name, None) or form.name
                field.errors = [*field.errors, message]
        else:
            return redirect(f"{FORM}/gesendet")
    return await render_form(request, "organisations/joining_form.html", form)


async def sent_page(request: Request) -> Response:
    return await render(request, "organisations/joining_sent.html")


async def confirm_page(request: Request) -> Response:
    """GET shows a button; only the POST uses the link (mail scanners open links)."""
    form = await bind_form(request, ConfirmLinkForm, token=request.query_params.get("token", ""))
    serializer = joining.confirm_serializer(state(request).settings.secret_key)
    if request.method == "GET":
        try:
            joining.read_confirm_token(form.token.data or "", serializer)
        except ValidationFailed as exc:
            return await _link_problem(request, exc.message, 400)
        return await render(request, "organisations/joining_confirm.html", {"form": form})
    if not form.validate():
        return await _link_problem(request, messages.CONFIRM_LINK_INVALID, invalid_status(form))
    try:
        application = await joining.confirm(
            db(request), token=form.token.data or "", serializer=serializer, now=now(request)
        )
    except ValidationFailed as exc:
        return await _link_problem(request, exc.message, 400)
    except InvalidState as exc:
        return await _link_problem(request, exc.message, 409)
    return await render(
        request, "organisations/joining_confirmed.html", {"application": application}
    )


async def _link_problem(request: Request, message: str, status: int) -> Response:
    return await render(
        request, "organisations/joining_link.html", {"message": message}, status_code=status
    )


async def partners_page(request: Request) -> Response:
    form = PartnerFilterForm(formdata=request.query_params)
    valid = form.validate()
    filters = queries.OrganisationFilter()
    after = None
    if valid:
        filters = queries.OrganisationFilter(
            sector=form.sector.data or None, region=form.region.data or None
        )
        after = form.nach.data or None
    try:
        page = await queries.partner_list(db(request), filters, after=after)
    except ValidationFailed as exc:
        valid = False
        for name, message in exc.fields.items():
            getattr(form, name if name in ("sector", "region") else "sector").errors = [message]
        page = await queries.partner_list(db(request), queries.OrganisationFilter())
    kept = {k: v for k, v in request.query_params.items() if k in ("sector", "region") and v}
    next_url = (
        f"{PARTNERS}?{urlencode({**kept, 'nach': page.next_cursor})}" if page.next_cursor else None
    )
    return await render(
        request,
        "organisations/partners.html",
        {
            "form": form,
            "errors": [] if valid else form_errors(form),
            "page": page,
            "next_url": next_url,
            "first_url": f"{PARTNERS}?{urlencode(kept)}" if after else None,
            "filtered": bool(kept),
        },
        status_code=200 if valid else 400,
    )


async def verify_page(request: Request) -> Response:
    try:
        certificate = await urkunden.by_code(db(request), request.path_params["code"])
    except NotFound as exc:
        return await render(
            request,
            "organisations/urkunde_verify.html",
            {"certificate": None, "unknown": exc.message},
            status_code=404,
        )
    return await render(
        request, "organisations/urkunde_verify.html", {"certificate": certificate, "unknown": None}
    )


async def pdf(request: Request) -> Response:
    """With the signed link of the acceptance mail, or signed in (or an API token) as an
    organiser or a coordinator of the organisation."""
    app = state(request)
    signed_for = urkunden.read_download_token(
        urkunden.download_serializer(app.settings.secret_key),
        request.query_params.get("zugang", ""),
    )
    viewer = None
    if signed_for is None:
        viewer = await require_reader(request)
    certificate = await urkunden.for_download(
        db(request), request.path_params["number"], viewer, signed_for=signed_for
    )
    link = urkunden.verify_url(app.settings.base_url, certificate)
    body = await asyncio.to_thread(urkunden.render, certificate, link)
    return pdf_answer(body, f"Urkunde-{certificate.number}.pdf")


async def organisation_page(request: Request) -> Response:
    """The coordinators' page of their organisation: its data and its Urkunde."""
    member = await require_member(request)
    if member.coordinates is None:
        return await render(
            request,
            "organisations/own.html",
            {"organisation": None, "message": messages.COORDINATORS_ONLY},
            status_code=403,
        )
    session = db(request)
    organisation = await session.get(Organisation, member.coordinates)
    assert organisation is not None
    await session.refresh(organisation, ["domains"])
    certificate = await urkunden.current(session, organisation.id)
    base = state(request).settings.base_url
    return await render(
        request,
        "organisations/own.html",
        {
            "organisation": organisation,
            "certificate": certificate,
            "verify_url": urkunden.verify_url(base, certificate) if certificate else None,
        },
    )


routes = [
    Route(FORM, apply_page, methods=["GET", "POST"]),
    Route(f"{FORM}/gesendet", sent_page),
    Route(f"{FORM}/bestaetigen", confirm_page, methods=["GET", "POST"]),
    Route(PARTNERS, partners_page),
    Route("/urkunden/pruefen/{code:str}", verify_page),
    Route("/urkunden/{number:str}.pdf", pdf),
    Route("/organisation", organisation_page),
]
