"""The JSON API of series: plan one (``POST /series``) and read one with its dates."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from booking.core.api import Operation, json_answer, page_headers, path_id, read_body, read_query
from booking.core.errors import NotFound, ValidationFailed
from booking.core.schemas import PageQuery
from booking.core.web import db, now, state
from booking.members.models import Member
from courses import messages, series, series_schemas
from courses import queries as backoffice
from courses.models import Series

RULE_FIELDS = ("freq", "interval", "weekday", "week_of_month")
"""The service's names for the parts of a rule, which the API nests under ``rule``."""


async def _answer(
    request: Request, found: Series, viewer: Member | None, query: PageQuery
) -> tuple[series_schemas.SeriesOut, dict[str, str]]:
    page = await backoffice.series_dates_page(
        db(request),
        found.id,
        cursor=query.cursor,
        limit=query.limit,
        with_drafts=viewer is not None and viewer.is_organiser,
    )
    base_url = state(request).settings.base_url
    rule = series.rule_of(found.rrule)
    body = series_schemas.SeriesOut(
        id=found.id,
        title=found.title,
        rule=series_schemas.RuleOut(
            freq=rule.freq,
            weekday=series.WEEKDAYS[rule.weekday],
            interval=rule.interval,
            week_of_month=rule.week_of_month,
        )
        if rule is not None
        else None,
        rule_text=series.words(found),
        rrule=found.rrule,
        starts_at=found.first_starts_at,
        duration_minutes=found.duration_minutes,
        dates_total=page.total or 0,
        dates=[
            series_schemas.SeriesDateOut(
                event_id=d.event.id,
                status=d.event.status,  # type: ignore[arg-type]
                title=d.event.title,
                starts_at=d.event.starts_at,
                ends_at=d.event.ends_at,
                capacity=d.event.capacity,
                seats_left=d.availability.seats_left,
                waitlist_length=d.availability.waiting,
                url=f"{base_url}/veranstaltungen/{d.event.id}",
            )
            for d in page.items
        ],
        next_cursor=page.next_cursor,
    )
    return body, page_headers(request, page)


async def create_series(request: Request, actor: Member) -> Response:
    data = await read_body(request, series_schemas.SeriesIn)
    schedule = series.Schedule(
        data.rule.to_rule(), data.first_day, data.starts, data.ends, data.count, data.until
    )
    try:
        created = await series.create_series(
            db(request),
            schedule=schedule,
            event=data.to_new_event(),
            actor=actor,
            now=now(request),
        )
    except ValidationFailed as exc:
        fields = {(f"rule.{k}" if k in RULE_FIELDS else k): v for k, v in exc.fields.items()}
        raise ValidationFailed(exc.message, fields) from exc
    body, headers = await _answer(request, created, actor, PageQuery())
    headers["Location"] = f"{request.scope.get('root_path', '')}/series/{created.id}"
    return json_answer(body, 201, headers)


async def show_series(request: Request, viewer: Member | None) -> Response:
    query = read_query(request, PageQuery)
    found = await db(request).get(Series, path_id(request))
    if found is None:
        raise NotFound(messages.SERIES_UNKNOWN)
    body, headers = await _answer(request, found, viewer, query)
    return json_answer(body, headers=headers)


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "POST", "/series", create_series, "organiser", 201, series_schemas.SeriesOut,
        body=series_schemas.SeriesIn,
        summary="Reihe anlegen: eine Veranstaltung je Termin der Regel, alle oder keine",
    ),
    Operation(
        "GET", "/series/{id:id}", show_series, "public", 200, series_schemas.SeriesOut,
        query=PageQuery, paged=True,
        summary="Eine Reihe mit ihren Terminen nach Beginn, seitenweise (Entwürfe nur für "
        "die Geschäftsstelle)",
    ),
)  # fmt: skip
