"""The organisers' page of messages that could not be delivered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.app import mail_renderer
from booking.mail.models import OutboxMessage
from booking.mail.queries import PER_PAGE
from booking.mail.sender import send_due
from booking.mail.services import enqueue
from tests import factories
from tests.factories import NOW
from tests.web import csrf_token, sign_in


async def dead_letter(
    db: AsyncSession, recipient: str, minutes_ago: int, error: str = "SMTPRecipientsRefused"
) -> OutboxMessage:
    await db.commit()  # end the test session's read snapshot: the app wrote meanwhile
    message = enqueue(db, recipient, "sign_in_link", link="https://x.example/a")
    message.attempts = 12
    message.failed_at = NOW - timedelta(minutes=minutes_ago)
    message.last_error = error
    await db.commit()
    return message


async def organiser_client(client: httpx.AsyncClient, app: Starlette, db: AsyncSession) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    await sign_in(client, app, "orga@amt.example")


async def test_organisers_see_dead_letters_newest_first(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await organiser_client(client, app, db)
    await dead_letter(db, "alt@stadt.example", 90, "SMTPRecipientsRefused: 550 unbekannt")
    await dead_letter(db, "neu@stadt.example", 5, "ConnectionRefusedError: keine Verbindung")
    enqueue(db, "wartet@stadt.example", "sign_in_link", link="https://x.example/b")
    await db.commit()
    page = await client.get("/verwaltung/mail")
    assert page.status_code == 200
    assert page.text.index("neu@stadt.example") < page.text.index("alt@stadt.example")
    assert "550 unbekannt" in page.text and "keine Verbindung" in page.text
    assert "wartet@stadt.example" not in page.text  # still being tried
    assert "2 Nachrichten" in page.text


async def test_the_list_is_paged(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await organiser_client(client, app, db)
    for n in range(PER_PAGE + 1):
        await dead_letter(db, f"person{n}@stadt.example", n)
    first = await client.get("/verwaltung/mail")
    assert first.text.count("Erneut versenden") == PER_PAGE
    assert "person0@stadt.example" in first.text and "?seite=2" in first.text
    second = await client.get("/verwaltung/mail?seite=2")
    assert second.text.count("Erneut versenden") == 1
    assert f"person{PER_PAGE}@stadt.example" in second.text
    assert (await client.get("/verwaltung/mail?seite=x%00")).status_code == 200


async def test_queue_again_sends_it_with_a_fresh_set_of_attempts(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, tmp_path: Path
) -> None:
    await organiser_client(client, app, db)
    message = await dead_letter(db, "neu@stadt.example", 5)
    page = await client.get("/verwaltung/mail")
    response = await client.post(
        f"/verwaltung/mail/{message.id}/erneut", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303
    assert "wird erneut versendet" in (await client.get("/verwaltung/mail")).text
    await db.commit()
    await db.refresh(message)
    assert (message.failed_at, message.attempts) == (None, 0)
    settings = app.state.app.settings.with_changes(mail_dir=tmp_path / "mail")
    assert await send_due(settings, app.state.app.sessions, mail_renderer()) >= 1
    await db.commit()
    await db.refresh(message)
    assert message.sent_at is not None
    again = await client.post(
        f"/verwaltung/mail/{message.id}/erneut", data={"csrf_token": csrf_token(page.text)}
    )
    assert again.status_code == 409
    missing = await client.post(
        "/verwaltung/mail/999999/erneut", data={"csrf_token": csrf_token(page.text)}
    )
    assert missing.status_code == 404


async def test_members_may_neither_see_nor_queue_again(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    message = await dead_letter(db, "neu@stadt.example", 5)
    assert (await client.get("/verwaltung/mail")).status_code == 303  # to the sign-in
    await factories.organisation(db, domain="amt.example")
    await sign_in(client, app, "someone@amt.example")
    assert (await client.get("/verwaltung/mail")).status_code == 403
    page = await client.get("/meine-buchungen")
    response = await client.post(
        f"/verwaltung/mail/{message.id}/erneut", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 403
    await db.commit()
    await db.refresh(message)
    assert message.failed_at is not None
    assert await db.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == message.id))
