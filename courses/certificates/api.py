"""The JSON API of certificates: issue an event's, a member's own, revoke one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from booking.core.api import Operation, json_answer, path_id, read_body
from booking.core.web import db, now, state
from booking.members.models import Member
from courses.certificates import schemas, services
from courses.certificates.models import Certificate


def _out(request: Request, certificate: Certificate) -> schemas.CertificateOut:
    base = state(request).settings.base_url
    return schemas.CertificateOut(
        booking_id=certificate.booking_id,
        number=certificate.number,
        course_title=certificate.course_title,
        units_attended=certificate.units_attended,
        units_offered=certificate.units_offered,
        partial=certificate.units_attended < certificate.units_offered,
        issued_at=certificate.issued_at,
        revoked_at=certificate.revoked_at,
        pdf_url=services.pdf_url(base, certificate),
        verify_url=services.verify_url(base, certificate),
    )


async def issue(request: Request, actor: Member) -> Response:
    issued = await services.issue(
        db(request), event_id=path_id(request), actor=actor, now=now(request)
    )
    return json_answer([_out(request, c) for c in issued], 201)


async def my_certificates(request: Request, member: Member) -> Response:
    found = await services.member_certificates(db(request), member.id)
    return json_answer([_out(request, c) for c in found])


async def revoke(request: Request, actor: Member) -> Response:
    body = await read_body(request, schemas.RevokeIn)
    certificate = await services.revoke(
        db(request),
        number=request.path_params["number"],
        reason=body.reason,
        actor=actor,
        now=now(request),
    )
    return json_answer(_out(request, certificate))


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "POST", "/events/{id:id}/certificates", issue, "member", 201, schemas.CertificateOut,
        many=True, errors=(403, 409, 503),
        summary="Bescheinigungen einer Veranstaltung ausstellen (Trainer der Veranstaltung und "
        "Geschäftsstelle): für jede Buchung mit besuchten Einheiten, die noch keine hat",
    ),
    Operation(
        "GET", "/me/certificates", my_certificates, "member", 200, schemas.CertificateOut,
        many=True, summary="Die eigenen Teilnahmebescheinigungen",
    ),
    Operation(
        "POST", "/certificates/{number:str}/revoke", revoke, "organiser", 200,
        schemas.CertificateOut, body=schemas.RevokeIn, errors=(404, 409, 503),
        summary="Eine Bescheinigung mit Grund widerrufen (Geschäftsstelle)",
    ),
)  # fmt: skip
