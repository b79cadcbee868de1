"""Reading feedback for organisers: an event's results, its free texts a page at a time, the
events of a time window with their figures, and the summary the yearly figures use.

Results of an event with fewer than :data:`MIN_ANSWERS` answers are not shown (only how many
were invited and answered): in a small group, two answers are almost as good as names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.errors import Forbidden
from booking.core.paging import Page, after_key, decode_cursor, encode_cursor
from booking.members.models import Member
from courses.feedback.models import FeedbackAnswer, FeedbackInvitation, FeedbackRating
from courses.feedback.questions import QUESTIONS, SCALE, Question
from courses.models import Event, EventSession
from courses.services import event_for_organiser

MIN_ANSWERS = 3
"""Fewer answers than this: an event's results stay hidden."""
COMMENTS_PAGE = 20
"""Free texts on one page."""
EVENTS_PAGE = 25
"""Events on one page of the overview."""


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    distribution: tuple[int, ...]
    """How many chose 1, 2, 3, 4 and 5."""

    @property
    def count(self) -> int:
        return sum(self.distribution)

    @property
    def average(self) -> float | None:
        if not self.count:
            return None
        return sum(v * n for v, n in zip(SCALE, self.distribution, strict=True)) / self.count

    def share(self, value: int) -> int:
        """Per cent (rounded) of the answers that chose ``value``."""
        return round(100 * self.distribution[value - 1] / self.count) if self.count else 0


def _results(counts: dict[tuple[str, int], int]) -> tuple[QuestionResult, ...]:
    return tuple(
        QuestionResult(q, tuple(counts.get((q.key, v), 0) for v in SCALE)) for q in QUESTIONS
    )


async def _rating_counts(
    session: AsyncSession, where: ColumnElement[bool]
) -> dict[tuple[str, int], int]:
    rows = await session.execute(
        select(FeedbackRating.question, FeedbackRating.value, func.count())
        .join(FeedbackAnswer, FeedbackAnswer.id == FeedbackRating.answer_id)
        .where(where)
        .group_by(FeedbackRating.question, FeedbackRating.value)
    )
    return {(question, value): count for question, value, count in rows}


@dataclass(frozen=True)
class EventResults:
    event: Event
    invited: int
    answered: int
    comments: int
    questions: tuple[QuestionResult, ...]
    """Empty while hidden."""

    @property
    def hidden(self) -> bool:
        return self.answered < MIN_ANSWERS


async def _answer_counts(session: AsyncSession, event_ids: Sequence[int]) -> dict[int, int]:
    rows = await session.execute(
        select(FeedbackAnswer.event_id, func.count())
        .where(FeedbackAnswer.event_id.in_(event_ids))
        .group_by(FeedbackAnswer.event_id)
    )
    return {event_id: count for event_id, count in rows}


async def _invited_counts(session: AsyncSession, event_ids: Sequence[int]) -> dict[int, int]:
    rows = await session.execute(
        select(FeedbackInvitation.event_id, func.count())
        .where(FeedbackInvitation.event_id.in_(event_ids))
        .group_by(FeedbackInvitation.event_id)
    )
    return {event_id: count for event_id, count in rows}


async def event_results(session: AsyncSession, event_id: int, actor: Member) -> EventResults:
    """An event's feedback for organisers (403 for everyone else, 404 for an unknown event)."""
    event = await event_for_organiser(session, event_id, actor)
    answered = (await _answer_counts(session, [event_id])).get(event_id, 0)
    invited = (await _invited_counts(session, [event_id])).get(event_id, 0)
    if answered < MIN_ANSWERS:
        return EventResults(event, invited, answered, 0, ())
    comments = await session.scalar(
        select(func.count()).where(
            FeedbackAnswer.event_id == event_id, FeedbackAnswer.comment.is_not(None)
        )
    )
    counts = await _rating_counts(session, FeedbackAnswer.event_id == event_id)
    return EventResults(event, invited, answered, comments or 0, _results(counts))


async def event_comments(
    session: AsyncSession, results: EventResults, *, cursor: str | None
) -> Page[str]:
    """The free texts of an event whose results are shown, in the order they came, a page
    at a time (take ``results`` from :func:`event_results`, which checks the organiser)."""
    if results.hidden:
        return Page([], None, 0)
    query = select(FeedbackAnswer.id, FeedbackAnswer.comment).where(
        FeedbackAnswer.event_id == results.event.id, FeedbackAnswer.comment.is_not(None)
    )
    if cursor:
        (last_id,) = decode_cursor(cursor, (int,))
        query = query.where(FeedbackAnswer.id > last_id)
    rows = list(await session.execute(query.order_by(FeedbackAnswer.id).limit(COMMENTS_PAGE + 1)))
    more = len(rows) > COMMENTS_PAGE
    rows = rows[:COMMENTS_PAGE]
    return Page(
        [comment or "" for _, comment in rows],
        encode_cursor(rows[-1][0]) if more else None,
        results.comments,
    )


# -- across events --------------------------------------------------------------------------------


def _ended_within(starts: datetime, ends: datetime) -> Select[int, datetime]:
    """Events with feedback whose last session ended in [starts, ends), with that end. Only
    events with a session ending in the window are grouped: the cost follows the window."""
    in_window = select(EventSession.event_id).where(
        EventSession.ends_at >= starts, EventSession.ends_at < ends
    )
    with_feedback = select(FeedbackInvitation.event_id).union(select(FeedbackAnswer.event_id))
    last_end = func.max(EventSession.ends_at)
    return (
        select(EventSession.event_id, last_end.label("ends_at"))
        .where(EventSession.event_id.in_(in_window), EventSession.event_id.in_(with_feedback))
        .group_by(EventSession.event_id)
        .having(last_end >= starts, last_end < ends)
    )


@dataclass(frozen=True)
class EventRow:
    event_id: int
    title: str
    kind: str
    ends_at: datetime
    invited: int
    answered: int
    averages: dict[str, float | None]
    """By question key; empty while hidden."""

    @property
    def hidden(self) -> bool:
        return self.answered < MIN_ANSWERS


async def events_overview(
    session: AsyncSession,
    actor: Member,
    *,
    starts: datetime,
    ends: datetime,
    cursor: str | None,
) -> Page[EventRow]:
    """Events with feedback whose last session ended in the window, latest first, a page at a
    time, with counts and the average of each question (organisers only)."""
    if not actor.is_organiser:
        raise Forbidden()
    ended = _ended_within(starts, ends).subquery()
    total = await session.scalar(select(func.count()).select_from(ended))
    query = select(Event.id, Event.title, Event.kind, ended.c.ends_at).join(
        ended, ended.c.event_id == Event.id
    )
    if cursor:
        last_end, last_id = decode_cursor(cursor, (datetime, int))
        query = query.where(
            after_key((ended.c.ends_at, Event.id), (last_end, last_id), descending=True)
        )
    found = list(
        await session.execute(
            query.order_by(ended.c.ends_at.desc(), Event.id.desc()).limit(EVENTS_PAGE + 1)
        )
    )
    more = len(found) > EVENTS_PAGE
    found = found[:EVENTS_PAGE]
    ids = [row[0] for row in found]
    answered = await _answer_counts(session, ids)
    invited = await _invited_counts(session, ids)
    averages: dict[int, dict[str, float | None]] = {i: {} for i in ids}
    shown = [i for i in ids if answered.get(i, 0) >= MIN_ANSWERS]
    if shown:
        rows = await session.execute(
            select(
                FeedbackAnswer.event_id,
                FeedbackRating.question,
                func.sum(FeedbackRating.value),
                func.count(),
            )
            .join(FeedbackAnswer, FeedbackAnswer.id == FeedbackRating.answer_id)
            .where(FeedbackAnswer.event_id.in_(shown))
            .group_by(FeedbackAnswer.event_id, FeedbackRating.question)
        )
        for event_id, question, total_value, count in rows:
            averages[event_id][question] = int(total_value) / count if count else None
    items = [
        EventRow(
            event_id=event_id,
            title=title,
            kind=kind,
            ends_at=ends_at,
            invited=invited.get(event_id, 0),
            answered=answered.get(event_id, 0),
            averages=averages[event_id],
        )
        for event_id, title, kind, ends_at in found
    ]
    next_cursor = encode_cursor(found[-1][3], found[-1][0]) if more else None
    return Page(items, next_cursor, total)


@dataclass(frozen=True)
class QuestionSummary:
    key: str
    label: str
    count: int
    average: float | None
    """None when fewer than MIN_ANSWERS rated the question in the window."""
    distribution: tuple[int, ...]
    """How many chose 1 … 5 (all zero while the average is withheld)."""


@dataclass(frozen=True)
class FeedbackSummary:
    events: int
    """Events of the window with at least one invitation or answer."""
    invited: int
    answered: int
    questions: tuple[QuestionSummary, ...]


async def feedback_summary(
    session: AsyncSession, *, starts: datetime, ends: datetime
) -> FeedbackSummary:
    """Per question, the count and average of the ratings over the events whose last session
    ended in [starts, ends), for the yearly figures. The caller checks who may see it."""
    ended = _ended_within(starts, ends).subquery()
    in_window = FeedbackAnswer.event_id.in_(select(ended.c.event_id))
    events = await session.scalar(select(func.count()).select_from(ended)) or 0
    answered = await session.scalar(select(func.count()).where(in_window)) or 0
    invited = (
        await session.scalar(
            select(func.count()).where(FeedbackInvitation.event_id.in_(select(ended.c.event_id)))
        )
        or 0
    )
    counts = await _rating_counts(session, in_window)
    questions = []
    for result in _results(counts):
        shown = result.count >= MIN_ANSWERS
        questions.append(
            QuestionSummary(
                key=result.question.key,
                label=result.question.label,
                count=result.count,
                average=result.average if shown else None,
                distribution=result.distribution if shown else (0,) * len(SCALE),
            )
        )
    return FeedbackSummary(events, invited, answered, tuple(questions))


def used_share(invited: int, answered: int) -> int:
    """Per cent of the invited who answered (rounded)."""
    return round(100 * answered / invited) if invited else 0
