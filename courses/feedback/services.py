"""Answering the feedback form with the link from the invitation: anonymous, once.

The link's token is looked up by its hash. Giving an answer marks the invitation used with a
conditional UPDATE (``used`` still false, not expired) and inserts the answer in the same
transaction: two submits with one token, at the same moment in two processes, give one
answer; the other is refused and nothing of it is written. The answer row gets the event,
the version of the questions, the ratings and the free text, and nothing that leads back to
the invitation: no member, booking, token, and no time.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.errors import DomainError, InvalidState, NotFound, ValidationFailed
from booking.core.formatting import date_de
from booking.core.transactions import write_transaction
from courses.feedback import messages
from courses.feedback.models import FeedbackAnswer, FeedbackInvitation, FeedbackRating
from courses.feedback.questions import COMMENT_MAX, KEYS, SCALE, VERSION
from courses.models import Event, EventStatus

TOKEN_MAX = 100
"""Characters; our tokens have 43."""


class LinkExpired(DomainError):
    code = "link_expired"
    status = 410
    default_message = "Dieser Rückmeldelink ist abgelaufen."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Invited:
    """What the form shows about the invitation's event (never who was invited)."""

    event: Event
    expires_at: datetime


async def open_invitation(session: AsyncSession, token: str, now: datetime) -> Invited:
    """The event an unused, unexpired link asks about; 404 for an unknown link, 409 for a
    used one, 410 for an expired one or a cancelled event."""
    invitation = await _by_token(session, token)
    event = await session.get(Event, invitation.event_id)
    if event is None:
        raise NotFound(messages.LINK_UNKNOWN)
    _refuse_if_closed(invitation, event, now)
    await session.refresh(event, ["sessions"])
    return Invited(event, invitation.expires_at)


async def _by_token(session: AsyncSession, token: str) -> FeedbackInvitation:
    if not token or len(token) > TOKEN_MAX or not token.isascii() or not token.isprintable():
        raise NotFound(messages.LINK_UNKNOWN)
    invitation = await session.scalar(
        select(FeedbackInvitation).where(FeedbackInvitation.token_hash == token_hash(token))
    )
    if invitation is None:
        raise NotFound(messages.LINK_UNKNOWN)
    return invitation


def _refuse_if_closed(invitation: FeedbackInvitation, event: Event, now: datetime) -> None:
    if invitation.used:
        raise InvalidState(messages.LINK_USED)
    if event.status == EventStatus.CANCELLED:
        raise LinkExpired(messages.EVENT_CANCELLED)
    if invitation.expires_at <= now:
        last_day = date_de(invitation.expires_at - timedelta(seconds=1))
        raise LinkExpired(messages.LINK_EXPIRED.format(day=last_day))


def check_answer(
    ratings: Mapping[str, int | None], comment: str
) -> tuple[dict[str, int], str | None]:
    """The ratings that were given and the free text (None when empty), or every problem at
    once in German (422)."""
    problems: dict[str, str] = {}
    given: dict[str, int] = {}
    for key, value in ratings.items():
        if key not in KEYS:
            problems[key] = messages.QUESTION_UNKNOWN
        elif value is None:
            continue
        elif type(value) is not int or value not in SCALE:
            problems[key] = messages.RATING_INVALID
        else:
            given[key] = value
    text = comment.strip()
    if len(text) > COMMENT_MAX:
        problems["comment"] = messages.COMMENT_TOO_LONG.format(max=COMMENT_MAX)
    elif any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in text):
        problems["comment"] = messages.CONTROL_CHARS
    if not problems and not given and not text:
        problems[KEYS[0]] = messages.NOTHING_ANSWERED
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    return given, text.replace("\r\n", "\n") or None


async def submit(
    session: AsyncSession,
    *,
    token: str,
    ratings: Mapping[str, int | None],
    comment: str,
    now: datetime,
) -> None:
    """Record one anonymous answer with the link's token, once. Refused (nothing written):
    bad entries 422, an unknown link 404, a used one 409 (also the loser of two submits at
    the same moment), an expired one 410."""
    given, text = check_answer(ratings, comment)
    hashed = token_hash(token)
    async with write_transaction(session):
        if not token or len(token) > TOKEN_MAX or not token.isascii():
            raise NotFound(messages.LINK_UNKNOWN)
        event_id = await session.scalar(
            update(FeedbackInvitation)
            .where(
                FeedbackInvitation.token_hash == hashed,
                FeedbackInvitation.used.is_(False),
                FeedbackInvitation.expires_at > now,
                FeedbackInvitation.event_id.in_(
                    select(Event.id).where(Event.status != EventStatus.CANCELLED)
                ),
            )
            .values(used=True)
            .returning(FeedbackInvitation.event_id)
            .execution_options(synchronize_session=False)
        )
        if event_id is None:
            invitation = await _by_token(session, token)
            event = await session.get(Event, invitation.event_id)
            if event is None:
                raise NotFound(messages.LINK_UNKNOWN)
            _refuse_if_closed(invitation, event, now)
            raise InvalidState(messages.LINK_USED)  # not reached: one of the above holds
        answer = FeedbackAnswer(event_id=event_id, version=VERSION, comment=text)
        answer.ratings = [FeedbackRating(question=k, value=v) for k, v in given.items()]
        session.add(answer)
