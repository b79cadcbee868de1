"""The JSON API of the audit log (organisers)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from booking.core.api import Operation, json_answer, page_headers, path_id, read_query
from booking.core.schemas import PageQuery
from booking.core.web import db
from booking.members.models import Member
from booking.privacy import messages, queries, schemas
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
)  # fmt: skip
