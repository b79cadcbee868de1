"""The series pages of the back office: planning a series with a preview of its dates
(``/verwaltung/reihen/neu``), a series' dates with their seats (``/verwaltung/reihen/{id}``),
changing one date and every later one, extending the series by its rule."""

from __future__ import annotations

from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.core import paging
from booking.core.errors import CsrfFailed, DomainError, Forbidden, NotFound, ValidationFailed
from booking.core.formatting import range_de, time_de
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
)
from courses import messages, series
from courses import queries as backoffice
from courses.models import EventStatus, Series
from courses.planning import PUBLISH, set_choices
from courses.series_forms import ExtendForm, FollowingForm, SeriesForm
from courses.services import NewEvent, Place, event_for_organiser

PREVIEW = "vorschau"
SERIES_FIELD_OF = {
    "freq": "rhythm", "interval": "rhythm", "venue_id": "venue", "room_id": "room",
    "online_room_id": "online_room", "target_sectors": "sectors",
}  # fmt: skip
"""The planner's field that shows a service's refusal of one of its values."""


def _schedule(form: SeriesForm) -> series.Schedule:
    assert form.first_day.parsed and form.starts.parsed and form.ends.parsed  # validated
    return series.Schedule(
        form.rule,
        form.first_day.parsed,
        form.starts.parsed,
        form.ends.parsed,
        count=form.count.data,
        until=form.until.parsed,
    )


def _event(form: SeriesForm, status: str) -> NewEvent:
    def chosen(value: str | None) -> int | None:
        return int(value) if value else None

    days = form.reminder_days.data
    return NewEvent(
        title=form.title.data.strip(),
        kind=form.kind.data,
        capacity=form.capacity.data,
        sessions=[],
        summary=(form.summary.data or "").strip(),
        description=(form.description.data or "").strip(),
        seats_per_organisation=form.seats_per_organisation.data,
        target_sectors=list(form.sectors.data or []),
        venue_id=chosen(form.venue.data),
        room_id=chosen(form.room.data),
        online_room_id=chosen(form.online_room.data),
        status=status,
        reminder_days=2 if days is None else int(days),
    )


def _show(form: SeriesForm | FollowingForm, exc: ValidationFailed) -> None:
    """A service's refusal next to the field it names (the title when it names none)."""
    for key, message in (exc.fields or {"title": exc.message}).items():
        fallback = getattr(form, "title", None) or form.starts
        target = getattr(form, SERIES_FIELD_OF.get(key, key), None) or fallback
        target.errors = [*target.errors, message]


async def plan_series(request: Request) -> Response:
    """A new series: "Vorschau" shows its dates and saves nothing; "Als Entwurf speichern"
    and "Veröffentlichen" create the series and one event per date at once."""
    actor = await require_member(request)
    if not actor.is_organiser:
        raise Forbidden()
    session = db(request)
    at = now(request)
    if request.method == "POST":
        form = await bind_form(request, SeriesForm)
    else:
        form = blank_form(request, SeriesForm, starts="17:00", ends="18:30", count=12)
    set_choices(form, await backoffice.event_choices(session, at))
    preview: list[tuple[datetime, datetime]] | None = None
    if request.method == "POST" and form.validate():
        action = str((await request.form()).get("aktion", ""))
        try:
            if action == PREVIEW:
                preview = series.schedule_dates(_schedule(form), at)
            else:
                status = EventStatus.PUBLISHED if action == PUBLISH else EventStatus.DRAFT
                created = await series.create_series(
                    session,
                    schedule=_schedule(form),
                    event=_event(form, status),
                    actor=actor,
                    now=at,
                )
                flash(
                    request,
                    f"Die Reihe ist mit {len(created.events)} Terminen angelegt"
                    + (
                        " und veröffentlicht."
                        if status == EventStatus.PUBLISHED
                        else " – als Entwürfe, die erst nach dem Veröffentlichen im Programm "
                        "erscheinen."
                    ),
                )
                return redirect(f"/verwaltung/reihen/{created.id}")
        except ValidationFailed as exc:
            _show(form, exc)
    refused = request.method == "POST" and preview is None
    return await render(
        request,
        "courses/series_form.html",
        {
            "form": form,
            "preview": [range_de(s, e) for s, e in preview] if preview is not None else None,
            "max_dates": series.MAX_DATES,
            "errors": _errors(form) if refused else [],
        },
        status_code=invalid_status(form) if refused else 200,
    )


def _errors(form: SeriesForm | FollowingForm) -> list[tuple[str, str, str]]:
    """The error summary; the CSRF token's as a plain message."""
    found = form_errors(form)
    if "csrf_token" in form.errors:
        found = [e for e in found if e[0]] + [("", "", CsrfFailed.default_message)]
    return found


async def _series(request: Request) -> Series:
    actor = await require_member(request)
    if not actor.is_organiser:
        raise Forbidden()
    found = await db(request).get(Series, request.path_params["series_id"])
    if found is None:
        raise NotFound(messages.SERIES_UNKNOWN)
    return found


async def _series_page(
    request: Request, found: Series, extend: ExtendForm, status_code: int = 200
) -> Response:
    page = await backoffice.series_dates_page(
        db(request),
        found.id,
        cursor=request.query_params.get("cursor"),
        with_drafts=True,
    )
    starts = found.first_starts_at
    ends = starts + timedelta(minutes=found.duration_minutes)
    return await render(
        request,
        "courses/series.html",
        {
            "series": found,
            "rule": series.words(found),
            "times": f"{time_de(starts)}–{time_de(ends)} Uhr",
            "page": page,
            "at": now(request),
            "form": extend,
            "errors": form_errors(extend) if status_code != 200 else [],
            "max_dates": series.MAX_DATES,
            "next_page": paging.next_page_url(request, page.next_cursor)
            if page.next_cursor
            else None,
            "first_page": paging.without_param(request, "cursor"),
            "later_page": "cursor" in request.query_params,
        },
        status_code=status_code,
    )


async def show_series(request: Request) -> Response:
    """A series' dates by start, 50 a page, with seats and what can be changed."""
    found = await _series(request)
    return await _series_page(request, found, blank_form(request, ExtendForm))


async def extend_series(request: Request) -> Response:
    found = await _series(request)
    actor = await require_member(request)
    form = await bind_form(request, ExtendForm)
    if form.validate():
        action = str((await request.form()).get("aktion", ""))
        status = EventStatus.PUBLISHED if action == PUBLISH else EventStatus.DRAFT
        try:
            added = await series.extend_series(
                db(request), series_id=found.id, count=form.count.data, status=status,
                actor=actor, now=now(request),
            )  # fmt: skip
        except ValidationFailed as exc:
            form.count.errors = [*form.count.errors, exc.message]
        else:
            flash(request, f"Die Reihe hat {len(added)} weitere Termine.")
            return redirect(f"/verwaltung/reihen/{found.id}")
    return await _series_page(request, found, form, invalid_status(form))


async def change_following(request: Request) -> Response:
    """A new time of day (and place) for one date and every later one that has not begun;
    the participants of each changed date get the updated invitation."""
    found = await _series(request)
    actor = await require_member(request)
    session = db(request)
    event = await event_for_organiser(session, request.path_params["event_id"], actor)
    if event.series_id != found.id or not event.sessions:
        raise NotFound(messages.SERIES_DATE_UNKNOWN)
    first = event.sessions[0]
    if request.method == "POST":
        form = await bind_form(request, FollowingForm)
    else:
        form = blank_form(
            request, FollowingForm, starts=time_de(first.starts_at), ends=time_de(first.ends_at),
            venue=str(event.venue_id or ""), room=str(event.room_id or ""),
            online_room=str(event.online_room_id or ""),
        )  # fmt: skip
    set_choices(form, await backoffice.event_choices(session, now(request)))
    problem = None
    if request.method == "POST" and form.validate():
        assert form.starts.parsed is not None and form.ends.parsed is not None  # validated
        fields = (form.venue, form.room, form.online_room)
        place = Place(*(int(f.data) if f.data else None for f in fields))
        unchanged = (place.venue_id, place.room_id, place.online_room_id) == (
            event.venue_id, event.room_id, event.online_room_id,
        )  # fmt: skip
        try:
            changed = await series.change_following(
                session, series_id=found.id, event_id=event.id, starts=form.starts.parsed,
                ends=form.ends.parsed, place=None if unchanged else place, actor=actor,
                now=now(request),
            )  # fmt: skip
        except ValidationFailed as exc:
            _show(form, exc)
        except DomainError as exc:  # the date has begun meanwhile
            problem = exc
        else:
            flash(
                request,
                f"{len(changed)} Termin(e) geändert. Die Teilnehmenden werden per E-Mail "
                "informiert, wo sich Zeit oder Ort geändert haben.",
            )
            return redirect(f"/verwaltung/reihen/{found.id}")
    refused = request.method == "POST"
    errors = _errors(form) if refused else []
    if problem is not None:
        errors.append(("", "", problem.message))
    status = (problem.status if problem else invalid_status(form)) if refused else 200
    return await render(
        request,
        "courses/series_following.html",
        {
            "series": found,
            "event": event,
            "begun": first.starts_at <= now(request),
            "form": form,
            "errors": errors,
        },
        status_code=status,
    )


routes = [
    Route("/verwaltung/reihen/neu", plan_series, methods=["GET", "POST"]),
    Route("/verwaltung/reihen/{series_id:id}", show_series),
    Route("/verwaltung/reihen/{series_id:id}/verlaengern", extend_series, methods=["POST"]),
    Route(
        "/verwaltung/reihen/{series_id:id}/ab/{event_id:id}",
        change_following,
        methods=["GET", "POST"],
    ),
]
