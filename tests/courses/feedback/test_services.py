"""Answering with the link: anonymous, once (also when two submits race), refused in German
with nothing written for a bad entry, an unknown, used or expired link."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.core.db import session_factory
from booking.core.errors import InvalidState, NotFound, ValidationFailed
from courses.feedback import services
from courses.feedback.models import FeedbackAnswer, FeedbackInvitation, FeedbackRating
from courses.feedback.questions import VERSION
from courses.models import Event
from tests.api import ENGLISH, GERMAN
from tests.courses.feedback.test_invitations import invited_tokens
from tests.factories import NOW

RATINGS: dict[str, int | None] = {
    "usefulness": 5,
    "confidence_before": 2,
    "confidence_after": 4,
    "recommend": None,
}


async def written(db: AsyncSession) -> tuple[int, int, int]:
    """(answers, ratings, used invitations)."""
    await db.commit()
    answers = await db.scalar(select(func.count()).select_from(FeedbackAnswer))
    ratings = await db.scalar(select(func.count()).select_from(FeedbackRating))
    used = await db.scalar(select(func.count()).where(FeedbackInvitation.used.is_(True)))
    return answers or 0, ratings or 0, used or 0


async def test_an_answer_is_stored_without_anything_that_leads_back(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    held, (token, *_) = await invited_tokens(db, engine)
    opened = await services.open_invitation(db, token, NOW)
    assert opened.event.id == held.id
    await services.submit(
        db, token=token, ratings=RATINGS, comment="  Sehr praxisnah.\r\nGerne mehr davon. ",
        now=NOW,
    )  # fmt: skip
    assert await written(db) == (1, 3, 1)
    answer = await db.scalar(select(FeedbackAnswer))
    assert answer is not None
    await db.refresh(answer, ["ratings"])
    assert (answer.event_id, answer.version) == (held.id, VERSION)
    assert answer.comment == "Sehr praxisnah.\nGerne mehr davon."
    assert {r.question: r.value for r in answer.ratings} == {
        "usefulness": 5, "confidence_before": 2, "confidence_after": 4,
    }  # fmt: skip

    # The schema itself keeps answers apart from people: no member, booking, token or time.
    assert set(inspect(FeedbackAnswer).columns.keys()) == {"id", "event_id", "version", "comment"}
    assert set(inspect(FeedbackRating).columns.keys()) == {"answer_id", "question", "value"}
    invitation_columns = set(inspect(FeedbackInvitation).columns.keys())
    assert invitation_columns == {
        "id",
        "event_id",
        "booking_id",
        "token_hash",
        "sent_at",
        "expires_at",
        "used",
    }  # fmt: skip  (used: a flag, no time of use)


async def test_a_used_link_is_refused_and_nothing_more_is_written(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    _, (token, *_) = await invited_tokens(db, engine)
    await services.submit(db, token=token, ratings=RATINGS, comment="", now=NOW)
    with pytest.raises(InvalidState, match="bereits eine Rückmeldung"):
        await services.submit(db, token=token, ratings=RATINGS, comment="noch mal", now=NOW)
    with pytest.raises(InvalidState):
        await services.open_invitation(db, token, NOW)
    assert await written(db) == (1, 3, 1)


async def test_unknown_and_expired_links_are_refused(db: AsyncSession, engine: AsyncEngine) -> None:
    held, (token, *_) = await invited_tokens(db, engine)
    for forged in ("", "x" * 43, "ä" * 10, "a" * 5000, token + "\x00"):
        with pytest.raises(NotFound, match="Rückmeldelink kennen wir nicht"):
            await services.submit(db, token=forged, ratings=RATINGS, comment="", now=NOW)
        with pytest.raises(NotFound):
            await services.open_invitation(db, forged, NOW)
    later = held.sessions[-1].ends_at + timedelta(days=30, seconds=1)
    with pytest.raises(services.LinkExpired, match="abgelaufen") as refused:
        await services.submit(db, token=token, ratings=RATINGS, comment="", now=later)
    assert refused.value.status == 410
    await db.execute(update(Event).where(Event.id == held.id).values(status="cancelled"))
    await db.commit()
    with pytest.raises(services.LinkExpired, match="abgesagt"):
        await services.submit(db, token=token, ratings=RATINGS, comment="", now=NOW)
    assert await written(db) == (0, 0, 0)


@pytest.mark.parametrize(
    ("ratings", "comment", "field"),
    [
        ({"usefulness": 6}, "", "usefulness"),
        ({"usefulness": 0}, "", "usefulness"),
        ({"usefulness": True}, "", "usefulness"),
        ({"usefulness": "5"}, "", "usefulness"),
        ({"salary": 3}, "", "salary"),
        ({}, "Text mit \x00 NUL", "comment"),
        ({}, "Steuerzeichen \x1b[31m", "comment"),
        ({}, "x" * 2001, "comment"),
        ({"usefulness": None}, "   ", "usefulness"),
    ],
)
async def test_bad_entries_are_refused_in_german_and_nothing_is_written(
    db: AsyncSession, engine: AsyncEngine, ratings: dict[str, Any], comment: str, field: str
) -> None:
    _, (token, *_) = await invited_tokens(db, engine)
    with pytest.raises(ValidationFailed) as refused:
        await services.submit(db, token=token, ratings=ratings, comment=comment, now=NOW)
    assert field in refused.value.fields and refused.value.status == 422
    assert GERMAN.search(refused.value.fields[field]) and not ENGLISH.search(refused.value.message)
    assert await written(db) == (0, 0, 0)
    await services.submit(db, token=token, ratings=RATINGS, comment="", now=NOW)  # still usable
    assert await written(db) == (1, 3, 1)


async def test_two_submits_with_one_token_at_the_same_moment_give_one_answer(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    """Each submit in a session (a connection) of its own, all let go together: on
    PostgreSQL the conditional UPDATE makes the losers wait for the winner and find the link
    used; on SQLite the writers take turns."""
    _, (token, *_) = await invited_tokens(db, engine)
    start = asyncio.Event()
    sessions = session_factory(engine)

    async def one(n: int) -> str:
        async with sessions() as session:
            await start.wait()
            try:
                await services.submit(
                    session, token=token, ratings=RATINGS, comment=f"Antwort {n}", now=NOW
                )
            except InvalidState:
                return "refused"
            return "stored"

    tasks = [asyncio.create_task(one(n)) for n in range(8)]
    await asyncio.sleep(0.05)
    start.set()
    outcomes = await asyncio.gather(*tasks)
    assert sorted(outcomes) == ["refused"] * 7 + ["stored"]
    assert await written(db) == (1, 3, 1)
