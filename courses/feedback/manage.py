"""The organisers' feedback pages: an event's results with its free texts
(/verwaltung/veranstaltungen/{id}/rueckmeldungen) and the events of a year or a window of
days side by side (/verwaltung/rueckmeldungen)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core.errors import Forbidden, ValidationFailed
from booking.core.formatting import BERLIN
from booking.core.paging import Page, next_page_url, without_param
from booking.core.web import db, form_errors, now, render, require_member
from booking.members.models import Member
from courses.feedback import queries
from courses.feedback.forms import OverviewFilterForm, year_choices
from courses.feedback.questions import QUESTIONS, SCALE

OVERVIEW = "/verwaltung/rueckmeldungen"


async def _organiser(request: Request) -> Member:
    actor: Member = await require_member(request)
    if not actor.is_organiser:
        raise Forbidden()
    return actor


async def event_page(request: Request) -> Response:
    actor = await _organiser(request)
    session = db(request)
    results = await queries.event_results(session, request.path_params["event_id"], actor)
    comments = await queries.event_comments(
        session, results, cursor=request.query_params.get("cursor")
    )
    return await render(
        request,
        "courses/feedback/results.html",
        {
            "results": results,
            "comments": comments,
            "min_answers": queries.MIN_ANSWERS,
            "share": queries.used_share(results.invited, results.answered),
            "scale": SCALE,
            "next_url": next_page_url(request, comments.next_cursor)
            if comments.next_cursor
            else None,
            "first_url": without_param(request) if "cursor" in request.query_params else None,
        },
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=BERLIN)


async def overview_page(request: Request) -> Response:
    actor = await _organiser(request)
    this_year = now(request).astimezone(BERLIN).year
    form = OverviewFilterForm(formdata=request.query_params, data={"jahr": str(this_year)})
    form.jahr.choices = year_choices(this_year)
    valid = form.validate()
    page: Page[queries.EventRow] = Page([], None, 0)
    title = ""
    if valid:
        if form.von.parsed or form.bis.parsed:
            first = form.von.parsed or date(int(form.jahr.data), 1, 1)
            last = form.bis.parsed or date(int(form.jahr.data), 12, 31)
            starts, ends = _midnight(first), _midnight(last + timedelta(days=1))
            if ends <= starts:
                form.bis.errors = [*form.bis.errors, "Das Ende liegt vor dem Anfang."]
                valid = False
            title = f"{first:%d.%m.%Y} bis {last:%d.%m.%Y}"
        else:
            year = int(form.jahr.data)
            starts, ends = _midnight(date(year, 1, 1)), _midnight(date(year + 1, 1, 1))
            title = str(year)
    if valid:
        try:
            page = await queries.events_overview(
                db(request), actor, starts=starts, ends=ends, cursor=form.nach.data or None
            )
        except ValidationFailed as exc:  # a forged cursor
            form.nach.errors = [exc.message]
            valid = False
    keep = {k: v for k, v in request.query_params.items() if k in ("jahr", "von", "bis") and v}
    continued = bool(request.query_params.get("nach"))
    return await render(
        request,
        "courses/feedback/overview.html",
        {
            "form": form,
            "errors": [] if valid else _filter_errors(form),
            "page": page,
            "title": title,
            "questions": QUESTIONS,
            "min_answers": queries.MIN_ANSWERS,
            "next_url": f"{OVERVIEW}?{urlencode({**keep, 'nach': page.next_cursor})}"
            if valid and page.next_cursor
            else None,
            "first_url": f"{OVERVIEW}?{urlencode(keep)}" if continued else None,
            "continued": continued,
        },
        status_code=200 if valid else 400,
    )


def _filter_errors(form: OverviewFilterForm) -> list[tuple[str, str, str]]:
    """The summary's lines; a forged cursor is named without a field to jump to."""
    found = [line for line in form_errors(form) if line[0] != form.nach.id]
    found += [("", "", message) for message in form.nach.errors]
    return found


routes = [
    Route("/verwaltung/rueckmeldungen", overview_page),
    Route("/verwaltung/veranstaltungen/{event_id:id}/rueckmeldungen", event_page),
]
