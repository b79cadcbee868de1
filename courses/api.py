"""The JSON API of the programme: list, read, create and change events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from booking.bookings import changes, draw_record, eligibility, queries
from booking.bookings.queries import Availability
from booking.core.api import (
    Operation,
    json_answer,
    page_headers,
    path_id,
    read_body,
    read_query,
)
from booking.core.web import db, now, state
from booking.members.models import Member
from courses import listing, schemas
from courses import services as programme
from courses.attendance.services import may_mark
from courses.models import Event
from venues.models import Venue

EVENT_PATH = "/events/{id:id}"


def _summary_fields(
    event: Event, seats: Availability, at: datetime, base_url: str
) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind,
        "status": event.status,
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "capacity": event.capacity,
        "seats_left": seats.seats_left,
        "waitlist_length": seats.waiting,
        "booking_open": eligibility.booking_window_open(event, at),
        "url": f"{base_url}/veranstaltungen/{event.id}",
    }


def _venue(venue: Venue) -> schemas.VenueOut:
    """The venue as the public detail shows it: ``postal_code``, and ``postcode`` for the
    clients that read it before."""
    return schemas.VenueOut(
        name=venue.name,
        street=venue.street,
        postal_code=venue.postcode,
        postcode=venue.postcode,
        city=venue.city,
        region=venue.region,
        step_free=venue.step_free,
        hearing_loop=venue.hearing_loop,
        accessible_toilet=venue.accessible_toilet,
        accessibility_notes=venue.accessibility_notes,
    )


async def _detail(
    request: Request,
    event: Event,
    viewer: Member | None,
    model: type[schemas.EventDetail] = schemas.EventDetail,
    **extra: Any,
) -> schemas.EventDetail:
    """The event as loaded by courses.services.event_detail; never its meeting link.
    ``booking_open`` says whether the caller may book it now (the event page's rules)."""
    workshops = event.workshops  # event_detail leaves out drafts for non-organisers
    seats = await queries.availability(db(request), [event, *workshops])
    at, base_url = now(request), state(request).settings.base_url
    box = await queries.booking_box(db(request), event, viewer, at)
    return model(
        **{
            **_summary_fields(event, seats[event.id], at, base_url),
            "booking_open": box.problem is None,
        },
        summary=event.summary,
        description=event.description,
        sessions=[
            schemas.SessionOut(
                id=s.id,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                title=s.title,
                teaching_units=s.units,
            )
            for s in event.sessions
        ],
        venue=_venue(event.venue) if event.venue is not None else None,
        parent=schemas.EventRef(id=event.parent.id, title=event.parent.title)
        if event.parent is not None
        else None,
        workshops=[
            schemas.WorkshopOut(
                id=w.id,
                title=w.title,
                starts_at=w.starts_at,
                ends_at=w.ends_at,
                capacity=w.capacity,
                seats_left=seats[w.id].seats_left,
                waitlist_length=seats[w.id].waiting,
                booking_open=eligibility.booking_window_open(w, at),
            )
            for w in workshops
        ],
        target_sectors=event.target_sectors,
        seats_per_organisation=event.seats_per_organisation,
        trainers=[t.display_name for t in event.trainers],
        completion_share=100 if event.completion_share is None else event.completion_share,
        certificate_content=event.certificate_lines,
        reminder_days=event.reminder_days,
        requires_release=event.requires_release,
        release_deadline=event.release_deadline,
        offer_working_days=event.offer_working_days,
        allocation="draw" if event.by_draw else "first_come",
        draw_commitment=draw_record.event_commitment(event) if event.by_draw else None,
        sign_in_sheet_url=f"{base_url}/kurse/{event.id}/unterschriftenliste.pdf"
        if viewer is not None and may_mark(event, viewer)
        else None,
        booking_opens_at=event.booking_opens_at,
        registration_deadline=eligibility.registration_deadline(event),
        cancellation_deadline=eligibility.cancellation_deadline(event),
        series_id=event.series_id,
        **extra,
    )


async def list_events(request: Request, viewer: Member | None) -> Response:
    query = read_query(request, schemas.EventListQuery)
    at, base_url = now(request), state(request).settings.base_url
    filters = listing.ProgrammeFilter(
        kind=query.kind,
        sector=query.sector,
        region=query.region,
        include_workshops=True,
        starts_from=query.from_,
        starts_before=query.to,
    )
    page = await listing.programme(db(request), filters, at, cursor=query.cursor, limit=query.limit)
    return json_answer(
        [
            schemas.EventSummary(**_summary_fields(item.event, item.availability, at, base_url))
            for item in page.items
        ],
        headers=page_headers(request, page),
    )


async def show_event(request: Request, viewer: Member | None) -> Response:
    event = await programme.event_detail(db(request), path_id(request), viewer)
    return json_answer(await _detail(request, event, viewer))


async def create_event(request: Request, actor: Member) -> Response:
    data = await read_body(request, schemas.EventIn)
    event = await programme.create_event(db(request), data=data.to_new_event(), actor=actor)
    location = f"{request.scope.get('root_path', '')}/events/{event.id}"
    return json_answer(await _detail(request, event, actor), 201, {"Location": location})


async def change_event(request: Request, actor: Member) -> Response:
    event_id = path_id(request)
    body = await read_body(request, schemas.EventChanges)
    sessions = None
    if "sessions" in body.model_fields_set:
        sessions = [
            changes.SessionChange(
                s.id,
                s.starts_at,
                s.ends_at,
                s.teaching_units if "teaching_units" in s.model_fields_set else ...,
            )
            for s in body.sessions
        ]
    changed = await changes.change_event(
        db(request),
        event_id=event_id,
        actor=actor,
        now=now(request),
        sessions=sessions,
        **body.limits(),
    )
    promoted = [b.id for b in changed.promoted]
    return json_answer(
        await _detail(request, changed.event, actor, schemas.EventChanged, promoted=promoted)
    )


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", "/events", list_events, "public", 200, schemas.EventSummary, many=True,
        query=schemas.EventListQuery, paged=True,
        summary="Kommende veröffentlichte Veranstaltungen, Workshops eingeschlossen, nach "
        "Beginn, seitenweise",
    ),
    Operation(
        "POST", "/events", create_event, "organiser", 201, schemas.EventDetail,
        body=schemas.EventIn, summary="Veranstaltung anlegen",
    ),
    Operation(
        "GET", EVENT_PATH, show_event, "public", 200, schemas.EventDetail,
        summary="Eine Veranstaltung mit Terminen, Ort und Workshops",
    ),
    Operation(
        "PATCH", EVENT_PATH, change_event, "organiser", 200, schemas.EventChanged,
        body=schemas.EventChanges, errors=(503,),
        summary="Plätze, Termine (verschieben, hinzufügen, entfernen), Ort oder Angaben "
        "ändern; wer wartet, rückt bei mehr Plätzen sofort nach",
    ),
)  # fmt: skip
