"""The organisers' side of joining: the queue of confirmed applications, an application's
page with its four answers (accept, accept into an existing organisation, ask back,
decline), and re-issuing an Urkunde after a name change."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.errors import CsrfFailed, Forbidden, ValidationFailed
from booking.core.paging import next_page_url, without_param
from booking.core.web import (
    Form,
    bind_form,
    blank_form,
    db,
    flash,
    form_errors,
    invalid_status,
    now,
    redirect,
    render,
    require_member,
    verify_csrf,
)
from booking.members.models import Member
from booking.organisations import joining, urkunden
from booking.organisations.joining_forms import DeclineForm, MergeIntoForm, QuestionForm
from booking.organisations.models import JoiningApplication
from booking.organisations.queries import find_organisation

QUEUE = "/verwaltung/aufnahmen"


async def _organiser(request: Request) -> Member:
    actor: Member = await require_member(request)
    if not actor.is_organiser:
        raise Forbidden()
    return actor


async def queue_page(request: Request) -> Response:
    actor = await _organiser(request)
    cursor = request.query_params.get("cursor") or None
    page = await joining.open_applications(db(request), actor, cursor=cursor)
    return await render(
        request,
        "organisations/queue.html",
        {
            "page": page,
            "next_url": next_page_url(request, page.next_cursor) if page.next_cursor else None,
            "first_url": without_param(request) if cursor else None,
        },
    )


async def _application_page(
    request: Request,
    actor: Member,
    application: JoiningApplication,
    refused: Form | None = None,
    problem: str | None = None,
) -> Response:
    """The application with its conflicts and its four forms; ``refused``: the one that
    was refused, shown with its errors."""
    session = db(request)
    found = await joining.conflicts(session, application)
    candidates = found.candidates
    forms: dict[str, Form] = {
        "merge": blank_form(
            request, MergeIntoForm, organisation=candidates[0].name if candidates else ""
        ),
        "question": blank_form(request, QuestionForm),
        "decline": blank_form(request, DeclineForm),
    }
    errors = []
    if refused is not None:
        for key, form in forms.items():
            if type(form) is type(refused):
                forms[key] = refused
        errors = form_errors(refused)
    if problem:
        errors = [("", "", problem), *errors]
    return await render(
        request,
        "organisations/application.html",
        {
            "application": application,
            "conflicts": found,
            "forms": forms,
            "errors": errors,
            "problem": problem,
        },
        status_code=(invalid_status(refused) if refused is not None else 422 if problem else 200),
    )


async def application_page(request: Request) -> Response:
    actor = await _organiser(request)
    application = await joining.get_application(
        db(request), request.path_params["application_id"], actor
    )
    return await _application_page(request, actor, application)


def _here(application_id: int) -> str:
    return f"{QUEUE}/{application_id}"


async def accept(request: Request) -> Response:
    actor = await _organiser(request)
    application_id = request.path_params["application_id"]
    await verify_csrf(request)
    try:
        accepted = await joining.accept(
            db(request), actor=actor, application_id=application_id, now=now(request)
        )
    except ValidationFailed as exc:
        application = await joining.get_application(db(request), application_id, actor)
        return await _application_page(request, actor, application, problem=exc.message)
    flash(
        request,
        f"„{accepted.organisation.name}“ ist aufgenommen, Urkunde Nr. "
        f"{accepted.certificate.number}; die Ansprechperson erhält eine E-Mail.",
    )
    return redirect(QUEUE)


async def accept_into(request: Request) -> Response:
    actor = await _organiser(request)
    application_id = request.path_params["application_id"]
    session = db(request)
    form = await bind_form(request, MergeIntoForm)
    if form.validate():
        match = await find_organisation(session, form.organisation.data or "")
        if match.organisation is None:
            names = ", ".join(f"„{o.name}“" for o in match.candidates)
            hint = f" Meinten Sie: {names}?" if names else ""
            form.organisation.errors = [f"Keine eindeutige Organisation gefunden.{hint}"]
        else:
            try:
                accepted = await joining.accept_into(
                    session, actor=actor, application_id=application_id,
                    organisation_id=match.organisation.id, now=now(request),
                )  # fmt: skip
            except ValidationFailed as exc:
                form.organisation.errors = [exc.message]
            else:
                flash(
                    request,
                    f"Die Anfrage ist in „{accepted.organisation.name}“ aufgenommen "
                    f"(Urkunde Nr. {accepted.certificate.number}); die Ansprechperson erhält "
                    "eine E-Mail.",
                )
                return redirect(QUEUE)
    elif "csrf_token" in form.errors:
        raise CsrfFailed()
    application = await joining.get_application(session, application_id, actor)
    return await _application_page(request, actor, application, refused=form)


async def ask(request: Request) -> Response:
    actor = await _organiser(request)
    application_id = request.path_params["application_id"]
    form = await bind_form(request, QuestionForm)
    if form.validate():
        try:
            await joining.ask(
                db(request), actor=actor, application_id=application_id,
                question=form.question.data or "", now=now(request),
            )  # fmt: skip
        except ValidationFailed as exc:
            form.question.errors = [exc.message]
        else:
            flash(request, "Die Rückfrage ist an die Ansprechperson gesendet.")
            return redirect(_here(application_id))
    application = await joining.get_application(db(request), application_id, actor)
    return await _application_page(request, actor, application, refused=form)


async def decline(request: Request) -> Response:
    actor = await _organiser(request)
    application_id = request.path_params["application_id"]
    form = await bind_form(request, DeclineForm)
    if form.validate():
        try:
            application = await joining.decline(
                db(request), actor=actor, application_id=application_id,
                reason=form.reason.data or "", now=now(request),
            )  # fmt: skip
        except ValidationFailed as exc:
            form.reason.errors = [exc.message]
        else:
            flash(request, f"Die Anfrage von „{application.name}“ ist abgelehnt.")
            return redirect(QUEUE)
    application = await joining.get_application(db(request), application_id, actor)
    return await _application_page(request, actor, application, refused=form)


async def reissue(request: Request) -> Response:
    """From an organisation's page, after a name change."""
    actor = await _organiser(request)
    organisation_id = request.path_params["organisation_id"]
    await verify_csrf(request)
    certificate = await urkunden.reissue(
        db(request), actor=actor, organisation_id=organisation_id, now=now(request)
    )
    flash(request, f"Die Urkunde Nr. {certificate.number} ist ausgestellt.")
    return redirect(f"/verwaltung/organisationen/{organisation_id}#urkunde")


routes = [
    Route(QUEUE, queue_page),
    Route(f"{QUEUE}/{{application_id:id}}", application_page),
    Route(f"{QUEUE}/{{application_id:id}}/aufnehmen", accept, methods=["POST"]),
    Route(f"{QUEUE}/{{application_id:id}}/zuordnen", accept_into, methods=["POST"]),
    Route(f"{QUEUE}/{{application_id:id}}/rueckfrage", ask, methods=["POST"]),
    Route(f"{QUEUE}/{{application_id:id}}/ablehnen", decline, methods=["POST"]),
    Route("/verwaltung/organisationen/{organisation_id:id}/urkunde", reissue, methods=["POST"]),
]
