"""The JSON API under /api/v1: every package's operations in one table, with bearer tokens.

Each package lists its endpoints in its ``api.py`` (booking.core.api.Operation); this module
joins them, answers for the OpenAPI document and builds the routes, so that the routes and
the document come from the same table. booking/app.py mounts :data:`routes` at :data:`PREFIX`.
"""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings import api as bookings_api
from booking.bookings.queue import booking_queue
from booking.core.api import Operation, build_routes, openapi_document
from booking.members.models import Member
from booking.newsletter import api as newsletter_api
from booking.organisations import api as organisation_api
from booking.privacy import api as privacy_api
from courses import api as courses_api
from courses import series_api
from courses.attendance import api as attendance_api
from courses.certificates import api as certificates_api
from courses.feedback import api as feedback_api
from courses.figures import api as figures_api
from materials import api as materials_api
from venues import api as venues_api

PREFIX = "/api/v1"


async def openapi(request: Request, viewer: Member | None) -> Response:
    return JSONResponse(_document())


@functools.cache
def _document() -> dict[str, Any]:
    return openapi_document(OPERATIONS, PREFIX)


async def member_for_token(request: Request, token: str) -> Member | None:
    """The active member an API token belongs to; lookups arriving together share a query."""
    return await booking_queue(request).member_for_token(token)


OPERATIONS: tuple[Operation, ...] = (
    *courses_api.OPERATIONS,
    *series_api.OPERATIONS,
    *bookings_api.OPERATIONS,
    *organisation_api.OPERATIONS,
    *attendance_api.OPERATIONS,
    *certificates_api.OPERATIONS,
    *feedback_api.OPERATIONS,
    *venues_api.OPERATIONS,
    *figures_api.OPERATIONS,
    *materials_api.OPERATIONS,
    *privacy_api.OPERATIONS,
    *newsletter_api.OPERATIONS,
    Operation(
        "GET", "/openapi.json", openapi, "public", 200, None,
        summary="Diese Beschreibung (OpenAPI 3.1)",
    ),
)  # fmt: skip

routes: list[BaseRoute] = build_routes(OPERATIONS, member_for_token)
