"""The JSON API of the year in figures (organisers)."""

from __future__ import annotations

from datetime import UTC

from starlette.requests import Request
from starlette.responses import Response

from booking.core.api import Operation, json_answer, read_query
from booking.core.formatting import BERLIN
from booking.core.web import db, now
from booking.members.models import Member
from courses.figures import exports, queries, schemas
from courses.figures.queries import FormatFigures, GroupFigures


def _format(figures: FormatFigures) -> schemas.FormatFiguresOut:
    return schemas.FormatFiguresOut(
        kind=figures.kind,
        label=exports.format_label(figures),
        events=figures.events,
        seats_offered=figures.seats_offered,
        seats_taken=figures.seats_taken,
        utilisation=figures.utilisation,
        waitlisted_ever=figures.waitlisted_ever,
        still_waiting=figures.still_waiting,
        settled=figures.settled,
        attended=figures.attended,
        partial=figures.partial,
        no_show=figures.no_show,
        attendance_rate=figures.attendance_rate,
        no_show_rate=figures.no_show_rate,
    )


def _group(group: GroupFigures, label: str) -> schemas.GroupFiguresOut:
    return schemas.GroupFiguresOut(
        key=group.key, label=label, participants=group.participants, bookings=group.bookings
    )


async def year_figures(request: Request, actor: Member) -> Response:
    query = read_query(request, schemas.FiguresQuery)
    year = query.year or now(request).astimezone(BERLIN).year
    figures = await queries.year_figures(db(request), year=year, actor=actor)
    return json_answer(
        schemas.FiguresOut(
            year=figures.year,
            starts_at=figures.starts.astimezone(UTC),
            ends_at=figures.ends.astimezone(UTC),
            formats=[_format(f) for f in figures.formats],
            total=_format(figures.total),
            sectors=[_group(g, exports.sector_label(g)) for g in figures.sectors],
            regions=[_group(g, exports.region_label(g)) for g in figures.regions],
            feedback=[
                schemas.FeedbackQuestionOut(question=q.question, average=q.average, count=q.count)
                for q in figures.feedback
            ]
            if figures.feedback is not None
            else None,
        )
    )


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", "/figures", year_figures, "organiser", 200, schemas.FiguresOut,
        query=schemas.FiguresQuery, errors=(503,),
        summary="Das Jahr in Zahlen (Geschäftsstelle): Veranstaltungen und Plätze nach Format, "
        "Warteliste, Anwesenheit, Buchungen nach Bereich und Regierungsbezirk, Rückmeldungen",
    ),
)  # fmt: skip
