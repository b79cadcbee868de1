"""Sessions live on the server: sign-out, lifetimes, "Überall abmelden", what the cookie holds
and what a page view writes."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import httpx
import time_machine
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette

from booking.core.db import utcnow
from booking.core.sessions import COOKIE_NAME
from booking.members.models import WebSession
from tests import factories
from tests.web import post_form, sign_in


def new_client(app: Starlette) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40001))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def signed_in(client: httpx.AsyncClient) -> bool:
    response = await client.get("/meine-buchungen")
    return response.status_code == 200


async def rows(db: AsyncSession) -> int:
    await db.commit()  # a fresh snapshot
    return int(await db.scalar(select(func.count()).select_from(WebSession)) or 0)


async def test_a_cookie_copied_before_sign_out_is_worth_nothing_after_it(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    await sign_in(client, app, "p@amt.example")
    stolen = client.cookies[COOKIE_NAME]
    assert await signed_in(client)

    out = await post_form(client, "/profil", "/abmelden")
    assert out.status_code == 303
    assert "Sie sind abgemeldet." in (await client.get("/")).text
    assert not await signed_in(client)
    async with new_client(app) as other:
        other.cookies.set(COOKIE_NAME, stolen)
        response = await other.get("/meine-buchungen")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/anmelden")
    assert await rows(db) == 0  # the signed-in row is gone, the flash was shown and went too


async def test_the_cookie_holds_a_random_id_and_no_personal_data(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    await sign_in(client, app, "erika.muster@amt.example", first="Erika", last="Muster")
    value = client.cookies[COOKIE_NAME]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value)
    padded = value + "=" * (-len(value) % 4)
    decoded = base64.urlsafe_b64decode(padded)
    for text in (b"erika", b"Erika", b"Muster", b"amt.example", b"Willkommen"):
        assert text not in decoded and text.decode() not in value
    await db.commit()
    row = await db.scalar(select(WebSession))
    assert row is not None and row.id_hash != value  # only the hash is stored


async def test_the_cookie_is_set_once_and_its_lifetime_is_not_refreshed(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    await sign_in(client, app, "p@amt.example")
    for _ in range(3):
        response = await client.get("/meine-buchungen")
        assert response.status_code == 200
        assert "set-cookie" not in response.headers


async def test_sign_in_cookie_is_httponly_lax_and_lasts_at_most_eight_hours(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    await post_form(client, "/anmelden", "/anmelden", {"email": "p@amt.example"})
    from tests.web import last_sign_in_link, use_link

    response = await use_link(client, await last_sign_in_link(app, "p@amt.example"))
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    max_age = int(re.search(r"max-age=(\d+)", cookie).group(1))  # type: ignore[union-attr]
    assert 8 * 3600 - 60 <= max_age <= 8 * 3600
    assert "secure" not in cookie  # http:// in the tests; https BASE_URL sets it


async def test_the_session_ends_after_two_idle_hours(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    start = utcnow()
    with time_machine.travel(start, tick=False):
        await sign_in(client, app, "p@amt.example")
    with time_machine.travel(start + timedelta(hours=1, minutes=59), tick=False):
        assert await signed_in(client)
    with time_machine.travel(start + timedelta(hours=3, minutes=58), tick=False):
        assert await signed_in(client)  # active just under 2 hours ago
    with time_machine.travel(start + timedelta(hours=6), tick=False):
        assert not await signed_in(client)


async def test_the_session_ends_eight_hours_after_sign_in_however_busy(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    start = utcnow()
    with time_machine.travel(start, tick=False):
        await sign_in(client, app, "p@amt.example")
    for hour in range(1, 8):
        with time_machine.travel(start + timedelta(hours=hour), tick=False):
            assert await signed_in(client), hour
    with time_machine.travel(start + timedelta(hours=8, minutes=1), tick=False):
        assert not await signed_in(client)


async def test_sign_out_everywhere_ends_the_sessions_on_every_device(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    other_member = await factories.member(db, org, email="andere@amt.example")
    await sign_in(client, app, "p@amt.example")
    async with new_client(app) as phone, new_client(app) as colleague:
        await sign_in(phone, app, "p@amt.example")
        await sign_in(colleague, app, other_member.email)
        assert await signed_in(phone) and await signed_in(colleague)

        response = await post_form(client, "/profil", "/ueberall-abmelden")
        assert response.status_code == 303
        assert "auf allen Geräten abgemeldet" in (await client.get("/")).text
        assert not await signed_in(client)
        assert not await signed_in(phone)
        assert await signed_in(colleague)  # someone else's session stays


async def test_sign_out_everywhere_needs_the_csrf_token(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    await sign_in(client, app, "p@amt.example")
    response = await client.post("/ueberall-abmelden", data={"csrf_token": "x"})
    assert response.status_code == 400
    assert await signed_in(client)


async def test_reading_pages_writes_no_session_rows(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, engine: AsyncEngine
) -> None:
    await factories.organisation(db, domain="amt.example")
    await sign_in(client, app, "p@amt.example")
    await client.get("/meine-buchungen")  # the welcome message is shown and dropped
    writes: list[str] = []

    def note(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    engine_of_app = app.state.app.engine
    sa_event.listen(engine_of_app.sync_engine, "before_cursor_execute", note)
    try:
        for page in ("/", "/meine-buchungen", "/profil", "/meine-buchungen"):
            assert (await client.get(page)).status_code == 200
    finally:
        sa_event.remove(engine_of_app.sync_engine, "before_cursor_execute", note)
    assert writes == []


async def test_last_seen_is_written_at_most_once_a_minute(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    start = utcnow()
    with time_machine.travel(start, tick=False):
        await sign_in(client, app, "p@amt.example")
        await client.get("/meine-buchungen")
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        await client.get("/meine-buchungen")
    await db.commit()
    row = await db.scalar(select(WebSession))
    assert row is not None and row.last_seen_at == start
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        await client.get("/meine-buchungen")
    await db.commit()
    await db.refresh(row)
    assert row.last_seen_at == start + timedelta(minutes=5)


async def test_an_anonymous_visitor_gets_a_working_form_without_a_session_row(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    page = await client.get("/anmelden")
    assert page.status_code == 200
    assert COOKIE_NAME in client.cookies
    assert await rows(db) == 0
    response = await post_form(client, "/anmelden", "/anmelden", {"email": "p@amt.example"})
    assert response.status_code == 303
    assert await rows(db) == 0


async def test_a_forged_session_id_signs_nobody_in(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    client.cookies.set(COOKIE_NAME, "A" * 43)
    assert not await signed_in(client)
    client.cookies.set(COOKIE_NAME, "kaputt\x7f;")
    assert (await client.get("/")).status_code == 200


async def test_the_session_id_changes_at_sign_in(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    await client.get("/anmelden")
    planted = client.cookies[COOKIE_NAME]
    await sign_in(client, app, "p@amt.example")
    assert client.cookies[COOKIE_NAME] != planted
    async with new_client(app) as attacker:
        attacker.cookies.set(COOKIE_NAME, planted)
        assert not await signed_in(attacker)
