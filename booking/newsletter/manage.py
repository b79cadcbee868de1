"""The organisers' newsletter pages under /verwaltung/newsletter: the issues, the editor
with a preview, a test to oneself, sending with its progress."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.errors import DomainError, Forbidden, ValidationFailed
from booking.core.paging import next_page_url, without_param
from booking.core.web import (
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
from booking.newsletter import issues, queries, sending
from booking.newsletter.forms import IssueForm, mask_controls
from booking.newsletter.models import Issue, IssueStatus, SubscriptionStatus
from booking.newsletter.rendering import render_markdown

BASE = "/verwaltung/newsletter"


async def _organiser(request: Request) -> Member:
    actor: Member = await require_member(request)
    if not actor.is_organiser:
        raise Forbidden()
    return actor


async def index(request: Request) -> Response:
    actor = await _organiser(request)
    cursor = request.query_params.get("cursor") or None
    page = await queries.issues_page(db(request), actor, cursor=cursor)
    return await render(
        request,
        "newsletter/manage_index.html",
        {
            "page": page,
            "counts": await queries.subscriber_counts(db(request)),
            "next_url": next_page_url(request, page.next_cursor) if page.next_cursor else None,
            "first_url": without_param(request) if cursor else None,
        },
    )


def _apply(form: IssueForm, exc: ValidationFailed) -> None:
    for name, message in exc.fields.items():
        field = getattr(form, name, None) or form.subject
        field.errors = [*field.errors, message]


async def _editor(
    request: Request, form: IssueForm, issue: Issue | None, *, preview: bool = False
) -> Response:
    """The editor; after a refused POST with its errors (422, 400 without CSRF), after
    "Vorschau" with the text as it will look."""
    refused = request.method == "POST" and bool(form.errors)
    if refused:
        mask_controls(form)
    shown = None
    if preview and not refused:
        text = issues.check_text(form.subject.data or "", form.body_markdown.data or "")
        rendered = render_markdown(text.body_markdown)
        shown = {"subject": text.subject, "html": rendered.html, "text": rendered.text}
    elif issue is not None and not refused:
        rendered = render_markdown(issue.body_markdown)
        shown = {"subject": issue.subject, "html": rendered.html, "text": rendered.text}
    counts = await queries.subscriber_counts(db(request))
    return await render(
        request,
        "newsletter/editor.html",
        {
            "form": form,
            "issue": issue,
            "errors": form_errors(form) if refused else [],
            "preview": shown,
            "unsaved": preview,
            "recipients": counts.get(SubscriptionStatus.CONFIRMED, 0),
        },
        status_code=invalid_status(form) if refused else 200,
    )


async def _wants_preview(request: Request) -> bool:
    """The editor's "Vorschau" button (rather than "Speichern") was pressed."""
    return (await request.form()).get("action") == "preview"


async def new(request: Request) -> Response:
    actor = await _organiser(request)
    form = await bind_form(request, IssueForm)
    if request.method == "POST" and form.validate():
        try:
            if await _wants_preview(request):
                issues.check_text(form.subject.data or "", form.body_markdown.data or "")
                return await _editor(request, form, None, preview=True)
            issue = await issues.create_issue(
                db(request),
                actor=actor,
                subject=form.subject.data or "",
                body_markdown=form.body_markdown.data or "",
                now=now(request),
            )
        except ValidationFailed as exc:
            _apply(form, exc)
        else:
            flash(request, "Der Entwurf ist gespeichert.")
            return redirect(f"{BASE}/{issue.id}")
    return await _editor(request, form, None)


async def edit(request: Request) -> Response:
    actor = await _organiser(request)
    session = db(request)
    issue = await issues.get_issue(session, request.path_params["issue_id"], actor)
    if issue.status != IssueStatus.DRAFT:
        return await _sent_page(request, issue)
    form = await bind_form(
        request, IssueForm, subject=issue.subject, body_markdown=issue.body_markdown
    )
    if request.method == "POST" and form.validate():
        try:
            if await _wants_preview(request):
                issues.check_text(form.subject.data or "", form.body_markdown.data or "")
                return await _editor(request, form, issue, preview=True)
            issue = await issues.update_issue(
                session,
                issue_id=issue.id,
                actor=actor,
                subject=form.subject.data or "",
                body_markdown=form.body_markdown.data or "",
                now=now(request),
            )
        except ValidationFailed as exc:
            _apply(form, exc)
        else:
            flash(request, "Der Entwurf ist gespeichert.")
            return redirect(f"{BASE}/{issue.id}")
    return await _editor(request, form, issue)


async def _sent_page(request: Request, issue: Issue) -> Response:
    done = await sending.progress(db(request), issue)
    rendered = render_markdown(issue.body_markdown)
    return await render(
        request,
        "newsletter/issue.html",
        {"issue": issue, "progress": done, "html": rendered.html, "text": rendered.text},
    )


async def test_send(request: Request) -> Response:
    actor = await _organiser(request)
    await verify_csrf(request)
    issue_id = request.path_params["issue_id"]
    await issues.send_test(db(request), issue_id=issue_id, actor=actor)
    flash(request, f"Die Testausgabe geht an {actor.email}.")
    return redirect(f"{BASE}/{issue_id}")


async def send(request: Request) -> Response:
    """GET asks once more (with the number of recipients); POST starts the sending."""
    actor = await _organiser(request)
    session = db(request)
    issue = await issues.get_issue(session, request.path_params["issue_id"], actor)
    counts = await queries.subscriber_counts(session)
    problem = None
    if request.method == "POST":
        await verify_csrf(request)
        try:
            await issues.start_sending(session, issue_id=issue.id, actor=actor, now=now(request))
        except DomainError as exc:
            problem = exc.message
        else:
            flash(request, "Der Versand hat begonnen. Der Stand steht unten.")
            return redirect(f"{BASE}/{issue.id}")
    return await render(
        request,
        "newsletter/send.html",
        {
            "issue": issue,
            "recipients": counts.get(SubscriptionStatus.CONFIRMED, 0),
            "problem": problem,
            "form": blank_form(request),
        },
        status_code=409 if problem else 200,
    )


async def progress(request: Request) -> Response:
    """For the page's small script (static/js/progress.js): the same numbers as the page."""
    actor = await _organiser(request)
    session = db(request)
    issue = await issues.get_issue(session, request.path_params["issue_id"], actor)
    done = await sending.progress(session, issue)
    return JSONResponse(
        {
            "valid": done.total,
            "mailed": done.sent,
            "failed": done.failed,
            "done": done.done,
        },
        headers={"Cache-Control": "no-store"},
    )


routes = [
    Route(BASE, index),
    Route(f"{BASE}/neu", new, methods=["GET", "POST"]),
    Route(f"{BASE}/{{issue_id:id}}", edit, methods=["GET", "POST"]),
    Route(f"{BASE}/{{issue_id:id}}/test", test_send, methods=["POST"]),
    Route(f"{BASE}/{{issue_id:id}}/senden", send, methods=["GET", "POST"]),
    Route(f"{BASE}/{{issue_id:id}}/stand", progress),
]
