"""The audit log in full for organisers: filtered by event, by whose data, by who acted, by
action and by days; newest first, a page at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booking.core import paging
from booking.core.errors import Forbidden
from booking.core.formatting import BERLIN
from booking.core.web import db, render, require_member
from booking.members.services import member_by_email, valid_email
from booking.privacy import messages, queries
from booking.privacy.forms import AuditFilterForm

PAGE = 50


async def audit_log(request: Request) -> Response:
    actor = await require_member(request)
    if not actor.is_organiser:
        raise Forbidden(messages.NOT_ALLOWED)
    session = db(request)
    form = AuditFilterForm(request.query_params)
    valid = form.validate()
    ids: dict[str, int | None] = {"person": None, "durch": None}
    for name in ids:
        field = getattr(form, name)
        text = (field.data or "").strip()
        if not text or field.errors:
            continue
        address = valid_email(text)
        found = await member_by_email(session, address) if address else None
        if found is None:
            field.errors = [messages.NOBODY_WITH_ADDRESS]
            valid = False
        else:
            ids[name] = found.id
    since = _start_of(form.von.parsed) if form.von.parsed else None
    until = _start_of(form.bis.parsed + timedelta(days=1)) if form.bis.parsed else None
    where = queries.AuditFilter(
        event_id=form.veranstaltung.data if valid else None,
        member_id=ids["person"],
        actor_id=ids["durch"],
        action=form.aktion.data or None,
        since=since,
        until=until,
    )
    page = (
        await queries.entries_page(
            session, actor, where=where, cursor=request.query_params.get("cursor"), limit=PAGE
        )
        if valid
        else None
    )
    return await render(
        request,
        "privacy/audit.html",
        {
            "form": form,
            "page": page,
            "next_page": paging.next_page_url(request, page.next_cursor)
            if page and page.next_cursor
            else None,
            "first_page": paging.without_param(request, "cursor"),
            "later_page": "cursor" in request.query_params,
        },
        status_code=200 if valid else 400,
    )


def _start_of(day: date) -> datetime:
    """The start of a day in Berlin, in UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=BERLIN).astimezone(UTC)


routes = [Route("/verwaltung/protokoll", audit_log)]
