"""The organisers' pages: the back-office home, an event's page (participants and waiting
list, also as CSV and XLSX; capacity and the per-organisation limit), moving a session,
calling the event off."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings import announcements, changes, exports, queries
from booking.bookings.models import PARTICIPANT_STATUSES, BookingStatus
from booking.core import paging
from booking.core.errors import CsrfFailed, Forbidden, NotFound, ValidationFailed
from booking.core.formatting import BERLIN, day_input, time_de
from booking.core.web import (
    SpreadsheetKind,
    bind_form,
    blank_form,
    db,
    flash,
    form_errors,
    invalid_status,
    now,
    redirect,
    render,
    render_form,
    require_member,
    spreadsheet_answer,
    verify_csrf,
)
from courses import messages, services
from courses import queries as backoffice
from courses.forms import (
    SESSION_ROWS_MAX,
    CancelEventForm,
    CapacityForm,
    ClockField,
    CopyEventForm,
    DayField,
    EventEditForm,
    EventForm,
    MessageForm,
    SessionForm,
    lines,
)
from courses.models import Event, EventStatus
from courses.services import NewEvent

LIST_PAGE = 100
"""Bookings per page of the organisers' lists."""


@dataclass(frozen=True)
class BookingList:
    slug: str
    title: str
    statuses: tuple[str, ...]


BOOKING_LISTS = (
    BookingList(
        "teilnehmende",
        "Teilnehmende",
        PARTICIPANT_STATUSES,
    ),
    BookingList("anfragen", "Anfragen", (BookingStatus.REQUESTED,)),
    BookingList("warteliste", "Warteliste", (BookingStatus.WAITING,)),
    BookingList("storniert", "Storniert", (BookingStatus.CANCELLED,)),
)


async def home(request: Request) -> Response:
    """The back office's first page: what comes next, the drafts, what needs attention."""
    actor = await require_member(request)
    found = await backoffice.home(db(request), actor, now(request))
    return await render(request, "courses/backoffice.html", {"home": found})


DEFAULT_REMINDER_DAYS = 2
ADD_SESSION = "termin"
"""The value of the new-event form's button that adds a row for one more session."""
PUBLISH = "veroeffentlichen"


def _set_choices(form: EventForm, choices: backoffice.EventChoices) -> None:
    def options(pairs: list[tuple[int, str]], empty: str) -> list[SelectChoice]:
        return [SelectChoice("", empty), *(SelectChoice(str(i), label) for i, label in pairs)]

    if form.parent is not None:  # only new events choose it
        form.parent.choices = options(choices.parents, "– keine –")
    form.venue.choices = options(choices.venues, "– kein Ort (online) –")
    form.room.choices = options(choices.rooms, "– kein bestimmter Raum –")
    form.online_room.choices = options(choices.online_rooms, "– kein Online-Raum –")


def _event_errors(form: EventForm) -> list[tuple[str, str, str]]:
    """The error summary: each field's messages, the session rows' by row."""
    summary = []
    for field in form:
        if field.name == "csrf_token":
            summary += [("", "", CsrfFailed.default_message)] if field.errors else []
        elif field.name == "sessions":
            for n, row in enumerate(field, start=1):
                for sub in row.form:
                    summary += [(sub.id, f"Termin {n}, {sub.label.text}", e) for e in sub.errors]
        else:
            summary += [(field.id, str(field.label.text), str(e)) for e in field.errors]
    return summary


def _moment(day: DayField, clock: ClockField, default: time) -> datetime | None:
    if day.parsed is None:
        return None
    return local_moment(day.parsed, clock.parsed or default)


def _new_event(form: EventForm, status: str) -> NewEvent | None:
    """The event the form describes, or None with the errors set on the fields."""
    sessions, units = [], []
    for row in form.sessions:
        entry = row.form
        if not entry.filled:
            continue
        if entry.day.parsed is None or entry.starts.parsed is None or entry.ends.parsed is None:
            entry.day.errors = [*entry.day.errors, messages.SESSION_INCOMPLETE]
            continue
        starts = local_moment(entry.day.parsed, entry.starts.parsed)
        ends = local_moment(entry.day.parsed, entry.ends.parsed)
        if ends <= starts:
            entry.ends.errors = [*entry.ends.errors, messages.SESSION_ORDER]
        sessions.append((starts, ends))
        units.append(entry.units.data)
    if not sessions and not form.sessions[0].form.day.errors:
        form.sessions[0].form.day.errors = [messages.SESSIONS_REQUIRED]
    if _event_errors(form):
        return None

    def number(field: SelectField) -> int | None:
        return int(field.data) if field.data else None

    return NewEvent(
        title=form.title.data.strip(),
        kind=form.kind.data,
        capacity=form.capacity.data,
        sessions=sessions,
        session_units=units,
        summary=(form.summary.data or "").strip(),
        description=(form.description.data or "").strip(),
        booking_opens_at=_moment(form.opens_day, form.opens_time, time(0, 0)),
        registration_deadline=_moment(form.deadline_day, form.deadline_time, time(23, 59)),
        cancellation_deadline=_moment(form.cancel_day, form.cancel_time, time(23, 59)),
        seats_per_organisation=form.seats_per_organisation.data,
        target_sectors=list(form.sectors.data or []),
        parent_id=number(form.parent),
        venue_id=number(form.venue),
        room_id=number(form.room),
        online_room_id=number(form.online_room),
        course_code=(form.course_code.data or "").strip() or None,
        prerequisite_code=(form.prerequisite_code.data or "").strip() or None,
        status=status,
        trainers=lines(form.trainers.data),
        completion_share=form.completion_share.data,
        certificate_content=lines(form.certificate_content.data),
        reminder_days=_reminder_days(form),
    )


def _reminder_days(form: EventForm) -> int:
    days = form.reminder_days.data
    return DEFAULT_REMINDER_DAYS if days is None else int(days)


FIELD_OF = {
    "kind": "kind", "sessions": "sessions", "target_sectors": "sectors",
    "booking_opens_at": "opens_day", "parent_id": "parent", "venue_id": "venue",
    "room_id": "room", "online_room_id": "online_room", "trainers": "trainers",
}  # fmt: skip
"""The form field that shows a service's refusal of one of its values."""


async def create_event(request: Request) -> Response:
    """A new event of any format, saved as a draft or published at once. Without JavaScript,
    "Weiteren Termin" adds a row for one more session."""
    actor = await require_member(request)
    if not actor.is_organiser:
        raise Forbidden()
    session = db(request)
    form = await bind_form(request, EventForm)
    _set_choices(form, await backoffice.event_choices(session, now(request)))
    action = str((await request.form()).get("aktion", "")) if request.method == "POST" else ""
    if action == ADD_SESSION:
        if len(form.sessions) < SESSION_ROWS_MAX:
            form.sessions.append_entry()
        return await render(request, "courses/event_form.html", {"form": form, "errors": []})
    if request.method == "POST" and form.validate():
        status = EventStatus.PUBLISHED if action == PUBLISH else EventStatus.DRAFT
        data = _new_event(form, status)
        if data is not None:
            try:
                event = await services.create_event(session, data=data, actor=actor)
            except ValidationFailed as exc:
                _show_refusal(form, exc)
            else:
                flash(
                    request,
                    "Die Veranstaltung ist veröffentlicht."
                    if status == EventStatus.PUBLISHED
                    else "Die Veranstaltung ist als Entwurf gespeichert; "
                    "sie erscheint erst nach dem Veröffentlichen im Programm.",
                )
                return redirect(f"/verwaltung/veranstaltungen/{event.id}")
    refused = request.method == "POST"
    return await render(
        request,
        "courses/event_form.html",
        {"form": form, "errors": _event_errors(form) if refused else []},
        status_code=invalid_status(form) if refused else 200,
    )


def _window_fields(event: Event) -> dict[str, str]:
    """The booking window's fields as the edit form shows them."""
    values = {}
    for prefix, moment in (
        ("opens", event.booking_opens_at),
        ("deadline", event.registration_deadline),
        ("cancel", event.cancellation_deadline),
    ):
        if moment is not None:
            values[f"{prefix}_day"], values[f"{prefix}_time"] = day_input(moment), time_de(moment)
    return values


def _selected(field: SelectField) -> int | None:
    return int(field.data) if field.data else None


async def edit_event(request: Request) -> Response:
    """An event's details and place. Participants are told (with an updated invitation) only
    when the place changed; sessions move on their own page."""
    actor = await require_member(request)
    session = db(request)
    event_id = request.path_params["event_id"]
    event = await services.event_for_organiser(session, event_id, actor)
    form = await bind_form(request, EventEditForm)
    _set_choices(form, await backoffice.event_choices(session, now(request)))
    if request.method == "POST" and form.validate():
        details = services.EventDetails(
            title=form.title.data.strip(),
            summary=(form.summary.data or "").strip(),
            description=(form.description.data or "").strip(),
            booking_opens_at=_moment(form.opens_day, form.opens_time, time(0, 0)),
            registration_deadline=_moment(form.deadline_day, form.deadline_time, time(23, 59)),
            cancellation_deadline=_moment(form.cancel_day, form.cancel_time, time(23, 59)),
            target_sectors=list(form.sectors.data or []),
            course_code=(form.course_code.data or "").strip() or None,
            prerequisite_code=(form.prerequisite_code.data or "").strip() or None,
            reminder_days=_reminder_days(form),
        )
        place = services.Place(
            _selected(form.venue), _selected(form.room), _selected(form.online_room)
        )
        try:
            await changes.change_event(
                session, event_id=event_id, actor=actor, now=now(request), details=asdict(details),
                place=place, trainers=lines(form.trainers.data),
                completion_share=form.completion_share.data,
                certificate_content=lines(form.certificate_content.data),
            )  # fmt: skip
        except ValidationFailed as exc:
            _show_refusal(form, exc)
        else:
            flash(request, "Die Änderungen sind gespeichert.")
            return redirect(f"/verwaltung/veranstaltungen/{event_id}")
    if request.method == "GET":
        form = blank_form(
            request,
            EventEditForm,
            title=event.title,
            summary=event.summary,
            description=event.description,
            venue=str(event.venue_id or ""),
            room=str(event.room_id or ""),
            online_room=str(event.online_room_id or ""),
            sectors=event.target_sectors,
            course_code=event.course_code or "",
            prerequisite_code=event.prerequisite_code or "",
            trainers="\n".join(t.email for t in event.trainers),
            completion_share=event.completion_share,
            certificate_content=event.certificate_content,
            reminder_days=event.reminder_days,
            **_window_fields(event),
        )
        _set_choices(form, await backoffice.event_choices(session, now(request)))
    refused = request.method == "POST"
    return await render(
        request,
        "courses/event_form.html",
        {"form": form, "event": event, "errors": _event_errors(form) if refused else []},
        status_code=invalid_status(form) if refused else 200,
    )


def _show_refusal(form: EventForm, exc: ValidationFailed) -> None:
    """A service's refusal next to the field it names (the first session row for sessions,
    the title when it names none the form has)."""
    for key, message in (exc.fields or {"title": exc.message}).items():
        target = getattr(form, FIELD_OF.get(key, key), None) or form.title
        if target is getattr(form, "sessions", None):
            target = form.sessions[0].form.day
        target.errors = [*target.errors, message]


async def copy_event(request: Request) -> Response:
    """The event (with its workshops) as a draft at a new date."""
    actor = await require_member(request)
    session = db(request)
    event_id = request.path_params["event_id"]
    event = await services.event_for_organiser(session, event_id, actor)
    form = await bind_form(request, CopyEventForm)
    if request.method == "POST" and form.validate():
        assert form.first_day.parsed is not None  # validated
        copy = await services.copy_event(
            session, event_id=event_id, first_day=form.first_day.parsed, actor=actor
        )
        flash(request, "Die Kopie ist als Entwurf angelegt. Bitte prüfen und veröffentlichen.")
        return redirect(f"/verwaltung/veranstaltungen/{copy.id}")
    return await render_form(request, "courses/copy_event.html", form, {"event": event})


SEND = "senden"


async def message_page(request: Request) -> Response:
    """Write to the event's people: a preview (with the placeholders filled in for the first
    of them) and then the sending, one mail each through the outbox."""
    actor = await require_member(request)
    session = db(request)
    event_id = request.path_params["event_id"]
    event = await services.event_for_organiser(session, event_id, actor)
    form = await bind_form(request, MessageForm)
    preview = None
    if request.method == "POST" and form.validate():
        draft = announcements.Draft(form.to.data, form.subject.data, form.body.data)
        action = str((await request.form()).get("aktion", ""))
        try:
            if action == SEND:
                sent = await announcements.announce(
                    session, event_id=event_id, draft=draft, actor=actor, now=now(request)
                )
                flash(request, f"Die Nachricht geht an {sent.recipients} Person(en).")
                return redirect(f"/verwaltung/veranstaltungen/{event_id}")
            draft = announcements.check(draft)
            count = await announcements.recipients(session, event_id, draft.audience)
            name = "Vorname Nachname"
            preview = {
                "subject": announcements.fill(draft.subject, name, event.title),
                "body": announcements.fill(draft.body, name, event.title),
                "recipients": count,
                "audience": announcements.AUDIENCE_LABELS[draft.audience],
            }
        except ValidationFailed as exc:
            for key, message in (exc.fields or {"body": exc.message}).items():
                target = getattr(form, key, form.body)
                target.errors = [*target.errors, message]
    refused = request.method == "POST" and preview is None
    return await render(
        request,
        "courses/message.html",
        {
            "event": event,
            "form": form,
            "preview": preview,
            "errors": form_errors(form) if refused else [],
            "sent": await announcements.event_announcements(session, event_id, actor),
            "AUDIENCE_LABELS": announcements.AUDIENCE_LABELS,
        },
        status_code=invalid_status(form) if refused else 200,
    )


async def publish_event(request: Request) -> Response:
    actor = await require_member(request)
    await verify_csrf(request)
    event_id = request.path_params["event_id"]
    await services.publish_event(db(request), event_id=event_id, actor=actor)
    flash(request, "Die Veranstaltung ist veröffentlicht und erscheint im Programm.")
    return redirect(f"/verwaltung/veranstaltungen/{event_id}")


async def manage_event(request: Request) -> Response:
    actor = await require_member(request)
    session = db(request)
    event_id = request.path_params["event_id"]
    form = await bind_form(request, CapacityForm)
    if request.method == "POST" and form.validate():
        promoted = await changes.change_limits(
            session,
            event_id=event_id,
            actor=actor,
            now=now(request),
            capacity=form.capacity.data,
            seats_per_organisation=form.seats_per_organisation.data,
        )
        message = "Die Plätze sind geändert."
        if promoted:
            message += f" {len(promoted)} Person(en) sind von der Warteliste nachgerückt."
        flash(request, message)
        return redirect(f"/verwaltung/veranstaltungen/{event_id}")
    event = await services.event_for_organiser(session, event_id, actor)
    shown = next(
        (b for b in BOOKING_LISTS if b.slug == request.query_params.get("liste")), BOOKING_LISTS[0]
    )
    page = await queries.event_bookings_page(
        session,
        event_id,
        actor,
        cursor=request.query_params.get("cursor"),
        limit=LIST_PAGE,
        statuses=shown.statuses,
    )
    first_position = None
    if shown.slug == "warteliste" and page.items:
        first_position = await queries.first_waitlist_position(session, page.items[0])
    counts = await queries.status_counts(session, event_id)
    if request.method == "GET":
        form = blank_form(
            request,
            CapacityForm,
            capacity=event.capacity,
            seats_per_organisation=event.seats_per_organisation,
        )
    lists = [
        (b, sum(counts[s] for s in b.statuses))
        for b in BOOKING_LISTS
        if b is shown or any(counts[s] for s in b.statuses) or b.slug != "anfragen"
    ]
    return await render_form(
        request,
        "courses/manage_event.html",
        form,
        {
            "event": event,
            "page": page,
            "lists": lists,
            "shown": shown,
            "first_position": first_position,
            "next_page": paging.next_page_url(request, page.next_cursor)
            if page.next_cursor
            else None,
            "first_page": paging.without_param(request, "cursor"),
            "later_page": "cursor" in request.query_params,
            "seats": (await queries.availability(session, [event]))[event.id],
        },
    )


def local_moment(day: date, clock: time) -> datetime:
    """A day and a time of day in Berlin, as organisers think of them, in UTC."""
    return datetime.combine(day, clock, tzinfo=BERLIN).astimezone(UTC)


async def move_session(request: Request) -> Response:
    """Move one session; participants get the updated invitation."""
    actor = await require_member(request)
    session = db(request)
    event_id, session_id = request.path_params["event_id"], request.path_params["session_id"]
    event = await services.event_for_organiser(session, event_id, actor)
    sitting = next((s for s in event.sessions if s.id == session_id), None)
    if sitting is None:
        raise NotFound("Diesen Termin gibt es bei dieser Veranstaltung nicht.")
    form = await bind_form(request, SessionForm)
    if request.method == "POST" and form.validate():
        day, starts, ends = form.day.parsed, form.starts.parsed, form.ends.parsed
        assert day is not None and starts is not None and ends is not None  # validated
        change = changes.SessionChange(
            session_id, local_moment(day, starts), local_moment(day, ends)
        )
        try:
            await changes.change_sessions(
                session, event_id=event_id, changes=[change], actor=actor, now=now(request)
            )
        except ValidationFailed as exc:  # the service's rules: the end after the start
            form.ends.errors = [exc.message]
        else:
            flash(
                request,
                "Der Termin ist verschoben. Die Teilnehmenden werden per E-Mail informiert.",
            )
            return redirect(f"/verwaltung/veranstaltungen/{event_id}")
    if request.method == "GET":
        form = blank_form(
            request,
            SessionForm,
            day=day_input(sitting.starts_at),
            starts=time_de(sitting.starts_at),
            ends=time_de(sitting.ends_at),
        )
    return await render_form(
        request, "courses/move_session.html", form, {"event": event, "sitting": sitting}
    )


async def cancel_event(request: Request) -> Response:
    actor = await require_member(request)
    session = db(request)
    event_id = request.path_params["event_id"]
    event = await services.event_for_organiser(session, event_id, actor)
    form = await bind_form(request, CancelEventForm)
    if request.method == "POST" and form.validate():
        await changes.cancel_event(
            session, event_id=event_id, actor=actor, now=now(request), reason=form.reason.data or ""
        )
        flash(
            request,
            "Die Veranstaltung ist abgesagt. Alle Angemeldeten werden per E-Mail informiert.",
        )
        return redirect(f"/verwaltung/veranstaltungen/{event_id}")
    return await render_form(request, "courses/cancel_event.html", form, {"event": event})


async def _exported(request: Request, kind: SpreadsheetKind) -> Response:
    """The event's bookings as a spreadsheet to download (organisers, and the event's
    trainers)."""
    actor = await require_member(request)
    event_id = request.path_params["event_id"]
    table = await exports.participants_table(db(request), event_id, actor)
    today = now(request).astimezone(BERLIN).date()
    return await spreadsheet_answer(table, kind, exports.export_filename(event_id, today))


async def participants_csv(request: Request) -> Response:
    return await _exported(request, "csv")


async def participants_xlsx(request: Request) -> Response:
    return await _exported(request, "xlsx")


routes = [
    Route("/verwaltung", home),
    Route("/verwaltung/veranstaltungen/neu", create_event, methods=["GET", "POST"]),
    Route("/verwaltung/veranstaltungen/{event_id:id}", manage_event, methods=["GET", "POST"]),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/bearbeiten",
        edit_event,
        methods=["GET", "POST"],
    ),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/kopieren", copy_event, methods=["GET", "POST"]
    ),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/nachricht",
        message_page,
        methods=["GET", "POST"],
    ),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/veroeffentlichen",
        publish_event,
        methods=["POST"],
    ),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/termine/{session_id:id}",
        move_session,
        methods=["GET", "POST"],
    ),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/absagen", cancel_event, methods=["GET", "POST"]
    ),
    Route("/verwaltung/veranstaltungen/{event_id:id}/teilnehmende.csv", participants_csv),
    Route("/verwaltung/veranstaltungen/{event_id:id}/teilnehmende.xlsx", participants_xlsx),
]
