"""Offers with a deadline: on an event with ``offer_working_days``, a freed seat is not given
to the first waiting member at once but offered (booking.bookings.promotion.promote). The
seat is held for them (status ``offered`` occupies a seat) until they accept it, decline it,
or the deadline passes (booking.bookings.workdays: the end of the Nth working day in NRW).

- Accepting confirms the booking, with the calendar invitation.
- Declining, or the deadline passing (:func:`expire_due`, a job), takes the member off the
  waiting list (status ``cancelled``, ``cancelled_by`` ``offer_declined`` or
  ``offer_expired``) and offers the seat to the next waiting member in the same transaction.

Everything happens under the event's lock, so an answer and a new booking, two answers, or
an answer and the job never both take one seat. The mail's links carry a signed token that
names the booking and the moment of the offer: it works once (the offer is then no longer
open) and only until the offer's deadline, which the database holds.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from booking.bookings import messages, queries
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.notices import notify
from booking.bookings.promotion import promote
from booking.bookings.services import lock_event
from booking.core.errors import Busy, Forbidden, InvalidState, NotFound, ValidationFailed
from booking.core.formatting import datetime_de
from booking.core.transactions import write_transaction
from booking.members.models import Member
from courses.models import Event

OFFER_SALT = "booking-offer"
ACCEPT = "accept"
DECLINE = "decline"
ANSWERS = (ACCEPT, DECLINE)
TOKEN_MAX = 500
ACCEPT_PATH = "/angebot/annehmen"
DECLINE_PATH = "/angebot/ablehnen"


# -- the links in the offer's mail ---------------------------------------------------------------


def offer_serializer(secret_key: str) -> URLSafeSerializer:
    """Signs the links; their expiry is the offer's deadline, kept in the database."""
    return URLSafeSerializer(secret_key, salt=OFFER_SALT)


def _stamp(moment: datetime) -> int:
    """The moment of an offer in microseconds: an offer withdrawn and made again within the
    same second is still another offer."""
    return round(moment.timestamp() * 1_000_000)


def offer_token(serializer: URLSafeSerializer, booking: Booking, answer: str) -> str:
    assert booking.offered_at is not None and answer in ANSWERS
    return serializer.dumps({"b": booking.id, "o": _stamp(booking.offered_at), "a": answer})


@dataclass(frozen=True)
class OfferLink:
    booking_id: int
    offered: int
    """The moment of the offer (microseconds since the epoch): a link of an earlier offer of
    the same booking (withdrawn, then made again) does not answer this one."""
    answer: str


def read_offer_token(serializer: URLSafeSerializer, token: str, answer: str) -> OfferLink:
    """What a link names, if ``serializer`` signed it for ``answer``; German 400 otherwise."""
    invalid = ValidationFailed(messages.OFFER_LINK_INVALID)
    if not token or len(token) > TOKEN_MAX:
        raise invalid
    try:
        data = serializer.loads(token)
    except BadSignature as exc:
        raise invalid from exc
    if not isinstance(data, dict):
        raise invalid
    booking_id, offered, given = data.get("b"), data.get("o"), data.get("a")
    if type(booking_id) is not int or type(offered) is not int or given != answer:
        raise invalid
    return OfferLink(booking_id, offered, answer)


def offer_links(serializer: URLSafeSerializer, base_url: str, booking: Booking) -> dict[str, str]:
    """The accept and decline links of the offer's mail."""
    accept_token = offer_token(serializer, booking, ACCEPT)
    decline_token = offer_token(serializer, booking, DECLINE)
    return {
        "accept_url": f"{base_url}{ACCEPT_PATH}?token={accept_token}",
        "decline_url": f"{base_url}{DECLINE_PATH}?token={decline_token}",
    }


# -- answering ------------------------------------------------------------------------------------


class OfferExpired(InvalidState):
    """The offer's deadline has passed (the offer job takes it off the list shortly). The
    API answers 409 with this code; the page behind the mail's link says 410 Gone."""

    code = "offer_expired"


async def _open_offer(
    session: AsyncSession,
    booking_id: int,
    now: datetime,
    *,
    actor: Member | None,
    link: OfferLink | None,
) -> tuple[Event, Booking]:
    """The offered booking, locked with its event, if it may be answered now: by its member
    (``actor``) or by the link of this very offer. 404, 403, or 409 otherwise (answered or
    withdrawn; :class:`OfferExpired` once the deadline has passed)."""
    event_id = await session.scalar(select(Booking.event_id).where(Booking.id == booking_id))
    if event_id is None:
        raise NotFound(messages.BOOKING_NOT_FOUND)
    event = await lock_event(session, event_id)
    booking = await session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .options(selectinload(Booking.member))
        .execution_options(populate_existing=True)
    )
    assert booking is not None
    if actor is not None and booking.member_id != actor.id:
        raise Forbidden(messages.NOT_YOUR_BOOKING)
    _check_open(booking, now, link)
    return event, booking


def _check_open(booking: Booking, now: datetime, link: OfferLink | None) -> None:
    """409 unless ``booking`` is an open offer (the one ``link`` names, if given);
    :class:`OfferExpired` once its deadline has passed."""
    if booking.status != BookingStatus.OFFERED or booking.offered_at is None:
        raise InvalidState(messages.OFFER_NOT_OPEN)
    if link is not None and _stamp(booking.offered_at) != link.offered:
        raise InvalidState(messages.OFFER_NOT_OPEN)
    assert booking.offer_expires_at is not None
    if now > booking.offer_expires_at:
        raise OfferExpired(
            messages.OFFER_EXPIRED.format(when=datetime_de(booking.offer_expires_at))
        )


@dataclass(frozen=True)
class Answered:
    booking: Booking
    offered_next: list[Booking]
    """After a decline: the bookings the freed seat was offered (or given) to."""


async def accept(
    session: AsyncSession,
    *,
    booking_id: int,
    now: datetime,
    actor: Member | None = None,
    link: OfferLink | None = None,
) -> Answered:
    """The member takes the offered seat: confirmed, with the calendar invitation."""
    async with write_transaction(session):
        # The offer holds its seat (counted as taken): accepting it takes no one else's.
        event, booking = await _open_offer(session, booking_id, now, actor=actor, link=link)
        booking.status = BookingStatus.CONFIRMED
        booking.confirmed_at = now
        await notify(session, event, [booking], "offer_accepted", method="REQUEST")
        await session.flush()
    return Answered(booking, [])


async def decline(
    session: AsyncSession,
    *,
    booking_id: int,
    now: datetime,
    actor: Member | None = None,
    link: OfferLink | None = None,
) -> Answered:
    """The member lets the seat go: they leave the waiting list, the next one gets the offer."""
    async with write_transaction(session):
        event, booking = await _open_offer(session, booking_id, now, actor=actor, link=link)
        await notify(session, event, [booking], "offer_declined")
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = "offer_declined"
        await session.flush()
        offered_next = await promote(session, event, now)
    return Answered(booking, offered_next)


async def answer_by_link(session: AsyncSession, *, link: OfferLink, now: datetime) -> Answered:
    """Accept or decline as the mail's link says (signed for that answer)."""
    if link.answer == ACCEPT:
        return await accept(session, booking_id=link.booking_id, now=now, link=link)
    return await decline(session, booking_id=link.booking_id, now=now, link=link)


async def offer_for_link(session: AsyncSession, link: OfferLink, now: datetime) -> Booking:
    """The open offer a link answers, with its event, for the page that asks before the
    answer is given; the same refusals as the answer itself."""
    booking = await queries.booking_with_event(session, link.booking_id)
    if booking is None:
        raise NotFound(messages.BOOKING_NOT_FOUND)
    _check_open(booking, now, link)
    return booking


# -- the deadline passing ---------------------------------------------------------------------


@dataclass(frozen=True)
class Expired:
    events: int
    expired: list[int]
    """Ids of the offers that lapsed."""
    offered_next: list[int]
    """Ids of the bookings their seats went to (offered again, or given)."""
    busy: int = 0


async def events_with_lapsed_offers(session: AsyncSession, now: datetime) -> list[int]:
    rows = await session.scalars(
        select(Booking.event_id)
        .where(Booking.status == BookingStatus.OFFERED, Booking.offer_expires_at < now)
        .distinct()
        .order_by(Booking.event_id)
    )
    return list(rows)


async def expire_event(
    session: AsyncSession, event_id: int, now: datetime
) -> tuple[list[int], list[Booking]]:
    """In one transaction under the event's lock: the event's offers past their deadline
    lapse (claimed by a conditional UPDATE: a second process finds none), each member is
    told, and the seats are offered to the next. The ids that lapsed, and the bookings the
    seats went to."""
    async with write_transaction(session):
        event = await lock_event(session, event_id)
        claimed = list(
            await session.scalars(
                update(Booking)
                .where(
                    Booking.event_id == event_id,
                    Booking.status == BookingStatus.OFFERED,
                    Booking.offer_expires_at < now,
                )
                .values(
                    status=BookingStatus.CANCELLED, cancelled_at=now, cancelled_by="offer_expired"
                )
                .returning(Booking.id)
                .execution_options(synchronize_session=False)
            )
        )
        if not claimed:
            return [], []
        lapsed = list(
            await session.scalars(
                select(Booking)
                .where(Booking.id.in_(claimed))
                .options(selectinload(Booking.member))
                .order_by(Booking.id)
                .execution_options(populate_existing=True)
            )
        )
        await notify(session, event, lapsed, "offer_expired")
        offered_next = await promote(session, event, now)
    return sorted(claimed), offered_next


async def expire_due(
    sessions: async_sessionmaker[AsyncSession], now: datetime, pause: float = 0.0
) -> Expired:
    """Every offer past its deadline lapses, an event per transaction; the seats go on to
    the next waiting members. Stopped anywhere, what was done is committed and the rest is
    done at the next run. ``pause``: seconds between events (tests stop a process midway)."""
    async with sessions() as session:
        event_ids = await events_with_lapsed_offers(session, now)
    expired: list[int] = []
    offered_next: list[int] = []
    busy = 0
    for event_id in event_ids:
        try:
            async with sessions() as session:
                lapsed, following = await expire_event(session, event_id, now)
        except NotFound:  # deleted since it was listed
            continue
        except Busy:
            busy += 1
            continue
        expired += lapsed
        offered_next += [b.id for b in following]
        if pause and lapsed:
            await asyncio.sleep(pause)
    return Expired(len(event_ids), expired, offered_next, busy)
