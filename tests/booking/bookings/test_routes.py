from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import services
from booking.bookings.models import Booking
from booking.members.models import Member
from tests import factories
from tests.factories import NOW
from tests.web import csrf_token, post_form, sign_in


async def bookings(db: AsyncSession) -> list[tuple[int, str]]:
    await db.commit()
    rows = await db.execute(select(Booking.member_id, Booking.status).order_by(Booking.id))
    return [(m, s) for m, s in rows]


async def test_book_and_cancel_through_the_pages(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    event = await factories.event(db, capacity=3)
    await sign_in(client, app, "p@amt.example")
    url = f"/veranstaltungen/{event.id}"
    response = await post_form(client, url, f"{url}/buchen")
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Ihre Anmeldung ist bestätigt" in page.text
    assert "bestätigt" in page.text and "Buchung stornieren" in page.text
    assert "bestätigt" in page.text.split("Ihr Status:", 1)[1].split("</p>", 1)[0]
    mine = await client.get("/meine-buchungen")
    assert event.title in mine.text
    [(member_id, status)] = await bookings(db)
    assert status == "confirmed"
    booking_id = await db.scalar(select(Booking.id))
    response = await post_form(client, "/meine-buchungen", f"/buchungen/{booking_id}/stornieren")
    assert response.status_code == 303
    assert await bookings(db) == [(member_id, "cancelled")]
    mine = await client.get("/meine-buchungen")
    assert "storniert" in mine.text
    past = mine.text.split("Frühere und stornierte Buchungen", 1)[1]
    assert event.title in past and "storniert" in past


async def test_full_event_puts_member_on_waiting_list(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    event = await factories.event(db, capacity=1)
    await services.book(
        db, event_id=event.id, member_id=(await factories.member(db, org)).id, now=NOW
    )
    await sign_in(client, app, "p@amt.example")
    url = f"/veranstaltungen/{event.id}"
    assert "Auf die Warteliste setzen" in (await client.get(url)).text
    response = await post_form(client, url, f"{url}/buchen")
    page = await client.get(response.headers["location"])
    assert "Warteliste auf Platz 1" in page.text
    mine = await client.get("/meine-buchungen")
    assert "Warteliste Platz 1" in mine.text


async def test_booking_twice_gives_409_and_no_second_row(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    event = await factories.event(db)
    await sign_in(client, app, "p@amt.example")
    url = f"/veranstaltungen/{event.id}"
    token = csrf_token((await client.get(url)).text)
    first = await client.post(f"{url}/buchen", data={"csrf_token": token})
    second = await client.post(f"{url}/buchen", data={"csrf_token": token})
    assert (first.status_code, second.status_code) == (303, 409)
    assert "bereits angemeldet" in second.text
    assert len(await bookings(db)) == 1


async def test_hostile_booking_requests(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    event = await factories.event(db)
    closed = await factories.event(db, registration_deadline=NOW - timedelta(hours=1))
    other = await factories.member(db, org)
    others_booking = await services.book(db, event_id=event.id, member_id=other.id, now=NOW)
    anonymous = await client.post(f"/veranstaltungen/{event.id}/buchen", data={})
    assert anonymous.status_code == 401
    await sign_in(client, app, "p@amt.example")
    token = csrf_token((await client.get("/meine-buchungen")).text)
    cases = [
        (f"/veranstaltungen/{event.id}/buchen", {}, 400),
        (f"/veranstaltungen/{event.id}/buchen", {"csrf_token": "falsch"}, 400),
        (f"/veranstaltungen/{closed.id}/buchen", {"csrf_token": token}, 422),
        ("/veranstaltungen/999999/buchen", {"csrf_token": token}, 404),
        ("/veranstaltungen/-1/buchen", {"csrf_token": token}, 404),
        (f"/buchungen/{others_booking.booking.id}/stornieren", {"csrf_token": token}, 403),
        ("/buchungen/999999/stornieren", {"csrf_token": token}, 404),
        ("/buchungen/x/stornieren", {"csrf_token": token}, 404),
    ]
    for path, data, status in cases:
        response = await client.post(path, data=data)
        assert response.status_code == status, (path, response.text[:200])
        assert 'lang="de"' in response.text
    assert (await client.get(f"/veranstaltungen/{event.id}/buchen")).status_code == 405
    assert await bookings(db) == [(other.id, "confirmed")]


async def test_oversized_body_is_refused(client: httpx.AsyncClient, db: AsyncSession) -> None:
    response = await client.post(
        "/anmelden",
        content=b"x" * 300_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


async def test_my_bookings_requires_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/meine-buchungen")
    assert response.status_code == 303
    assert response.headers["location"] == "/anmelden?weiter=/meine-buchungen"


async def test_cancel_buttons_follow_the_cancellation_deadline(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    passed = NOW - timedelta(hours=1)
    event = await factories.event(db, capacity=1, cancellation_deadline=passed)
    full = await factories.event(db, capacity=0, cancellation_deadline=passed)
    await sign_in(client, app, "p@amt.example")
    me = await db.scalar(select(Member).where(Member.email == "p@amt.example"))
    assert me is not None and org.id == me.organisation_id
    confirmed = await services.book(db, event_id=event.id, member_id=me.id, now=NOW)
    waiting = await services.book(db, event_id=full.id, member_id=me.id, now=NOW)
    assert (confirmed.booking.status, waiting.booking.status) == ("confirmed", "waiting")

    mine = (await client.get("/meine-buchungen")).text
    assert f"/buchungen/{confirmed.booking.id}/stornieren" not in mine
    assert "Stornierung nur über die Geschäftsstelle" in mine
    assert f"/buchungen/{waiting.booking.id}/stornieren" in mine  # leaving a waiting list
    page = (await client.get(f"/veranstaltungen/{event.id}")).text
    assert "Buchung stornieren" not in page and "Frist für eine Stornierung" in page


async def test_nul_bytes_and_odd_characters_in_paths_answer_404_in_german(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    paths = [
        "/kalender/%00.ics",
        "/kalender/abc%00def.ics",
        "/kalender/%C3%A4%00.ics",
        "/veranstaltungen/%00",
        "/buchungen/1%00/einladung.ics",
        "/static/css/%00.css",
        "/api/v1/events/%00",
    ]
    for signed_in in (False, True):
        if signed_in:
            await sign_in(client, app, "p@amt.example")
        for path in paths:
            response = await client.get(path)
            assert response.status_code == 404, (path, response.text[:300])
            assert "gibt es nicht" in response.text, path


async def test_missing_static_file_for_a_signed_in_member_is_a_german_404(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    await sign_in(client, app, "p@amt.example")
    response = await client.get("/static/css/gibt-es-nicht.css")
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht." in response.text
    assert (await client.get("/static/css/site.css")).status_code == 200
