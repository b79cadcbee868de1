"""Art. 17 DSGVO: erasing a member, at their own request or by an organiser on request.

One transaction: the member's bookings of events not yet over are cancelled as if they had
cancelled them (the waiting list moves up, the people promoted are mailed); every booking
then belongs to the placeholder "Gelöschte Person" (booking.privacy.placeholder), so that
the figures keep their counts; the member's row goes, and with it (by the foreign keys)
their sessions, API tokens and trainer assignments; what other rows hold of them is cleared.

Only the certificate register keeps their name (booking.settings.Retention.certificate_years:
certificates must stay verifiable). The mails of the erasure itself (the cancellations) are
not sent: they would keep the address in the outbox for the mail retention's 90 days, and the
confirmation page has said which bookings are cancelled. The used sign-in links' nonces name
nobody and stay until their own retention.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings.models import ACTIVE_STATUSES, Booking
from booking.bookings.services import cancel_in_transaction, checked_reason, lock_events
from booking.core.errors import Forbidden, NotFound
from booking.core.transactions import write_transaction
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.newsletter.models import Subscription
from booking.organisations.models import JoiningApplication
from booking.privacy import messages
from booking.privacy.audit import record
from booking.privacy.models import AuditEntry
from booking.privacy.placeholder import (
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_FIRST_NAME,
    PLACEHOLDER_LAST_NAME,
    PLACEHOLDER_NAME,
    placeholder_id,
)
from courses.certificates.models import Certificate
from courses.feedback.models import FeedbackInvitation
from courses.models import EventSession
from materials.models import MaterialOrder


@dataclass(frozen=True)
class Erased:
    member_id: int
    cancelled: list[int]
    """The bookings cancelled (events not yet over)."""
    promoted: list[int]
    """The bookings moved up from the waiting list into the freed seats."""


async def erasable_member(session: AsyncSession, member_id: int, actor: Member) -> Member:
    """The member ``actor`` may erase: themselves, or anyone for an organiser."""
    if member_id != actor.id and not actor.is_organiser:
        raise Forbidden(messages.ERASE_NOT_ALLOWED)
    member = await session.scalar(
        select(Member)
        .where(Member.id == member_id, Member.email != PLACEHOLDER_EMAIL)
        .options(selectinload(Member.organisation))
    )
    if member is None:
        raise NotFound(messages.MEMBER_NOT_FOUND)
    return member


async def bookings_to_cancel(session: AsyncSession, member_id: int, now: datetime) -> list[Booking]:
    """The member's active bookings of events not yet over: what an erasure cancels."""
    ends = (
        select(EventSession.event_id, func.max(EventSession.ends_at).label("ends_at"))
        .group_by(EventSession.event_id)
        .subquery()
    )
    return list(
        await session.scalars(
            select(Booking)
            .outerjoin(ends, ends.c.event_id == Booking.event_id)
            .where(
                Booking.member_id == member_id,
                Booking.status.in_(ACTIVE_STATUSES),
                Booking.anonymised_at.is_(None),
                or_(ends.c.ends_at.is_(None), ends.c.ends_at > now),
            )
            .options(selectinload(Booking.member), selectinload(Booking.event))
            .order_by(Booking.event_id, Booking.id)
        )
    )


async def erase_member(
    session: AsyncSession, *, member_id: int, actor: Member, now: datetime, reason: str = ""
) -> Erased:
    """Erase a member: themselves (``actor`` is them), or anyone by an organiser, recorded
    in the audit log with the reason given (required then)."""
    own = member_id == actor.id
    if not own and not actor.is_organiser:
        raise Forbidden(messages.ERASE_NOT_ALLOWED)
    reason = (
        "" if own else checked_reason(reason, required=True, missing=messages.ERASE_REASON_MISSING)
    )
    async with write_transaction(session):
        erased = await erase_in_transaction(
            session, member_id=member_id, actor=actor, now=now, by="member" if own else "organiser"
        )
        if not own:
            record(
                session,
                actor=actor,
                action="member_erased",
                now=now,
                after={"member_number": member_id, "cancelled": len(erased.cancelled)},
                reason=reason,
            )
    return erased


async def erase_in_transaction(
    session: AsyncSession, *, member_id: int, actor: Member, now: datetime, by: str
) -> Erased:
    """The erasure in the caller's transaction (the inactive-member rule calls it too)."""
    member = await erasable_member(session, member_id, actor)
    email, names = member.email, _names(member)

    cancelled: list[int] = []
    promoted: list[int] = []
    to_cancel = await bookings_to_cancel(session, member.id, now)
    events = {e.id: e for e in await lock_events(session, sorted({b.event_id for b in to_cancel}))}
    for booking in to_cancel:
        if booking.status not in ACTIVE_STATUSES:  # left with its conference already
            continue
        done = await cancel_in_transaction(session, events[booking.event_id], booking, now, by=by)
        cancelled.append(booking.id)
        promoted += [b.id for b in done]

    own_bookings = select(Booking.id).where(Booking.member_id == member.id).scalar_subquery()
    await session.execute(
        delete(FeedbackInvitation).where(FeedbackInvitation.booking_id.in_(own_bookings))
    )
    await _scrub_audit(session, member.id, own_bookings, email, names)
    nobody = await placeholder_id(session)
    await session.execute(
        update(Booking)
        .where(Booking.member_id == member.id)
        .values(member_id=nobody, anonymised_at=func.coalesce(Booking.anonymised_at, now))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Certificate)
        .where(Certificate.member_id == member.id)
        .values(member_id=None)
        .execution_options(synchronize_session=False)
    )
    await _scrub_orders(session, member.id, email, names)
    await session.execute(
        update(JoiningApplication)
        .where(JoiningApplication.contact_email == email)
        .values(
            contact_first_name=PLACEHOLDER_FIRST_NAME,
            contact_last_name=PLACEHOLDER_LAST_NAME,
            contact_email=PLACEHOLDER_EMAIL,
        )
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(OutboxMessage)
        .where(
            or_(
                OutboxMessage.recipient == email,
                OutboxMessage.context["member_id"].as_integer() == member.id,
            )
        )
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(Subscription)
        .where(Subscription.email == email)
        .execution_options(synchronize_session=False)
    )
    session.expunge(member)
    # Sessions, API tokens and trainer assignments follow by their foreign keys.
    await session.execute(delete(Member).where(Member.id == member.id))
    return Erased(member_id=member_id, cancelled=cancelled, promoted=promoted)


def _names(member: Member) -> list[str]:
    """The forms of the member's name that texts may hold, longest first."""
    full = f"{member.first_name} {member.last_name}".strip()
    return [name for name in (full, f"{member.last_name}, {member.first_name}") if len(name) > 2]


def scrub_text(text: str, email: str, names: list[str]) -> str:
    """``text`` with the address and the name replaced by "Gelöschte Person"."""
    for needle in (email, *names):
        if not needle:
            continue
        start = text.lower().find(needle.lower())
        while start >= 0:
            text = text[:start] + PLACEHOLDER_NAME + text[start + len(needle) :]
            start = text.lower().find(needle.lower(), start + len(PLACEHOLDER_NAME))
    return text


def _scrub_json(value: Any, email: str, names: list[str]) -> Any:
    if isinstance(value, str):
        return scrub_text(value, email, names)
    if isinstance(value, Mapping):
        return {key: _scrub_json(item, email, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_json(item, email, names) for item in value]
    return value


async def _scrub_audit(
    session: AsyncSession, member_id: int, own_bookings: Any, email: str, names: list[str]
) -> None:
    """Audit entries keep their rows (their member and actor become empty with the member's
    row); what their before/after and reason say of the member is replaced: an address is
    written there, for one, when a seat is handed on to a colleague."""
    entries = await session.scalars(
        select(AuditEntry).where(
            or_(
                AuditEntry.member_id == member_id,
                AuditEntry.actor_id == member_id,
                AuditEntry.booking_id.in_(own_bookings),
                cast(AuditEntry.before, String).contains(email),
                cast(AuditEntry.after, String).contains(email),
            )
        )
    )
    for entry in entries:
        entry.before = _scrub_json(entry.before, email, names)
        entry.after = _scrub_json(entry.after, email, names)
        entry.reason = scrub_text(entry.reason, email, names)
    await session.flush()


async def _scrub_orders(
    session: AsyncSession, member_id: int, email: str, names: list[str]
) -> None:
    """Material orders stay the organisation's (stock and yearly limits count them); who
    ordered goes: the member link, the contact, and the name or address in the texts."""
    orders = await session.scalars(
        select(MaterialOrder).where(MaterialOrder.member_id == member_id)
    )
    for order in orders:
        order.member_id = None
        order.contact = ""
        order.delivery_address = scrub_text(order.delivery_address, email, names)
        order.note = scrub_text(order.note, email, names)
    await session.flush()


@dataclass(frozen=True)
class Preview:
    """What an erasure would do, for its confirmation page."""

    member: Member
    to_cancel: list[Booking]
    bookings: int
    certificates: int


async def erasure_preview(
    session: AsyncSession, *, member_id: int, actor: Member, now: datetime
) -> Preview:
    member = await erasable_member(session, member_id, actor)
    bookings = await session.scalar(
        select(func.count()).select_from(Booking).where(Booking.member_id == member.id)
    )
    certificates = await session.scalar(
        select(func.count()).select_from(Certificate).where(Certificate.member_id == member.id)
    )
    return Preview(
        member, await bookings_to_cancel(session, member.id, now), bookings or 0, certificates or 0
    )
