"""The organisations' JSON endpoints (organisers only), joined into booking/api.py's table.

``GET /organisations`` pages with a cursor: ``?limit=`` (1–200, default 50) and
``?after=`` (or ``?cursor=``) the ``next_cursor`` of the previous page, whose whole address
the ``Link`` header gives; filters ``?search=``, ``?sector=``, ``?region=``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from booking.core.api import Operation, json_answer, path_id, read_body, read_query
from booking.core.paging import link_header, next_page_url, parse_limit
from booking.core.schemas import PageQuery
from booking.core.web import client_ip, db, hit_rate_limit, now, state
from booking.members.models import Member
from booking.members.services import valid_email
from booking.organisations import joining, messages, queries, schemas, services, urkunden
from booking.organisations.joining_pages import PER_ADDRESS, PER_CLIENT
from booking.organisations.models import (
    JoiningApplication,
    JoiningCertificate,
    Organisation,
    Sector,
)

PREFIX = "/api/v1"


def _out(organisation: Organisation, members: int) -> schemas.OrganisationOut:
    sector = Sector(organisation.sector)
    return schemas.OrganisationOut(
        id=organisation.id,
        name=organisation.name,
        sector=sector.value,
        sector_label=messages.SECTOR_LABELS[sector],
        emergency_services=sector.is_emergency,
        region=organisation.region,  # type: ignore[arg-type]
        domains=[d.domain for d in organisation.domains],
        members=members,
    )


async def _one(request: Request, organisation: Organisation) -> schemas.OrganisationOut:
    counts = await queries.member_counts(db(request), [organisation.id])
    return _out(organisation, counts.get(organisation.id, 0))


async def list_organisations(request: Request, actor: Member) -> Response:
    params = read_query(request, schemas.OrganisationListQuery)
    page = await queries.list_organisations(
        db(request),
        actor,
        queries.OrganisationFilter(
            search=params.search or "",
            sector=params.sector or None,
            region=params.region or None,
        ),
        after=params.after or params.cursor or None,
        limit=parse_limit(params.limit),
    )
    headers = {}
    if page.next_cursor is not None:
        origin = state(request).settings.base_url
        next_url = next_page_url(request, page.next_cursor, param="after", origin=origin)
        headers = link_header(next_url)
    return json_answer(
        schemas.OrganisationPageOut(
            items=[_out(o, page.member_counts.get(o.id, 0)) for o in page.items],
            next_cursor=page.next_cursor,
        ),
        headers=headers,
    )


async def create_organisation(request: Request, actor: Member) -> Response:
    data = await read_body(request, schemas.OrganisationIn)
    organisation = await services.create_organisation(
        db(request),
        actor=actor,
        name=data.name,
        sector=data.sector,
        region=data.region,
        domains=data.domains,
    )
    location = f"{PREFIX}/organisations/{organisation.id}"
    return json_answer(await _one(request, organisation), 201, {"Location": location})


async def change_organisation(request: Request, actor: Member) -> Response:
    organisation_id: int = request.path_params["id"]
    changes = await read_body(request, schemas.OrganisationChanges)
    sent = changes.model_fields_set
    organisation = await services.update_organisation(
        db(request),
        actor=actor,
        organisation_id=organisation_id,
        name=changes.name if "name" in sent else None,
        sector=changes.sector if "sector" in sent else None,
        region=changes.region if "region" in sent else None,
        domains=changes.domains if "domains" in sent else None,
    )
    return json_answer(await _one(request, organisation))


# -- joining online ------------------------------------------------------------------------------

RECEIVED = (
    "Vielen Dank. Die Ansprechperson erhält eine E-Mail mit einem Link, der die Anfrage "
    "bestätigt (48 Stunden gültig); danach prüft die Geschäftsstelle sie."
)


def _application(application: JoiningApplication) -> schemas.ApplicationOut:
    return schemas.ApplicationOut.model_validate(
        {c: getattr(application, c) for c in schemas.ApplicationOut.model_fields}
    )


def _urkunde(request: Request, certificate: JoiningCertificate) -> schemas.UrkundeOut:
    base = state(request).settings.base_url
    return schemas.UrkundeOut(
        number=certificate.number,
        organisation_id=certificate.organisation_id,
        organisation_name=certificate.organisation_name,
        joined_on=certificate.joined_on,
        issued_at=certificate.issued_at,
        valid=certificate.valid,
        pdf_url=urkunden.pdf_url(base, certificate),
        verify_url=urkunden.verify_url(base, certificate),
    )


async def apply(request: Request, caller: Member | None) -> Response:
    data = await read_body(request, schemas.ApplicationIn)
    await hit_rate_limit(request, PER_CLIENT, f"joining:client:{client_ip(request)}")
    email = valid_email(data.contact_email) or "-"
    await hit_rate_limit(request, PER_ADDRESS, f"joining:address:{email}")
    app = state(request)
    await joining.apply(
        db(request),
        joining.ApplicationInput(**data.model_dump()),
        serializer=joining.confirm_serializer(app.settings.secret_key),
        base_url=app.settings.base_url,
        now=now(request),
    )
    return json_answer(schemas.ApplicationReceived(message=RECEIVED), 202)


async def list_applications(request: Request, actor: Member) -> Response:
    params = read_query(request, PageQuery)
    page = await joining.open_applications(
        db(request), actor, cursor=params.cursor, limit=params.limit
    )
    headers = {}
    if page.next_cursor is not None:
        origin = state(request).settings.base_url
        headers = link_header(next_page_url(request, page.next_cursor, origin=origin))
    return json_answer(
        schemas.ApplicationPageOut(
            items=[_application(a) for a in page.items],
            next_cursor=page.next_cursor,
            total=page.total or 0,
        ),
        headers=headers,
    )


async def get_application(request: Request, actor: Member) -> Response:
    application = await joining.get_application(db(request), path_id(request), actor)
    return json_answer(_application(application))


async def _accepted(
    request: Request, actor: Member, accepted: joining.Accepted, status: int
) -> Response:
    organisation = await queries.get_organisation(db(request), accepted.organisation.id, actor)
    out = schemas.AcceptedOut(
        application=_application(accepted.application),
        organisation=await _one(request, organisation),
        certificate=_urkunde(request, accepted.certificate),
    )
    return json_answer(out, status, {"Location": f"{PREFIX}/organisations/{organisation.id}"})


async def accept(request: Request, actor: Member) -> Response:
    accepted = await joining.accept(
        db(request), actor=actor, application_id=path_id(request), now=now(request)
    )
    return await _accepted(request, actor, accepted, 201)


async def accept_into(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.IntoIn)
    accepted = await joining.accept_into(
        db(request), actor=actor, application_id=path_id(request),
        organisation_id=body.organisation_id, now=now(request),
    )  # fmt: skip
    return await _accepted(request, actor, accepted, 200)


async def ask(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.QuestionIn)
    application = await joining.ask(
        db(request), actor=actor, application_id=path_id(request), question=body.question,
        now=now(request),
    )  # fmt: skip
    return json_answer(_application(application))


async def decline(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.DeclineIn)
    application = await joining.decline(
        db(request), actor=actor, application_id=path_id(request), reason=body.reason,
        now=now(request),
    )  # fmt: skip
    return json_answer(_application(application))


async def certificate(request: Request, viewer: Member) -> Response:
    found = await urkunden.of_organisation(db(request), path_id(request), viewer)
    return json_answer(_urkunde(request, found))


async def reissue(request: Request, actor: Member) -> Response:
    issued = await urkunden.reissue(
        db(request), actor=actor, organisation_id=path_id(request), now=now(request)
    )
    return json_answer(_urkunde(request, issued), 201)


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", "/organisations", list_organisations, "organiser", 200,
        schemas.OrganisationPageOut, errors=(422,), query=schemas.OrganisationListQuery,
        summary="Organisationen nach Namen, seitenweise (?search, ?sector, ?region, ?limit, "
        "?after)",
    ),
    Operation(
        "POST", "/organisations", create_organisation, "organiser", 201,
        schemas.OrganisationOut, body=schemas.OrganisationIn,
        summary="Organisation anlegen, mit ihren E-Mail-Domains",
    ),
    Operation(
        "PATCH", "/organisations/{id:id}", change_organisation, "organiser", 200,
        schemas.OrganisationOut, body=schemas.OrganisationChanges, errors=(503,),
        summary="Name, Bereich, Bezirk oder Domains einer Organisation ändern",
    ),
    Operation(
        "POST", "/organisations/applications", apply, "public", 202,
        schemas.ApplicationReceived, body=schemas.ApplicationIn, errors=(429,),
        summary="Netzwerkpartner werden: Anfrage einer Organisation (öffentlich); die "
        "Ansprechperson bestätigt sie über den Link in einer E-Mail",
    ),
    Operation(
        "GET", "/organisations/applications", list_applications, "organiser", 200,
        schemas.ApplicationPageOut, query=PageQuery,
        summary="Bestätigte, offene Anfragen, die am längsten wartenden zuerst (?limit, ?cursor)",
    ),
    Operation(
        "GET", "/organisations/applications/{id:id}", get_application, "organiser", 200,
        schemas.ApplicationOut, summary="Eine Anfrage",
    ),
    Operation(
        "POST", "/organisations/applications/{id:id}/accept", accept, "organiser", 201,
        schemas.AcceptedOut, errors=(409, 503),
        summary="Als neue Organisation aufnehmen: mit Domains und nummerierter Urkunde",
    ),
    Operation(
        "POST", "/organisations/applications/{id:id}/merge", accept_into, "organiser", 200,
        schemas.AcceptedOut, body=schemas.IntoIn, errors=(409, 503),
        summary="In eine bestehende Organisation aufnehmen (ihre Domains kommen hinzu)",
    ),
    Operation(
        "POST", "/organisations/applications/{id:id}/ask", ask, "organiser", 200,
        schemas.ApplicationOut, body=schemas.QuestionIn, errors=(409, 503),
        summary="Rückfrage an die Ansprechperson (per E-Mail); die Anfrage bleibt offen",
    ),
    Operation(
        "POST", "/organisations/applications/{id:id}/decline", decline, "organiser", 200,
        schemas.ApplicationOut, body=schemas.DeclineIn, errors=(409, 503),
        summary="Ablehnen, mit Grund (per E-Mail an die Ansprechperson)",
    ),
    Operation(
        "GET", "/organisations/{id:id}/certificate", certificate, "member", 200,
        schemas.UrkundeOut, errors=(403,),
        summary="Die Urkunde der Organisation mit pdf_url und verify_url (Geschäftsstelle und "
        "Koordinierende der Organisation)",
    ),
    Operation(
        "POST", "/organisations/{id:id}/certificate", reissue, "organiser", 201,
        schemas.UrkundeOut, errors=(409, 503),
        summary="Die Urkunde nach einer Namensänderung neu ausstellen (neue Nummer)",
    ),
)  # fmt: skip
