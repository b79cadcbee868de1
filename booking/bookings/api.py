"""The JSON API of bookings: book, cancel, an event's bookings (also as CSV and XLSX), a
member's own."""

from __future__ import annotations

from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from booking.bookings import (
    announcements,
    draw,
    draw_record,
    exports,
    messages,
    offers,
    queries,
    release,
    schemas,
    services,
    waitlist,
)
from booking.bookings.models import BookingStatus
from booking.bookings.queue import booking_queue
from booking.core.api import (
    Operation,
    json_answer,
    page_headers,
    path_id,
    read_body,
    read_query,
)
from booking.core.errors import ValidationFailed
from booking.core.formatting import BERLIN
from booking.core.schemas import PageQuery
from booking.core.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from booking.core.web import SpreadsheetKind, db, now, spreadsheet_answer
from booking.members.models import Member


async def book(request: Request, member: Member) -> Response:
    event_id = path_id(request)
    body = await read_body(request, schemas.BookingIn, optional=True)
    if body.member_email is not None:
        made = await services.book_on_behalf(
            db(request),
            event_id=event_id,
            email=body.member_email,
            actor=member,
            now=now(request),
            override_limit=body.override_limit,
            reason=body.reason,
        )
        return json_answer(
            schemas.BookingCreated(
                id=made.booking.id,
                status=_created_status(made.booking.status),
                waitlist_position=made.waitlist_position,
            ),
            201,
        )
    if body.override_limit or body.reason:
        raise ValidationFailed(messages.OVERRIDE_WITHOUT_MEMBER)
    result = await booking_queue(request).book(
        event_id=event_id, member_id=member.id, now=now(request)
    )
    created = schemas.BookingCreated(
        id=result.booking.id,
        status=_created_status(result.booking.status),
        waitlist_position=result.waitlist_position,
    )
    return json_answer(created, 201)


def _created_status(status: str) -> Literal["confirmed", "waitlisted", "requested"]:
    if status == BookingStatus.CONFIRMED:
        return "confirmed"
    return "requested" if status == BookingStatus.REQUESTED else "waitlisted"


async def release_booking(request: Request, actor: Member) -> Response:
    await read_body(request, schemas.CancelIn, optional=True)
    done = await release.release(
        db(request), booking_id=path_id(request), actor=actor, now=now(request)
    )
    return json_answer(
        schemas.ReleaseOut(
            id=done.booking.id,
            # requested: the event allocates by draw; the released request takes part in it.
            status=_created_status(done.booking.status),
            waitlist_position=done.waitlist_position,
        )
    )


async def decline_booking(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.DeclineIn)
    booking = await release.decline(
        db(request), booking_id=path_id(request), actor=actor, now=now(request), reason=body.reason
    )
    return json_answer(schemas.ReleaseOut(id=booking.id, status="cancelled"))


async def substitute_booking(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.SubstituteIn)
    done = await release.substitute(
        db(request), booking_id=path_id(request), email=body.email, actor=actor, now=now(request)
    )
    return json_answer(
        schemas.SubstituteOut(id=done.booking.id, status="confirmed", replaces=done.cancelled.id),
        201,
    )


async def cancel_booking(request: Request, member: Member) -> Response:
    booking_id = path_id(request)
    body = await read_body(request, schemas.CancelIn, optional=True)
    promoted = await services.cancel(
        db(request), booking_id=booking_id, actor=member, now=now(request), reason=body.reason
    )
    cancelled = schemas.BookingCancelled(
        id=booking_id, status="cancelled", promoted=[b.id for b in promoted]
    )
    return json_answer(cancelled)


async def event_bookings(request: Request, actor: Member) -> Response:
    session, event_id = db(request), path_id(request)
    query = read_query(request, PageQuery)
    page = await queries.event_bookings_page(  # 404 when unknown
        session, event_id, actor, cursor=query.cursor, limit=query.limit
    )
    rows = page.items
    positions = await queries.waitlist_positions(session, rows)
    return json_answer(
        [
            schemas.EventBooking(
                id=b.id,
                member_email=b.member.email,
                member_name=b.member.display_name,
                organisation=b.organisation.name if b.organisation is not None else None,
                status=schemas.api_status(b.status),
                waitlist_position=positions.get(b.id),
                created_at=b.created_at,
                booked_by_organiser=b.booked_by == "organiser",
                offer_expires_at=b.offer_expires_at if b.status == BookingStatus.OFFERED else None,
            )
            for b in rows
        ],
        headers=page_headers(request, page),
    )


async def event_draw(request: Request, actor: Member) -> Response:
    session, event_id = db(request), path_id(request)
    query = read_query(request, PageQuery)
    found = await draw_record.protocol(session, event_id, actor)
    if isinstance(found, draw_record.Pending):
        event = found.event
        return json_answer(
            schemas.DrawOut(
                event_id=event.id,
                status="pending",
                algorithm=draw.ALGORITHM,
                commitment=found.commitment,
                seed=None,
                deadline=event.registration_deadline,
                drawn_at=None,
                seats=None,
                seats_per_organisation=event.seats_per_organisation,
                requests=found.requests,
            )
        )
    stored = found.draw
    page = await draw_record.protocol_lines(session, stored, cursor=query.cursor, limit=query.limit)
    return json_answer(
        schemas.DrawOut(
            event_id=event_id,
            status="drawn",
            algorithm=stored.algorithm,
            commitment=found.commitment,
            seed=stored.seed,
            deadline=stored.deadline,
            drawn_at=stored.drawn_at,
            seats=stored.seats,
            seats_per_organisation=stored.seats_per_organisation,
            held_by_organisation=dict(stored.held_by_organisation),
            requests=page.total or 0,
            entries=[
                schemas.DrawEntryOut(
                    rank=line.entry.rank,
                    booking_id=line.entry.booking_id,
                    organisation_id=line.entry.organisation_id,
                    organisation=line.organisation_name,
                    key=line.key,
                    decision=line.entry.decision,  # type: ignore[arg-type]
                    round=line.entry.round,
                    waitlist_position=line.entry.waitlist_position,
                )
                for line in page.items
            ],
        ),
        headers=page_headers(request, page),
    )


async def move_on_waitlist(request: Request, actor: Member) -> Response:
    booking_id = path_id(request)
    body = await read_body(request, schemas.PositionIn)
    moved = await waitlist.move(
        db(request), booking_id=booking_id, position=body.position, actor=actor, now=now(request)
    )
    seated = next((b for b in moved.promoted if b.id == booking_id), None)
    return json_answer(
        schemas.PositionOut(
            id=booking_id,
            status=schemas.api_status(seated.status) if seated else "waitlisted",
            waitlist_position=None if seated else moved.after,
            promoted=[b.id for b in moved.promoted],
        )
    )


async def accept_offer(request: Request, member: Member) -> Response:
    done = await offers.accept(
        db(request), booking_id=path_id(request), now=now(request), actor=member
    )
    return json_answer(schemas.OfferAnswered(id=done.booking.id, status="confirmed"))


async def decline_offer(request: Request, member: Member) -> Response:
    done = await offers.decline(
        db(request), booking_id=path_id(request), now=now(request), actor=member
    )
    return json_answer(schemas.OfferAnswered(id=done.booking.id, status="cancelled"))


async def _exported(request: Request, actor: Member, kind: SpreadsheetKind) -> Response:
    event_id = path_id(request)
    table = await exports.participants_table(db(request), event_id, actor)
    today = now(request).astimezone(BERLIN).date()
    return await spreadsheet_answer(table, kind, exports.export_filename(event_id, today))


async def event_bookings_csv(request: Request, actor: Member) -> Response:
    return await _exported(request, actor, "csv")


async def event_bookings_xlsx(request: Request, actor: Member) -> Response:
    return await _exported(request, actor, "xlsx")


async def my_bookings(request: Request, member: Member) -> Response:
    query = read_query(request, PageQuery)
    page = await queries.member_bookings_page(
        db(request), member.id, cursor=query.cursor, limit=query.limit
    )
    rows = page.items
    positions = await queries.waitlist_positions(db(request), rows)
    return json_answer(
        [
            schemas.MyBooking(
                id=b.id,
                event_id=b.event_id,
                event_title=b.event.title,
                status=schemas.api_status(b.status),
                waitlist_position=positions.get(b.id),
                starts_at=b.event.starts_at,
                ends_at=b.event.ends_at,
                offer_expires_at=b.offer_expires_at if b.status == BookingStatus.OFFERED else None,
            )
            for b in rows
        ],
        headers=page_headers(request, page),
    )


async def send_message(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.MessageIn)
    draft = announcements.Draft(body.to, body.subject, body.body)
    sent = await announcements.announce(
        db(request), event_id=path_id(request), draft=draft, actor=actor, now=now(request)
    )
    return json_answer(
        schemas.MessageOut(
            id=sent.id, to=sent.audience, subject=sent.subject, recipients=sent.recipients,
            created_at=sent.created_at,
        ),
        201,
    )  # fmt: skip


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", "/events/{id:id}/bookings", event_bookings, "organiser", 200,
        schemas.EventBooking, many=True, query=PageQuery, paged=True,
        summary="Die Buchungen einer Veranstaltung in der Reihenfolge ihres Eingangs, "
        "seitenweise",
    ),
    Operation(
        "GET", "/events/{id:id}/bookings.csv", event_bookings_csv, "member", 200, None,
        file=CSV_MEDIA_TYPE, errors=(403,),
        summary="Die Buchungen einer Veranstaltung als CSV für Excel (UTF-8 mit BOM, "
        "Semikolon): Teilnehmende, Warteliste, Anfragen, Stornierte (Geschäftsstelle, "
        "Trainerinnen und Trainer der Veranstaltung)",
    ),
    Operation(
        "GET", "/events/{id:id}/bookings.xlsx", event_bookings_xlsx, "member", 200, None,
        file=XLSX_MEDIA_TYPE, errors=(403,),
        summary="Die Buchungen einer Veranstaltung als Excel-Datei (XLSX), Spalten wie im CSV "
        "(Geschäftsstelle, Trainerinnen und Trainer der Veranstaltung)",
    ),
    Operation(
        "POST", "/events/{id:id}/bookings", book, "member", 201, schemas.BookingCreated,
        body=schemas.BookingIn, body_optional=True, errors=(403, 409, 503),
        summary="Platz buchen, oder auf die Warteliste, wenn alles belegt ist (Geschäftsstelle: "
        "auch für ein Mitglied, mit member_email)",
    ),
    Operation(
        "DELETE", "/bookings/{id:id}", cancel_booking, "member", 200, schemas.BookingCancelled,
        body=schemas.CancelIn, body_optional=True,
        errors=(403, 409, 422, 503), summary="Buchung stornieren (eigene; Geschäftsstelle: jede)",
    ),
    Operation(
        "POST", "/bookings/{id:id}/release", release_booking, "member", 200, schemas.ReleaseOut,
        body=schemas.CancelIn, body_optional=True, errors=(403, 409, 503),
        summary="Anfrage freigeben (Koordination der Organisation oder Geschäftsstelle): ein "
        "Platz, sonst die Warteliste",
    ),
    Operation(
        "POST", "/bookings/{id:id}/decline", decline_booking, "member", 200, schemas.ReleaseOut,
        body=schemas.DeclineIn, errors=(403, 409, 503),
        summary="Anfrage ablehnen, mit Begründung (Koordination oder Geschäftsstelle)",
    ),
    Operation(
        "POST", "/bookings/{id:id}/substitute", substitute_booking, "member", 201,
        schemas.SubstituteOut, body=schemas.SubstituteIn, errors=(403, 409, 503),
        summary="Bestätigten Platz an eine Person derselben Organisation übertragen",
    ),
    Operation(
        "POST", "/bookings/{id:id}/offer/accept", accept_offer, "member", 200,
        schemas.OfferAnswered, errors=(403, 409, 503),
        summary="Angebotenen Platz annehmen (eigene Buchung im Status offered, bis zur Frist)",
    ),
    Operation(
        "POST", "/bookings/{id:id}/offer/decline", decline_offer, "member", 200,
        schemas.OfferAnswered, errors=(403, 409, 503),
        summary="Angebotenen Platz ablehnen: die Person verlässt die Warteliste, die nächste "
        "erhält das Angebot",
    ),
    Operation(
        "POST", "/bookings/{id:id}/position", move_on_waitlist, "organiser", 200,
        schemas.PositionOut, body=schemas.PositionIn, errors=(409, 503),
        summary="Wartende Person auf einen anderen Platz der Warteliste setzen (1: nächster "
        "freier Platz; ist einer frei, erhält sie ihn sofort)",
    ),
    Operation(
        "POST", "/events/{id:id}/messages", send_message, "organiser", 201, schemas.MessageOut,
        body=schemas.MessageIn, errors=(503,),
        summary="Nachricht an die Teilnehmenden, die Warteliste oder beide (eine E-Mail je "
        "Person, auf der Veranstaltung vermerkt)",
    ),
    Operation(
        "GET", "/events/{id:id}/draw", event_draw, "organiser", 200, schemas.DrawOut,
        query=PageQuery, paged=True, errors=(409,),
        summary="Protokoll der Platzvergabe per Los: Seed, Verfahren, Reihenfolge und "
        "Entscheidung je Anfrage (seitenweise); vor der Auslosung der Prüfwert des Seeds",
    ),
    Operation(
        "GET", "/me/bookings", my_bookings, "member", 200, schemas.MyBooking, many=True,
        query=PageQuery, paged=True,
        summary="Eigene Buchungen",
    ),
)  # fmt: skip
