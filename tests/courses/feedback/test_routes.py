"""The form behind the link, without sign-in: accessible radio groups, answered once, a
German page with 4xx for a used, expired or unknown link, refusals with errors beside the
fields."""

from __future__ import annotations

import re

import httpx
import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from courses.feedback.models import FeedbackAnswer
from tests.courses.feedback.test_invitations import invited_tokens
from tests.web import csrf_token


async def test_answering_with_the_link_once(
    client: httpx.AsyncClient, db: AsyncSession, engine: AsyncEngine
) -> None:
    held, (token, *_) = await invited_tokens(db, engine)
    url = f"/rueckmeldung/{token}"
    page = await client.get(url)
    assert page.status_code == 200 and held.title in page.text
    assert page.text.count("<fieldset") == 4 and page.text.count("<legend") == 4
    assert "Wie nützlich war die Veranstaltung für Ihre Arbeit?" in page.text
    assert "Was möchten Sie uns mitteilen?" in page.text
    assert len(re.findall(r'type="radio"', page.text)) == 4 * 6  # 1 … 5 and "keine Angabe"
    assert "anonym" in page.text

    data = {
        "csrf_token": csrf_token(page.text),
        "usefulness": "4",
        "confidence_before": "2",
        "confidence_after": "4",
        "recommend": "",
        "comment": "Die Übungen zur Deeskalation waren hilfreich.",
    }
    sent = await client.post(url, data=data)
    assert sent.status_code == 303 and sent.headers["location"] == "/rueckmeldung/danke"
    thanks = await client.get("/rueckmeldung/danke")
    assert "Vielen Dank" in thanks.text

    again = await client.get(url)
    assert again.status_code == 409 and "bereits eine Rückmeldung" in again.text
    twice = await client.post(url, data=data)
    assert twice.status_code == 409
    await db.commit()
    assert await db.scalar(select(func.count()).select_from(FeedbackAnswer)) == 1


async def test_refused_entries_are_named_beside_their_fields(
    client: httpx.AsyncClient, db: AsyncSession, engine: AsyncEngine
) -> None:
    _, (token, *_) = await invited_tokens(db, engine)
    url = f"/rueckmeldung/{token}"
    page = await client.get(url)
    data = {"csrf_token": csrf_token(page.text), "usefulness": "9", "comment": "a\x00b"}
    refused = await client.post(url, data=data)
    assert refused.status_code == 422
    assert "error-summary" in refused.text
    assert "Bitte wählen Sie einen Wert von 1 bis 5" in refused.text
    assert "unzulässige Steuerzeichen" in refused.text
    empty = await client.post(url, data={"csrf_token": csrf_token(page.text)})
    assert empty.status_code == 422 and "mindestens eine Frage" in empty.text
    forged = await client.post(url, data={"usefulness": "3"})
    assert forged.status_code == 400  # no CSRF token
    await db.commit()
    assert await db.scalar(select(func.count()).select_from(FeedbackAnswer)) == 0


async def test_unknown_and_expired_links_get_a_german_page(
    client: httpx.AsyncClient, db: AsyncSession, engine: AsyncEngine
) -> None:
    held, (token, *_) = await invited_tokens(db, engine)
    unknown = await client.get("/rueckmeldung/ausgedacht")
    assert unknown.status_code == 404 and "kennen wir nicht" in unknown.text
    assert (await client.get("/rueckmeldung/" + "x" * 300)).status_code == 404
    later = held.sessions[-1].ends_at.replace(microsecond=0)
    with time_machine.travel(later.timestamp() + 31 * 86400, tick=False):
        expired = await client.get(f"/rueckmeldung/{token}")
    assert expired.status_code == 410 and "abgelaufen" in expired.text
