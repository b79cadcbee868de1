"""The JSON API of the newsletter (organisers): write an issue, send it, follow the
sending. The same services as the back-office pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from booking.core.api import Operation, json_answer, path_id, read_body
from booking.core.web import db, now
from booking.members.models import Member
from booking.newsletter import issues, schemas, sending
from booking.newsletter.models import Issue


async def _out(request: Request, issue: Issue) -> schemas.IssueOut:
    done = await sending.progress(db(request), issue)
    return schemas.IssueOut(
        id=issue.id,
        subject=issue.subject,
        body_markdown=issue.body_markdown,
        status=issue.status,  # type: ignore[arg-type]
        created_at=issue.created_at,
        send_started_at=issue.send_started_at,
        recipients=done.recipients,
        queued=done.queued,
        sent=done.sent,
        failed=done.failed,
        done=done.done,
    )


async def create(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.IssueIn)
    issue = await issues.create_issue(
        db(request),
        actor=actor,
        subject=body.subject,
        body_markdown=body.body_markdown,
        now=now(request),
    )
    location = f"/api/v1/newsletters/{issue.id}"
    return json_answer(await _out(request, issue), 201, {"Location": location})


async def send(request: Request, actor: Member) -> Response:
    issue = await issues.start_sending(
        db(request), issue_id=path_id(request), actor=actor, now=now(request)
    )
    return json_answer(await _out(request, issue), 202)


async def show(request: Request, actor: Member) -> Response:
    issue = await issues.get_issue(db(request), path_id(request), actor)
    return json_answer(await _out(request, issue))


OPERATIONS = (
    Operation(
        "POST", "/newsletters", create, "organiser", 201, schemas.IssueOut,
        body=schemas.IssueIn,
        summary="Eine Newsletter-Ausgabe als Entwurf anlegen (Betreff, Text in Markdown)",
    ),
    Operation(
        "GET", "/newsletters/{id:id}", show, "organiser", 200, schemas.IssueOut,
        summary="Eine Ausgabe mit dem Stand des Versands (recipients, sent)",
    ),
    Operation(
        "POST", "/newsletters/{id:id}/send", send, "organiser", 202, schemas.IssueOut,
        errors=(409,),
        summary="Eine Ausgabe an alle bestätigten Abonnentinnen und Abonnenten versenden "
        "(einmal; der Versand läuft im Hintergrund, Stand mit GET)",
    ),
)  # fmt: skip
