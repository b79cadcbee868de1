"""The organisers' pages: the back-office home, an event's page (participants and waiting
list, also as CSV and XLSX; capacity and the per-organisation limit), writing to its people,
moving a session, calling the event off. Planning events: courses.planning."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import booking.core.routing  # noqa: F401  (registers the {name:id} path convertor)
from booking.bookings import announcements, changes, exports, queries, waitlist
from booking.bookings import services as booking_services
from booking.bookings.models import PARTICIPANT_STATUSES, BookingStatus
from booking.core import paging
from booking.core.errors import (
    AlreadyBooked,
    BookingClosed,
    NotEligible,
    NotFound,
    ScheduleClash,
    ValidationFailed,
)
from booking.core.formatting import BERLIN, day_input, time_de
from booking.core.web import (
    Form,
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
)
from booking.members.models import Member
from booking.privacy import queries as audit_log
from courses import queries as backoffice
from courses import services
from courses.forms import (
    CancelEventForm,
    CapacityForm,
    MessageForm,
    OnBehalfForm,
    PositionForm,
    SessionForm,
)
from courses.planning import local_moment

LIST_PAGE = 100
"""Bookings per page of the organisers' lists."""
AUDIT_SHOWN = 5
"""The latest entries of the event's audit log shown on its page."""


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
    BookingList("angebote", "Angebote", (BookingStatus.OFFERED,)),
    BookingList("warteliste", "Warteliste", (BookingStatus.WAITING,)),
    BookingList("storniert", "Storniert", (BookingStatus.CANCELLED,)),
)


OPTIONAL_LISTS = ("anfragen", "angebote")
"""Lists shown only when they hold someone."""


async def home(request: Request) -> Response:
    """The back office's first page: what comes next, the drafts, what needs attention."""
    actor = await require_member(request)
    found = await backoffice.home(db(request), actor, now(request))
    return await render(request, "courses/backoffice.html", {"home": found})


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


async def manage_event(request: Request) -> Response:
    """The event's page for organisers; POST changes the seats."""
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
        seated = sum(1 for b in promoted if b.status == BookingStatus.CONFIRMED)
        if seated:
            message += f" {seated} Person(en) sind von der Warteliste nachgerückt."
        if len(promoted) > seated:
            message += (
                f" {len(promoted) - seated} Person(en) der Warteliste haben ein Angebot erhalten."
            )
        flash(request, message)
        return redirect(f"/verwaltung/veranstaltungen/{event_id}")
    return await _event_page(
        request, actor, event_id, capacity=form if request.method == "POST" else None
    )


async def _event_page(
    request: Request,
    actor: Member,
    event_id: int,
    *,
    capacity: CapacityForm | None = None,
    behalf: OnBehalfForm | None = None,
    moving: tuple[int, PositionForm] | None = None,
) -> Response:
    """The page, with the form that was refused (if any) showing its errors (422)."""
    session = db(request)
    event = await services.event_for_organiser(session, event_id, actor)
    slug = "warteliste" if moving else request.query_params.get("liste")
    shown = next((b for b in BOOKING_LISTS if b.slug == slug), BOOKING_LISTS[0])
    page = await queries.event_bookings_page(
        session,
        event_id,
        actor,
        cursor=request.query_params.get("cursor"),
        limit=LIST_PAGE,
        statuses=shown.statuses,
        counted=False,  # the lists' counts below say how many
    )
    first_position = None
    if shown.slug == "warteliste" and page.items:
        first_position = await queries.first_waitlist_position(session, page.items[0])
    counts = await queries.status_counts(session, event_id)
    lists = [
        (b, sum(counts[s] for s in b.statuses))
        for b in BOOKING_LISTS
        if b is shown or any(counts[s] for s in b.statuses) or b.slug not in OPTIONAL_LISTS
    ]
    refused = next((f for f in (capacity, behalf, moving[1] if moving else None) if f), None)
    audit = await audit_log.entries_page(session, actor, event_id=event_id, limit=AUDIT_SHOWN)
    seats = await queries.availability(session, event.workshops)
    seats[event.id] = queries.availability_of(event, counts)
    return await render(
        request,
        "courses/manage_event.html",
        {
            "event": event,
            "form": capacity
            or blank_form(
                request,
                CapacityForm,
                capacity=event.capacity,
                seats_per_organisation=event.seats_per_organisation,
            ),
            "errors": form_errors(capacity) if capacity else [],
            "behalf": behalf or blank_form(request, OnBehalfForm),
            "behalf_errors": form_errors(behalf) if behalf else [],
            "moving": moving,
            "move_errors": [
                (f"platz-{moving[0]}" if key else key, label, message)
                for key, label, message in form_errors(moving[1])
            ]
            if moving
            else [],
            "page": page,
            "lists": lists,
            "shown": shown,
            "first_position": first_position,
            "next_page": paging.next_page_url(request, page.next_cursor)
            if page.next_cursor
            else None,
            "first_page": paging.without_param(request, "cursor"),
            "later_page": "cursor" in request.query_params,
            "seats": seats[event.id],
            "offered": counts[BookingStatus.OFFERED],
            "seats_of": seats,
            "slots": services.parallel_slots(event.workshops),
            "audit": audit,
        },
        status_code=invalid_status(refused) if refused else 200,
    )


async def book_on_behalf(request: Request) -> Response:
    """Book a member: a seat or the waiting list, by the seat rules; the organisation's
    share may be passed over with a reason."""
    actor = await require_member(request)
    event_id = request.path_params["event_id"]
    form = await bind_form(request, OnBehalfForm)
    if form.validate():
        try:
            result = await booking_services.book_on_behalf(
                db(request),
                event_id=event_id,
                email=form.email.data,
                actor=actor,
                now=now(request),
                override_limit=bool(form.override_limit.data),
                reason=form.reason.data or "",
            )
        except ValidationFailed as exc:
            _field_errors(form, exc, fallback="email")
        except (AlreadyBooked, NotEligible, BookingClosed, ScheduleClash) as exc:
            form.email.errors = [exc.message]
        else:
            name = result.member.display_name
            if result.waitlist_position is None:
                flash(request, f"{name} ist angemeldet und erhält die Bestätigung per E-Mail.")
            else:
                flash(
                    request,
                    f"{name} steht auf der Warteliste auf Platz {result.waitlist_position} und "
                    "erhält eine E-Mail.",
                    "info",
                )
            return redirect(f"/verwaltung/veranstaltungen/{event_id}#buchungen")
    return await _event_page(request, actor, event_id, behalf=form)


async def move_on_waitlist(request: Request) -> Response:
    """Give a waiting member another place on the waiting list (1: the next free seat)."""
    actor = await require_member(request)
    booking_id = request.path_params["booking_id"]
    event_id = await queries.event_of_booking(db(request), booking_id, actor)
    form = await bind_form(request, PositionForm)
    if form.validate():
        try:
            moved = await waitlist.move(
                db(request),
                booking_id=booking_id,
                position=form.position.data,
                actor=actor,
                now=now(request),
            )
        except ValidationFailed as exc:
            _field_errors(form, exc, fallback="position")
        else:
            if any(b.id == booking_id for b in moved.promoted):
                flash(request, "Die Person hat den freien Platz erhalten und bekommt eine E-Mail.")
            else:
                flash(request, f"Die Person steht jetzt auf Platz {moved.after} der Warteliste.")
            return redirect(f"/verwaltung/veranstaltungen/{event_id}?liste=warteliste#buchungen")
    return await _event_page(request, actor, event_id, moving=(booking_id, form))


def _field_errors(form: Form, exc: ValidationFailed, *, fallback: str) -> None:
    """A service's refusal shown next to the field it names."""
    for key, message in (exc.fields or {fallback: exc.message}).items():
        target = getattr(form, key, None) or getattr(form, fallback)
        target.errors = [*target.errors, message]


async def audit_page(request: Request) -> Response:
    """Everything the back office did on the event's bookings and seats, newest first."""
    actor = await require_member(request)
    session = db(request)
    event_id = request.path_params["event_id"]
    event = await services.event_for_organiser(session, event_id, actor)
    audit = await audit_log.entries_page(
        session,
        actor,
        event_id=event_id,
        cursor=request.query_params.get("cursor"),
        limit=LIST_PAGE,
    )
    return await render(
        request,
        "courses/audit.html",
        {
            "event": event,
            "audit": audit,
            "next_page": paging.next_page_url(request, audit.next_cursor)
            if audit.next_cursor
            else None,
            "first_page": paging.without_param(request, "cursor"),
            "later_page": "cursor" in request.query_params,
        },
    )


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
        try:
            await changes.cancel_event(
                session,
                event_id=event_id,
                actor=actor,
                now=now(request),
                reason=form.reason.data or "",
            )
        except ValidationFailed as exc:
            form.reason.errors = [exc.message]
        else:
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
    Route("/verwaltung/veranstaltungen/{event_id:id}", manage_event, methods=["GET", "POST"]),
    Route("/verwaltung/veranstaltungen/{event_id:id}/anmelden", book_on_behalf, methods=["POST"]),
    Route("/verwaltung/veranstaltungen/{event_id:id}/protokoll", audit_page),
    Route("/verwaltung/buchungen/{booking_id:id}/platz", move_on_waitlist, methods=["POST"]),
    Route(
        "/verwaltung/veranstaltungen/{event_id:id}/nachricht",
        message_page,
        methods=["GET", "POST"],
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
