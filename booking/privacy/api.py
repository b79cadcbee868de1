"""The JSON API of the privacy room: the audit log (organisers), the member's rights
(export, erasure of oneself, erasure by an organiser)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from booking.core.api import Operation, json_answer, page_headers, path_id, read_body, read_query
from booking.core.schemas import PageQuery
from booking.core.web import db, now
from booking.members.models import Member
from booking.privacy import erasure, export, messages, queries, schemas
from booking.privacy.models import AuditEntry


def entry_out(entry: AuditEntry) -> schemas.AuditEntryOut:
    return schemas.AuditEntryOut(
        id=entry.id,
        created_at=entry.created_at,
        action=entry.action,
        action_label=messages.action_label(entry.action),
        actor_email=entry.actor.email if entry.actor else None,
        event_id=entry.event_id,
        member_email=entry.member.email if entry.member else None,
        booking_id=entry.booking_id,
        before=entry.before,
        after=entry.after,
        reason=entry.reason,
    )


async def audit(request: Request, actor: Member) -> Response:
    query = read_query(request, schemas.AuditQuery)
    page = await queries.entries_page(
        db(request),
        actor,
        where=queries.AuditFilter(
            event_id=query.event_id,
            member_id=query.member_id,
            actor_id=query.actor_id,
            action=query.action,
            since=query.from_,
            until=query.to,
        ),
        cursor=query.cursor,
        limit=query.limit,
    )
    return json_answer([entry_out(e) for e in page.items], headers=page_headers(request, page))


async def event_audit(request: Request, actor: Member) -> Response:
    query = read_query(request, PageQuery)
    page = await queries.entries_page(
        db(request), actor, event_id=path_id(request), cursor=query.cursor, limit=query.limit
    )
    return json_answer([entry_out(e) for e in page.items], headers=page_headers(request, page))


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


OPERATIONS = (
    Operation(
        "GET", "/audit", audit, "organiser", 200, schemas.AuditEntryOut, many=True,
        query=schemas.AuditQuery, paged=True,
        summary="Protokoll: was Geschäftsstelle, Trainerinnen, Trainer und Koordination an den "
        "Daten anderer geändert haben, neueste zuerst (Filter: Veranstaltung, Person, "
        "Handelnde, Aktion, Zeit)",
    ),
    Operation(
        "GET", "/events/{id:id}/audit", event_audit, "organiser", 200, schemas.AuditEntryOut,
        many=True, query=PageQuery, paged=True,
        summary="Protokoll der Veranstaltung: was die Geschäftsstelle geändert hat, neueste "
        "zuerst",
    ),

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
