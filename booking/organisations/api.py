"""The organisations' JSON endpoints (organisers only), joined into booking/api.py's table.

``GET /organisations`` pages with a cursor: ``?limit=`` (1–200, default 50) and
``?after=`` (or ``?cursor=``) the ``next_cursor`` of the previous page, whose whole address
the ``Link`` header gives; filters ``?search=``, ``?sector=``, ``?region=``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from booking.core.api import Operation, json_answer, read_body, read_query
from booking.core.paging import link_header, next_page_url, parse_limit
from booking.core.web import db, state
from booking.members.models import Member
from booking.organisations import messages, queries, schemas, services
from booking.organisations.models import Organisation, Sector

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
)  # fmt: skip
