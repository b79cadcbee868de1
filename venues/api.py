"""The venues' and online rooms' JSON endpoints (organisers only), joined into
booking/api.py's table.

``GET /venues`` and ``GET /online-rooms`` page with a cursor as ``GET /organisations`` does:
``?limit=`` (1–200, default 50) and ``?after=`` (or ``?cursor=``) the ``next_cursor`` of the
previous page, whose whole address the ``Link`` header gives. An online room's meeting URL
is answered here, to organisers, and nowhere public.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from booking.core.api import Operation, json_answer, path_id, read_body, read_query
from booking.core.paging import link_header, next_page_url, parse_limit
from booking.core.web import db, state
from booking.members.models import Member
from venues import queries, schemas, services
from venues.models import OnlineRoom, Room, Venue

PREFIX = "/api/v1"


def _room(room: Room) -> schemas.RoomOut:
    return schemas.RoomOut(id=room.id, name=room.name, capacity=room.capacity)


def _venue(venue: Venue) -> schemas.VenueOut:
    return schemas.VenueOut(
        id=venue.id,
        name=venue.name,
        street=venue.street,
        postal_code=venue.postcode,
        city=venue.city,
        region=venue.region,  # type: ignore[arg-type]
        step_free=venue.step_free,
        hearing_loop=venue.hearing_loop,
        accessible_toilet=venue.accessible_toilet,
        accessibility_notes=venue.accessibility_notes,
        rooms=[_room(room) for room in venue.rooms],
    )


def _online_room(room: OnlineRoom) -> schemas.OnlineRoomOut:
    return schemas.OnlineRoomOut(
        id=room.id, name=room.name, meeting_url=room.meeting_url, dial_in=room.dial_in
    )


def _next_page(request: Request, cursor: str | None) -> dict[str, str]:
    if cursor is None:
        return {}
    origin = state(request).settings.base_url
    return link_header(next_page_url(request, cursor, param="after", origin=origin))


# -- venues ---------------------------------------------------------------------------------------


async def list_venues(request: Request, actor: Member) -> Response:
    params = read_query(request, schemas.VenueListQuery)
    page = await queries.list_venues(
        db(request),
        actor,
        queries.VenueFilter(search=params.search or "", region=params.region or None),
        after=params.after or params.cursor or None,
        limit=parse_limit(params.limit),
    )
    return json_answer(
        schemas.VenuePageOut(
            items=[_venue(venue) for venue in page.items], next_cursor=page.next_cursor
        ),
        headers=_next_page(request, page.next_cursor),
    )


async def get_venue(request: Request, actor: Member) -> Response:
    return json_answer(_venue(await queries.get_venue(db(request), path_id(request), actor)))


async def create_venue(request: Request, actor: Member) -> Response:
    data = await read_body(request, schemas.VenueIn)
    venue = await services.create_venue(
        db(request),
        actor=actor,
        name=data.name,
        street=data.street,
        postal_code=data.postal_code,
        city=data.city,
        region=data.region,
        step_free=data.step_free,
        hearing_loop=data.hearing_loop,
        accessible_toilet=data.accessible_toilet,
        accessibility_notes=data.accessibility_notes,
        rooms=[(room.name, room.capacity) for room in data.rooms],
    )
    location = f"{PREFIX}/venues/{venue.id}"
    return json_answer(_venue(venue), 201, {"Location": location})


async def change_venue(request: Request, actor: Member) -> Response:
    # A field left out is None; a client's explicit null is refused by the schema, so None
    # means "leave as it is" to the service.
    changes = await read_body(request, schemas.VenueChanges)
    venue = await services.update_venue(
        db(request),
        actor=actor,
        venue_id=path_id(request),
        name=changes.name,
        street=changes.street,
        postal_code=changes.postal_code,
        city=changes.city,
        region=changes.region,
        step_free=changes.step_free,
        hearing_loop=changes.hearing_loop,
        accessible_toilet=changes.accessible_toilet,
        accessibility_notes=changes.accessibility_notes,
    )
    return json_answer(_venue(venue))


async def add_room(request: Request, actor: Member) -> Response:
    data = await read_body(request, schemas.RoomIn)
    venue_id = path_id(request)
    room = await services.add_room(
        db(request), actor=actor, venue_id=venue_id, name=data.name, capacity=data.capacity
    )
    location = f"{PREFIX}/venues/{venue_id}/rooms/{room.id}"
    return json_answer(_room(room), 201, {"Location": location})


async def change_room(request: Request, actor: Member) -> Response:
    changes = await read_body(request, schemas.RoomChanges)
    room = await services.update_room(
        db(request),
        actor=actor,
        venue_id=path_id(request),
        room_id=request.path_params["room_id"],
        name=changes.name,
        capacity=changes.capacity,
    )
    return json_answer(_room(room))


# -- online rooms ---------------------------------------------------------------------------------


async def list_online_rooms(request: Request, actor: Member) -> Response:
    params = read_query(request, schemas.OnlineRoomListQuery)
    page = await queries.list_online_rooms(
        db(request),
        actor,
        search=params.search or "",
        after=params.after or params.cursor or None,
        limit=parse_limit(params.limit),
    )
    return json_answer(
        schemas.OnlineRoomPageOut(
            items=[_online_room(room) for room in page.items], next_cursor=page.next_cursor
        ),
        headers=_next_page(request, page.next_cursor),
    )


async def get_online_room(request: Request, actor: Member) -> Response:
    room = await queries.get_online_room(db(request), path_id(request), actor)
    return json_answer(_online_room(room))


async def create_online_room(request: Request, actor: Member) -> Response:
    data = await read_body(request, schemas.OnlineRoomIn)
    room = await services.create_online_room(
        db(request), actor=actor, name=data.name, meeting_url=data.meeting_url, dial_in=data.dial_in
    )
    location = f"{PREFIX}/online-rooms/{room.id}"
    return json_answer(_online_room(room), 201, {"Location": location})


async def change_online_room(request: Request, actor: Member) -> Response:
    changes = await read_body(request, schemas.OnlineRoomChanges)
    room = await services.update_online_room(
        db(request),
        actor=actor,
        online_room_id=path_id(request),
        name=changes.name,
        meeting_url=changes.meeting_url,
        dial_in=changes.dial_in,
    )
    return json_answer(_online_room(room))


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", "/venues", list_venues, "organiser", 200, schemas.VenuePageOut,
        errors=(422,), query=schemas.VenueListQuery,
        summary="Veranstaltungsorte nach Namen, seitenweise, mit ihren Räumen (?search, "
        "?region, ?limit, ?after)",
    ),
    Operation(
        "POST", "/venues", create_venue, "organiser", 201, schemas.VenueOut,
        body=schemas.VenueIn, errors=(503,),
        summary="Veranstaltungsort anlegen, mit Barrierefreiheit und ersten Räumen",
    ),
    Operation(
        "GET", "/venues/{id:id}", get_venue, "organiser", 200, schemas.VenueOut,
        summary="Ein Veranstaltungsort mit seinen Räumen",
    ),
    Operation(
        "PATCH", "/venues/{id:id}", change_venue, "organiser", 200, schemas.VenueOut,
        body=schemas.VenueChanges, errors=(503,),
        summary="Angaben oder Barrierefreiheit eines Veranstaltungsorts ändern",
    ),
    Operation(
        "POST", "/venues/{id:id}/rooms", add_room, "organiser", 201, schemas.RoomOut,
        body=schemas.RoomIn, errors=(503,),
        summary="Einem Veranstaltungsort einen Raum hinzufügen",
    ),
    Operation(
        "PATCH", "/venues/{id:id}/rooms/{room_id:id}", change_room, "organiser", 200,
        schemas.RoomOut, body=schemas.RoomChanges, errors=(503,),
        summary="Name oder Plätze eines Raums ändern",
    ),
    Operation(
        "GET", "/online-rooms", list_online_rooms, "organiser", 200, schemas.OnlineRoomPageOut,
        errors=(422,), query=schemas.OnlineRoomListQuery,
        summary="Online-Räume nach Namen, seitenweise (?search, ?limit, ?after)",
    ),
    Operation(
        "POST", "/online-rooms", create_online_room, "organiser", 201, schemas.OnlineRoomOut,
        body=schemas.OnlineRoomIn, errors=(503,),
        summary="Online-Raum anlegen (der Zugangslink geht nur an bestätigte Teilnehmende)",
    ),
    Operation(
        "GET", "/online-rooms/{id:id}", get_online_room, "organiser", 200,
        schemas.OnlineRoomOut, summary="Ein Online-Raum mit Zugangslink",
    ),
    Operation(
        "PATCH", "/online-rooms/{id:id}", change_online_room, "organiser", 200,
        schemas.OnlineRoomOut, body=schemas.OnlineRoomChanges, errors=(503,),
        summary="Name, Zugangslink oder Einwahl eines Online-Raums ändern",
    ),
)  # fmt: skip
