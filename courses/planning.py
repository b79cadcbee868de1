"""Planning events in the back office: new events of every format, editing an event's
details and place, adding and removing its sessions, copying it to a new date, publishing a
draft."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time

import wtforms
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings import changes
from booking.core.errors import CsrfFailed, Forbidden, InvalidState, NotFound, ValidationFailed
from booking.core.formatting import BERLIN, day_input, time_de
from booking.core.web import (
    Form,
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
    verify_csrf,
)
from courses import messages, services
from courses import queries as backoffice
from courses.forms import (
    SESSION_ROWS_MAX,
    ClockField,
    CopyEventForm,
    DayField,
    EventEditForm,
    EventForm,
    SessionForm,
    lines,
)
from courses.models import Event, EventKind, EventStatus
from courses.services import NewEvent

DEFAULT_REMINDER_DAYS = 2


@dataclass(frozen=True)
class FormatDefaults:
    """What a new event of a format starts with (all of it can be changed on the form)."""

    capacity: int
    sessions: tuple[tuple[str, str], ...]
    """Start and end time of each session (the days are for the organiser to give)."""
    units: int | None = None
    """Teaching units a session (trainings)."""
    seats_per_organisation: int | None = None
    reminder_days: int = DEFAULT_REMINDER_DAYS


FORMAT_DEFAULTS: dict[str, FormatDefaults] = {
    EventKind.TRAINING: FormatDefaults(
        14, (("8:30", "16:30"), ("8:30", "16:30")), units=8, seats_per_organisation=2
    ),
    EventKind.NETWORK_MEETING: FormatDefaults(80, (("10:00", "15:30"),)),
    EventKind.CONFERENCE: FormatDefaults(120, (("10:00", "17:00"),)),
    EventKind.WORKSHOP: FormatDefaults(20, (("13:30", "15:00"),)),
    EventKind.WEBINAR: FormatDefaults(300, (("10:00", "11:30"),), reminder_days=1),
    EventKind.ONLINE_QA: FormatDefaults(300, (("14:00", "15:00"),), reminder_days=1),
}
"""The network's usual shape of each format: a BIUS training is two days of 8 UE for 14
people, at most 2 of one organisation; the online formats remind the day before."""


def _apply_defaults(form: EventForm, kind: str) -> None:
    defaults = FORMAT_DEFAULTS[kind]
    form.kind.data = kind
    form.capacity.data = defaults.capacity
    form.seats_per_organisation.data = defaults.seats_per_organisation
    form.reminder_days.data = defaults.reminder_days
    for row, (starts, ends) in zip(form.sessions, defaults.sessions, strict=False):
        row.form.starts.data, row.form.ends.data = starts, ends
        row.form.units.data = defaults.units


ADD_SESSION = "termin"
"""The value of the new-event form's button that adds a row for one more session."""
PUBLISH = "veroeffentlichen"


def set_choices(form: wtforms.Form, choices: backoffice.EventChoices) -> None:
    """The lists of a form with the event form's place fields (and, for new events, the
    conference a workshop belongs to)."""

    def options(pairs: list[tuple[int, str]], empty: str) -> list[SelectChoice]:
        return [SelectChoice("", empty), *(SelectChoice(str(i), label) for i, label in pairs)]

    if getattr(form, "parent", None) is not None:  # only new events choose it
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
        parent_id=_selected(form.parent),
        venue_id=_selected(form.venue),
        room_id=_selected(form.room),
        online_room_id=_selected(form.online_room),
        course_code=(form.course_code.data or "").strip() or None,
        prerequisite_code=(form.prerequisite_code.data or "").strip() or None,
        status=status,
        trainers=lines(form.trainers.data),
        completion_share=form.completion_share.data,
        certificate_content=lines(form.certificate_content.data),
        reminder_days=_reminder_days(form),
        requires_release=bool(form.requires_release.data),
        release_deadline=_moment(form.release_day, form.release_time, time(23, 59)),
        offer_working_days=form.offer_working_days.data,
        allocation=form.allocation.data,
    )


def _reminder_days(form: EventForm) -> int:
    days = form.reminder_days.data
    return DEFAULT_REMINDER_DAYS if days is None else int(days)


FIELD_OF = {
    "kind": "kind", "sessions": "sessions", "target_sectors": "sectors",
    "booking_opens_at": "opens_day", "parent_id": "parent", "venue_id": "venue",
    "room_id": "room", "online_room_id": "online_room", "trainers": "trainers",
    "release_deadline": "release_day", "registration_deadline": "deadline_day",
    "offer_working_days": "offer_working_days",
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
    set_choices(form, await backoffice.event_choices(session, now(request)))
    action = str((await request.form()).get("aktion", "")) if request.method == "POST" else ""
    if request.method == "GET":
        kind = request.query_params.get("format", "")
        parent = request.query_params.get("gehoert_zu", "")
        if parent and parent in {choice[0] for choice in form.parent.iter_choices()}:
            form.parent.data = parent  # "Workshop hinzufügen" on a conference's page
            kind = EventKind.WORKSHOP
        if kind in FORMAT_DEFAULTS:
            _apply_defaults(form, kind)
    if action == ADD_SESSION:
        if len(form.sessions) < SESSION_ROWS_MAX:
            form.sessions.append_entry()
        return await render(
            request,
            "courses/event_form.html",
            {"form": form, "errors": [], "formats": FORMAT_DEFAULTS},
        )
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
        {
            "form": form,
            "errors": _event_errors(form) if refused else [],
            "formats": FORMAT_DEFAULTS,
        },
        status_code=invalid_status(form) if refused else 200,
    )


def _window_fields(event: Event) -> dict[str, str]:
    """The booking window's fields as the edit form shows them."""
    values = {}
    for prefix, moment in (
        ("opens", event.booking_opens_at),
        ("deadline", event.registration_deadline),
        ("cancel", event.cancellation_deadline),
        ("release", event.release_deadline),
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
    set_choices(form, await backoffice.event_choices(session, now(request)))
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
            requires_release=bool(form.requires_release.data),
            release_deadline=_moment(form.release_day, form.release_time, time(23, 59)),
            offer_working_days=form.offer_working_days.data,
            allocation=form.allocation.data,
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
            requires_release=event.requires_release,
            offer_working_days=event.offer_working_days,
            allocation=event.allocation,
            **_window_fields(event),
        )
        set_choices(form, await backoffice.event_choices(session, now(request)))
    refused = request.method == "POST"
    return await render(
        request,
        "courses/event_form.html",
        {
            "form": form,
            "event": event,
            "errors": _event_errors(form) if refused else [],
            "session_form": blank_form(request, SessionForm),
            "at": now(request),
        },
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


async def publish_event(request: Request) -> Response:
    actor = await require_member(request)
    await verify_csrf(request)
    event_id = request.path_params["event_id"]
    await services.publish_event(db(request), event_id=event_id, actor=actor)
    flash(request, "Die Veranstaltung ist veröffentlicht und erscheint im Programm.")
    return redirect(f"/verwaltung/veranstaltungen/{event_id}")


async def add_session(request: Request) -> Response:
    """One more session for an existing event (the row on its edit page); participants get
    the updated invitation."""
    actor = await require_member(request)
    session = db(request)
    event_id = request.path_params["event_id"]
    event = await services.event_for_organiser(session, event_id, actor)
    form = await bind_form(request, SessionForm)
    if request.method == "POST" and form.validate():
        day, starts, ends = form.day.parsed, form.starts.parsed, form.ends.parsed
        assert day is not None and starts is not None and ends is not None  # validated
        new = changes.NewSession(local_moment(day, starts), local_moment(day, ends))
        try:
            await changes.add_session(
                session, event_id=event_id, new=new, actor=actor, now=now(request)
            )
        except ValidationFailed as exc:
            target = form.day if exc.message == messages.SESSION_IN_PAST else form.ends
            target.errors = [*target.errors, exc.message]
        else:
            flash(request, "Der Termin ist hinzugefügt. Die Angemeldeten werden informiert.")
            return redirect(f"/verwaltung/veranstaltungen/{event_id}/bearbeiten")
    return await render_form(request, "courses/add_session.html", form, {"event": event})


async def remove_session(request: Request) -> Response:
    """Remove a session that has not begun, after a page that says what happens."""
    actor = await require_member(request)
    session = db(request)
    event_id, session_id = request.path_params["event_id"], request.path_params["session_id"]
    event = await services.event_for_organiser(session, event_id, actor)
    sitting = next((s for s in event.sessions if s.id == session_id), None)
    if sitting is None:
        raise NotFound(messages.SESSION_UNKNOWN)
    form = await bind_form(request, Form)
    problem = None
    if request.method == "POST" and form.validate():
        try:
            await changes.remove_session(
                session, event_id=event_id, session_id=session_id, actor=actor, now=now(request)
            )
        except (InvalidState, ValidationFailed) as exc:
            problem = exc
        else:
            flash(request, "Der Termin ist entfernt. Die Angemeldeten werden informiert.")
            return redirect(f"/verwaltung/veranstaltungen/{event_id}/bearbeiten")
    errors = form_errors(form) + ([("", "", problem.message)] if problem else [])
    status = problem.status if problem else invalid_status(form)
    return await render(
        request,
        "courses/remove_session.html",
        {"event": event, "sitting": sitting, "form": form, "errors": errors},
        status_code=status if request.method == "POST" else 200,
    )


def local_moment(day: date, clock: time) -> datetime:
    """A day and a time of day in Berlin, as organisers think of them, in UTC."""
    return datetime.combine(day, clock, tzinfo=BERLIN).astimezone(UTC)


routes = [
    Route("/verwaltung/veranstaltungen/neu", create_event, methods=["GET", "POST"]),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/bearbeiten",
        edit_event,
        methods=["GET", "POST"],
    ),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/kopieren", copy_event, methods=["GET", "POST"]
    ),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/termine/neu",
        add_session,
        methods=["GET", "POST"],
    ),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/termine/{session_id:id}/entfernen",
        remove_session,
        methods=["GET", "POST"],
    ),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/veroeffentlichen",
        publish_event,
        methods=["POST"],
    ),
]
