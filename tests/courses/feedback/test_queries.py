"""feedback_summary: per question count and average over the events whose last session ended
in a window, for the yearly figures; withheld below three ratings."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from courses.feedback.queries import feedback_summary
from tests.courses.feedback.test_invitations import invited_tokens
from tests.courses.feedback.test_manage import answer
from tests.factories import NOW


async def test_summary_over_the_events_of_a_window(db: AsyncSession, engine: AsyncEngine) -> None:
    first, first_tokens = await invited_tokens(db, engine, 3)
    await answer(db, first_tokens, 5, 4)
    second, second_tokens = await invited_tokens(db, engine, 2)
    await answer(db, second_tokens[:1], 1)

    window = dict(starts=NOW - timedelta(days=1), ends=NOW + timedelta(days=1))
    summary = await feedback_summary(db, **window)
    assert (summary.events, summary.invited, summary.answered) == (2, 5, 4)
    usefulness, before, after, recommend = summary.questions
    assert (usefulness.key, usefulness.count, usefulness.average) == ("usefulness", 4, 3.75)
    assert usefulness.distribution == (1, 0, 0, 1, 2)
    assert (before.average, after.average) == (2.0, 4.0)
    assert (recommend.count, recommend.average) == (0, None)

    earlier = await feedback_summary(
        db, starts=NOW - timedelta(days=30), ends=NOW - timedelta(days=1)
    )
    assert (earlier.events, earlier.answered) == (0, 0)
    assert all(q.average is None and q.count == 0 for q in earlier.questions)
