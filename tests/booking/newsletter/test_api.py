"""/api/v1/newsletters through the ASGI client, on both databases: write, send once,
follow the progress; organisers only; hostile input refused in German, nothing written."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.core.db import session_factory
from booking.mail.models import OutboxMessage
from booking.newsletter import sending
from booking.newsletter.models import Issue
from tests import factories
from tests.api import assert_german_error, token_of
from tests.booking.newsletter import factories as newsletter
from tests.factories import NOW

GOOD = {"subject": "Neues aus dem Netzwerk", "body_markdown": "# Termine\n\n- BIUS II\n"}


async def organiser(db: AsyncSession) -> dict[str, str]:
    return await token_of(db, await factories.member(db, role="organiser"))


async def test_write_send_and_follow(
    client: httpx.AsyncClient, db: AsyncSession, engine: AsyncEngine, tmp_path: Path
) -> None:
    headers = await organiser(db)
    await newsletter.subscribers(db, 4)
    created = await client.post("/api/v1/newsletters", json=GOOD, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/api/v1/newsletters/{body['id']}"
    assert (body["status"], body["recipients"], body["sent"], body["done"]) == (
        "draft", 0, 0, False,
    )  # fmt: skip
    url = f"/api/v1/newsletters/{body['id']}"
    started = await client.post(f"{url}/send", headers=headers)
    assert started.status_code == 202, started.text
    assert (started.json()["status"], started.json()["recipients"]) == ("sending", 4)
    assert_german_error(await client.post(f"{url}/send", headers=headers), 409, "invalid_state")

    await sending.queue_all(session_factory(engine), NOW)
    shown = (await client.get(url, headers=headers)).json()
    assert {k: shown[k] for k in ("status", "recipients", "queued", "sent", "done")} == {
        "status": "sent", "recipients": 4, "queued": 4, "sent": 0, "done": False,
    }  # fmt: skip
    await db.execute(update(OutboxMessage).values(sent_at=NOW))
    await db.commit()
    shown = (await client.get(url, headers=headers)).json()
    assert (shown["sent"], shown["done"]) == (4, True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "", "body_markdown": "x"}, "subject"),
        ({"subject": "a\x00b", "body_markdown": "x"}, "subject"),
        ({"subject": "x" * 201, "body_markdown": "x"}, "subject"),
        ({"subject": "x", "body_markdown": "a\x00b"}, "body_markdown"),
        ({"subject": "x", "body_markdown": "x" * 50_001}, "body_markdown"),
        ({"subject": "x", "body_markdown": "   \n  "}, "body_markdown"),
        ({"subject": "x"}, "body_markdown"),
        ({"subject": "x", "body_markdown": "x", "html": "<b>"}, "html"),
        ({"subject": 7, "body_markdown": "x"}, "subject"),
    ],
)
async def test_hostile_input_is_refused_in_german_and_writes_nothing(
    client: httpx.AsyncClient, db: AsyncSession, body: dict[str, object], field: str
) -> None:
    headers = await organiser(db)
    answer = await client.post("/api/v1/newsletters", json=body, headers=headers)
    problem = assert_german_error(answer, 422, "validation_failed")
    assert field in problem["fields"]
    await db.commit()
    assert await db.scalar(select(func.count(Issue.id))) == 0


async def test_not_json_and_broken_json(client: httpx.AsyncClient, db: AsyncSession) -> None:
    headers = await organiser(db)
    assert_german_error(
        await client.post("/api/v1/newsletters", content=b"subject=x", headers=headers), 415
    )
    assert_german_error(
        await client.post(
            "/api/v1/newsletters",
            content=b'{"subject": "x\\u0000", ',
            headers={**headers, "Content-Type": "application/json"},
        ),
        422,
    )


async def test_members_and_strangers_are_turned_away(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    member = await token_of(db, await factories.member(db))
    issue = await newsletter.issue(db)
    assert_german_error(await client.post("/api/v1/newsletters", json=GOOD, headers=member), 403)
    assert_german_error(
        await client.post(f"/api/v1/newsletters/{issue.id}/send", headers=member), 403
    )
    assert_german_error(await client.get(f"/api/v1/newsletters/{issue.id}"), 401)
    headers = await organiser(db)
    assert_german_error(await client.get("/api/v1/newsletters/999999", headers=headers), 404)
    assert_german_error(
        await client.post(f"/api/v1/newsletters/{issue.id}/send", headers=headers), 409
    )
