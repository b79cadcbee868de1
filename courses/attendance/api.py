"""The JSON API of attendance: a session's roster with its marks, and setting them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from booking.bookings.schemas import api_status
from booking.core.api import Operation, json_answer, path_id, read_body
from booking.core.web import db, now
from booking.members.models import Member
from courses.attendance import schemas, services

ATTENDANCE_PATH = "/events/{id:id}/sessions/{session_id:id}/attendance"


async def _answer(request: Request, actor: Member) -> Response:
    event_id, session_id = path_id(request), request.path_params["session_id"]
    _, _, lines = await services.roster(db(request), event_id, session_id, actor)
    return json_answer(
        schemas.Attendance(
            event_id=event_id,
            session_id=session_id,
            lines=[
                schemas.AttendanceLine(
                    booking_id=line.booking.id,
                    member_name=line.booking.member.display_name,
                    organisation=line.booking.organisation.name
                    if line.booking.organisation is not None
                    else None,
                    booking_status=api_status(line.booking.status),
                    added_on_site=line.booking.added_on_site,
                    status=line.mark,  # type: ignore[arg-type]
                )
                for line in lines
            ],
        )
    )


async def show_attendance(request: Request, actor: Member) -> Response:
    return await _answer(request, actor)


async def set_attendance(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.MarksIn)
    await services.mark(
        db(request),
        event_id=path_id(request),
        session_id=request.path_params["session_id"],
        marks=[(m.booking_id, m.status) for m in body.marks],
        actor=actor,
        now=now(request),
    )
    return await _answer(request, actor)


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", ATTENDANCE_PATH, show_attendance, "member", 200, schemas.Attendance,
        errors=(403,),
        summary="Die Teilnehmenden eines Termins mit ihrer Anwesenheit (Trainer der "
        "Veranstaltung und Geschäftsstelle)",
    ),
    Operation(
        "PUT", ATTENDANCE_PATH, set_attendance, "member", 200, schemas.Attendance,
        body=schemas.MarksIn, errors=(403, 503),
        summary="Anwesenheit eines Termins setzen oder berichtigen; jede Änderung bleibt "
        "erhalten. Nach dem letzten Termin erhält jede Buchung ihr Ergebnis.",
    ),
)  # fmt: skip
