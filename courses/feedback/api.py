"""The JSON API of feedback: an event's aggregated results (organisers)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from booking.core.api import Operation, json_answer, path_id
from booking.core.web import db
from booking.members.models import Member
from courses.feedback import queries, schemas


async def event_feedback(request: Request, actor: Member) -> Response:
    results = await queries.event_results(db(request), path_id(request), actor)
    return json_answer(
        schemas.FeedbackOut(
            event_id=results.event.id,
            invited=results.invited,
            answered=results.answered,
            hidden=results.hidden,
            min_answers=queries.MIN_ANSWERS,
            comments=results.comments,
            questions=[
                schemas.QuestionOut(
                    key=q.question.key,
                    label=q.question.label,
                    count=q.count,
                    average=round(q.average, 1) if q.average is not None else None,
                    distribution=list(q.distribution),
                )
                for q in results.questions
            ],
        )
    )


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", "/events/{id:id}/feedback", event_feedback, "organiser", 200,
        schemas.FeedbackOut,
        summary="Die Rückmeldungen zu einer Veranstaltung, zusammengefasst (Geschäftsstelle): "
        "Eingeladene, Antworten, je Frage Anzahl, Durchschnitt und Verteilung; unter "
        "min_answers Antworten nur die Zahlen",
    ),
)  # fmt: skip
