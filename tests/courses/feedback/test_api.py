"""GET /api/v1/events/{id}/feedback: the aggregated results, for organisers only."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests import factories
from tests.api import assert_german_error, token_of
from tests.courses.feedback.test_invitations import invited_tokens
from tests.courses.feedback.test_manage import answer


async def test_aggregated_results_for_organisers(
    client: httpx.AsyncClient, db: AsyncSession, engine: AsyncEngine
) -> None:
    held, tokens = await invited_tokens(db, engine, 4)
    organiser = await token_of(db, await factories.member(db, role="organiser"))
    member = await token_of(db, await factories.member(db))
    url = f"/api/v1/events/{held.id}/feedback"

    await answer(db, tokens[:2], 5)
    hidden = (await client.get(url, headers=organiser)).json()
    assert hidden == {
        "event_id": held.id, "invited": 4, "answered": 2, "hidden": True, "min_answers": 3,
        "comments": 0, "questions": [],
    }  # fmt: skip

    await answer(db, tokens[2:], 4, text="Danke")
    body = (await client.get(url, headers=organiser)).json()
    assert (body["answered"], body["hidden"], body["comments"]) == (4, False, 2)
    usefulness = body["questions"][0]
    assert usefulness == {
        "key": "usefulness", "label": "Wie nützlich war die Veranstaltung für Ihre Arbeit?",
        "count": 4, "average": 4.5, "distribution": [0, 0, 0, 2, 2],
    }  # fmt: skip
    assert [q["key"] for q in body["questions"]] == [
        "usefulness", "confidence_before", "confidence_after", "recommend",
    ]  # fmt: skip
    assert body["questions"][3]["count"] == 0 and body["questions"][3]["average"] is None

    assert_german_error(await client.get(url, headers=member), 403)
    assert_german_error(await client.get(url), 401)
    assert_german_error(await client.get("/api/v1/events/999999/feedback", headers=organiser), 404)
    document = (await client.get("/api/v1/openapi.json")).json()
    assert "get" in document["paths"]["/events/{id}/feedback"]
