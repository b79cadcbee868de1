"""Issuing certificates of attendance, finding them for verification and download.

A certificate is issued for every booking with at least one attended teaching unit once the
event's outcomes are set (the last session marked); what it states is kept in the register
as issued. Issuing twice issues only what is missing. While a booking holds a valid
certificate, its marks stay as they are (courses.attendance.services).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings.models import Booking, BookingStatus
from booking.bookings.services import lock_event
from booking.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from booking.core.formatting import BERLIN
from booking.core.paging import Page, decode_cursor, encode_cursor
from booking.core.text import URLSAFE_TOKEN
from booking.core.transactions import write_transaction
from booking.mail.models import OutboxMessage
from booking.mail.services import enqueue
from booking.members.models import Member
from booking.privacy.audit import record
from courses import messages
from courses.attendance.models import ATTENDED_MARKS, AttendanceMark
from courses.attendance.services import event_dates, event_for_trainer, event_marks, outcome
from courses.certificates.models import Certificate
from courses.certificates.pdf import CertificateText, render_certificate

CERTIFIED = (BookingStatus.ATTENDED, BookingStatus.PARTIAL)
"""Outcomes that earn a certificate: at least one teaching unit attended."""
NUMBER = re.compile(r"[A-Z0-9-]{1,40}")
"""What a certificate's number is made of ("SID-2026-000123"); anything else (a NUL byte,
which PostgreSQL refuses in text, say) names no certificate."""


async def issue(
    session: AsyncSession, *, event_id: int, actor: Member | None, now: datetime
) -> list[Certificate]:
    """Certificates for every booking of the event that earned one and holds none that is
    valid, in one transaction with a mail to each member (a link, not the PDF); the ones
    issued now. Before the outcomes are set: 409."""
    async with write_transaction(session):
        await lock_event(session, event_id)
        event = await event_for_trainer(session, event_id, actor)
        await session.refresh(event, ["venue"])
        bookings = list(
            await session.scalars(
                select(Booking)
                .where(Booking.event_id == event_id, Booking.status.in_(CERTIFIED))
                .options(selectinload(Booking.member))
                .order_by(Booking.id)
            )
        )
        if await _outcomes_missing(session, event_id):
            raise InvalidState(messages.OUTCOMES_MISSING)
        held = set(
            await session.scalars(
                select(Certificate.booking_id).where(
                    Certificate.event_id == event_id, Certificate.revoked_at.is_(None)
                )
            )
        )
        marks = await event_marks(session, event_id)
        venue = event.venue
        issued, certified = [], []
        for booking in bookings:
            if booking.id in held:
                continue
            result = outcome(event, marks.get(booking.id, {}))
            if result.units_attended == 0:  # an outcome set by hand, without marks behind it
                continue
            partial = None
            if result.units_attended < result.units_offered:
                partial = messages.PARTIAL_NOTE.format(
                    sessions=result.sessions_attended,
                    of_sessions=result.sessions_offered,
                    days=messages.PARTIAL_DAYS.get(event.kind, messages.PARTIAL_SESSIONS),
                    units=result.units_attended,
                    of_units=result.units_offered,
                )
            certificate = Certificate(
                number=secrets.token_hex(10),  # replaced by the numbered one below
                code=secrets.token_urlsafe(16),
                booking_id=booking.id,
                member_id=booking.member_id,
                event_id=event.id,
                participant_name=booking.member.display_name,
                course_title=event.title,
                course_code=event.course_code,
                dates=event_dates(event),
                place=venue.city if venue is not None else "",
                trainers=", ".join(t.display_name for t in event.trainers),
                units_attended=result.units_attended,
                units_offered=result.units_offered,
                partial_note=partial,
                content="\n".join(event.certificate_lines),
                issued_at=now,
                issued_by=actor.id if actor is not None else None,
            )
            session.add(certificate)
            issued.append(certificate)
            certified.append(booking)
        await session.flush()
        year = now.astimezone(BERLIN).year
        mails = []
        for certificate, booking in zip(issued, certified, strict=True):
            certificate.number = f"SID-{year}-{certificate.id:06d}"
            mail = enqueue(
                session, booking.member.email, "certificate_issued", certificate_id=certificate.id
            )
            mails.append(mail)
        await session.flush()
        for certificate, mail in zip(issued, mails, strict=True):
            certificate.message_id = mail.id
    return issued


async def outcomes_settled(session: AsyncSession, event_id: int) -> bool:
    """Whether the event has participants and every one of them has an outcome."""
    if await _outcomes_missing(session, event_id):
        return False
    return (
        await session.scalar(select(Booking.id).where(Booking.event_id == event_id).limit(1))
        is not None
    )


async def _outcomes_missing(session: AsyncSession, event_id: int) -> bool:
    """Whether a participant is still only confirmed: the last session is not marked yet
    (or someone was added at the door since)."""
    unsettled = await session.scalar(
        select(Booking.id)
        .where(Booking.event_id == event_id, Booking.status == BookingStatus.CONFIRMED)
        .limit(1)
    )
    return unsettled is not None


async def revoke(
    session: AsyncSession, *, number: str, reason: str, actor: Member, now: datetime
) -> Certificate:
    """Organisers only: the certificate is revoked with a reason (the verification page then
    says so, the member is told by mail) and its booking's marks may be corrected and a new
    one issued, with a new number."""
    if not actor.is_organiser:
        raise Forbidden()
    reason = reason.strip()
    if not reason or len(reason) > 500 or not reason.isprintable():
        raise ValidationFailed(messages.REVOKE_REASON, {"reason": messages.REVOKE_REASON})
    async with write_transaction(session):
        certificate = await by_number(session, number)
        if certificate.revoked_at is not None:
            raise InvalidState(messages.CERTIFICATE_REVOKED_ALREADY)
        certificate.revoked_at, certificate.revoked_reason = now, reason
        record(
            session,
            actor=actor,
            action="certificate_revoked",
            now=now,
            event_id=certificate.event_id,
            member_id=certificate.member_id,
            booking_id=certificate.booking_id,
            before={"certificate": certificate.number},
            after={"certificate": f"{certificate.number} (widerrufen)"},
            reason=reason,
        )
        if certificate.member_id is not None:
            member = await session.get(Member, certificate.member_id)
            if member is not None:
                enqueue(session, member.email, "certificate_revoked", certificate_id=certificate.id)
    return certificate


EVENT_PAGE = 100
"""Certificates of an event on one page of its list."""


@dataclass(frozen=True)
class Progress:
    """Where an event's certificates stand: how many are valid and revoked, and of the valid
    ones how many members have been told by mail, how many mails failed, how many wait."""

    valid: int
    revoked: int
    mailed: int
    failed: int

    @property
    def waiting(self) -> int:
        return self.valid - self.mailed - self.failed

    @property
    def done(self) -> bool:
        return self.waiting == 0


async def progress(session: AsyncSession, event_id: int) -> Progress:
    """An event's certificates and their mails, counted in one query. A mail the outbox's
    retention has removed was sent long ago."""
    valid = Certificate.revoked_at.is_(None)
    sent = valid & (Certificate.message_id.is_(None) | OutboxMessage.sent_at.is_not(None))
    failed = valid & OutboxMessage.failed_at.is_not(None) & OutboxMessage.sent_at.is_(None)
    row = (
        await session.execute(
            select(
                func.count(Certificate.id),
                func.coalesce(func.sum(case((valid, 1), else_=0)), 0),
                func.coalesce(func.sum(case((sent, 1), else_=0)), 0),
                func.coalesce(func.sum(case((failed, 1), else_=0)), 0),
            )
            .select_from(Certificate)
            .outerjoin(OutboxMessage, OutboxMessage.id == Certificate.message_id)
            .where(Certificate.event_id == event_id)
        )
    ).one()
    total, valid_count, mailed, failed_count = (int(n) for n in row)
    return Progress(valid_count, total - valid_count, mailed, failed_count)


async def unissued(session: AsyncSession, event_id: int) -> int:
    """How many bookings of the event would get a certificate if it were issued now: an
    outcome that earns one, an attended session behind it, and no valid certificate yet."""
    attended = (
        select(AttendanceMark.id)
        .where(AttendanceMark.booking_id == Booking.id, AttendanceMark.status.in_(ATTENDED_MARKS))
        .exists()
    )
    held = (
        select(Certificate.id)
        .where(Certificate.booking_id == Booking.id, Certificate.revoked_at.is_(None))
        .exists()
    )
    count = await session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.event_id == event_id, Booking.status.in_(CERTIFIED), attended, ~held)
    )
    return count or 0


async def event_certificates(
    session: AsyncSession, event_id: int, actor: Member, *, cursor: str | None
) -> Page[Certificate]:
    """An event's certificates in the order they were issued, a page at a time, for its
    trainers and organisers (403 for everyone else)."""
    await event_for_trainer(session, event_id, actor)
    query = select(Certificate).where(Certificate.event_id == event_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    if cursor:
        (last_id,) = decode_cursor(cursor, (int,))
        query = query.where(Certificate.id > last_id)
    rows = list(await session.scalars(query.order_by(Certificate.id).limit(EVENT_PAGE + 1)))
    more = len(rows) > EVENT_PAGE
    rows = rows[:EVENT_PAGE]
    return Page(rows, encode_cursor(rows[-1].id) if more else None, total)


async def member_certificates(session: AsyncSession, member_id: int) -> list[Certificate]:
    """A member's certificates, newest first (a member holds a few, one per training)."""
    found = await session.scalars(
        select(Certificate)
        .where(Certificate.member_id == member_id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .limit(500)
    )
    return list(found)


async def valid_for_bookings(
    session: AsyncSession, booking_ids: list[int]
) -> dict[int, Certificate]:
    """The valid certificate of each of these bookings that has one, in one query."""
    if not booking_ids:
        return {}
    found = await session.scalars(
        select(Certificate).where(
            Certificate.booking_id.in_(booking_ids), Certificate.revoked_at.is_(None)
        )
    )
    return {c.booking_id: c for c in found if c.booking_id is not None}


async def by_code(session: AsyncSession, code: str) -> Certificate:
    """The certificate a verification address names; 404 in German otherwise."""
    if not URLSAFE_TOKEN.fullmatch(code):
        raise NotFound(messages.CERTIFICATE_UNKNOWN)
    found = await session.scalar(select(Certificate).where(Certificate.code == code))
    if found is None:
        raise NotFound(messages.CERTIFICATE_UNKNOWN)
    return found


async def by_number(session: AsyncSession, number: str) -> Certificate:
    number = number.strip().upper()
    if not NUMBER.fullmatch(number):
        raise NotFound(messages.CERTIFICATE_UNKNOWN)
    found = await session.scalar(select(Certificate).where(Certificate.number == number))
    if found is None:
        raise NotFound(messages.CERTIFICATE_UNKNOWN)
    return found


async def for_download(session: AsyncSession, number: str, viewer: Member) -> Certificate:
    """A member's own certificate, or any for an organiser; 404 for everyone else (a
    certificate's existence is not told to strangers)."""
    certificate = await by_number(session, number)
    if certificate.member_id != viewer.id and not viewer.is_organiser:
        raise NotFound(messages.CERTIFICATE_UNKNOWN)
    return certificate


def verify_url(base_url: str, certificate: Certificate) -> str:
    return f"{base_url}/bescheinigungen/pruefen/{certificate.code}"


def pdf_url(base_url: str, certificate: Certificate) -> str:
    return f"{base_url}/bescheinigungen/{certificate.number}.pdf"


def abbreviated(name: str) -> str:
    """ "Ayşe Öztürk-Łukasiewicz" → "Ayşe Ö.": the verification page names no one fully."""
    given, _, family = name.strip().rpartition(" ")
    return f"{given} {family[:1]}." if given and family else name[:1] + "."


def render(certificate: Certificate, verify_url: str) -> bytes:
    """The certificate's PDF from what the register keeps (call it in a thread)."""
    return render_certificate(
        CertificateText(
            number=certificate.number,
            participant=certificate.participant_name,
            course_title=certificate.course_title,
            course_code=certificate.course_code,
            dates=certificate.dates,
            units_attended=certificate.units_attended,
            units_offered=certificate.units_offered,
            partial_note=certificate.partial_note,
            content=certificate.content_lines,
            trainers=tuple(t for t in certificate.trainers.split(", ") if t),
            place=certificate.place,
            issued_on=certificate.issued_at.astimezone(BERLIN).date(),
            verify_url=verify_url,
        )
    )
