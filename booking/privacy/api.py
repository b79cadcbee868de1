"""The JSON API of the member's rights: export, erasure of oneself, erasure by an organiser."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from booking.core.api import Operation, json_answer, path_id, read_body
from booking.core.web import db, now
from booking.members.models import Member
from booking.privacy import erasure, export, schemas


async def my_export(request: Request, member: Member) -> Response:
    data = await export.member_export(db(request), member, now(request))
    await db(request).commit()
    return json_answer(schemas.MemberExport(**data))


async def erase_me(request: Request, member: Member) -> Response:
    await read_body(request, schemas.EraseIn, optional=True)
    done = await erasure.erase_member(
        db(request), member_id=member.id, actor=member, now=now(request)
    )
    return json_answer(schemas.Erased(**vars(done)))


async def erase_member(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.EraseIn)
    done = await erasure.erase_member(
        db(request), member_id=path_id(request), actor=actor, now=now(request), reason=body.reason
    )
    return json_answer(schemas.Erased(**vars(done)))


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", "/me/export", my_export, "member", 200, schemas.MemberExport,
        summary="Alle über mich gespeicherten Daten (Art. 15 DSGVO)",
    ),
    Operation(
        "DELETE", "/me", erase_me, "member", 200, schemas.Erased,
        body=schemas.EraseIn, body_optional=True,
        summary="Mein Konto löschen (Art. 17 DSGVO): künftige Buchungen werden storniert",
    ),
    Operation(
        "DELETE", "/members/{id:id}", erase_member, "organiser", 200, schemas.Erased,
        body=schemas.EraseIn, errors=(422,),
        summary="Ein Mitglied auf Antrag löschen (protokolliert, Grund erforderlich)",
    ),
)  # fmt: skip
