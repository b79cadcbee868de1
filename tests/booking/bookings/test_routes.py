from __future__ import annotations

import re
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


async def test_cancelling_asks_first_and_only_the_post_cancels(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    conference = await factories.event(
        db, kind="conference", cancellation_deadline=NOW + timedelta(days=20)
    )
    workshop = await factories.event(db, kind="workshop", parent_id=conference.id)
    full = await factories.event(db, capacity=1)
    await services.book(
        db, event_id=full.id, member_id=(await factories.member(db, org)).id, now=NOW
    )
    await sign_in(client, app, "p@amt.example")
    for event in (conference, workshop, full):
        await post_form(
            client, f"/veranstaltungen/{event.id}", f"/veranstaltungen/{event.id}/buchen"
        )
    own = {
        event_id: booking_id
        for booking_id, event_id in await db.execute(
            select(Booking.id, Booking.event_id).where(Booking.status != "cancelled")
        )
    }
    before = await bookings(db)

    page = await client.get(f"/buchungen/{own[conference.id]}/stornieren")
    assert page.status_code == 200
    assert "Buchung stornieren?" in page.text and conference.title in page.text
    assert "Stornierung möglich bis" in page.text
    assert "geht an die nächste Person auf der Warteliste" in page.text
    assert f"<li>{workshop.title}</li>" in page.text  # cancelled with the conference
    assert "Ja, stornieren" in page.text and 'href="/meine-buchungen">Zurück' in page.text
    waiting = await client.get(f"/buchungen/{own[full.id]}/stornieren")
    assert "Von der Warteliste austragen?" in waiting.text
    assert "Sie verlieren Ihren Platz auf der Warteliste (Platz 1)" in waiting.text
    assert await bookings(db) == before  # asking changes nothing

    response = await client.post(
        f"/buchungen/{own[conference.id]}/stornieren", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303 and response.headers["location"] == "/meine-buchungen"
    await db.commit()
    statuses = dict(
        (
            await db.execute(
                select(Booking.event_id, Booking.status).where(Booking.id.in_(own.values()))
            )
        ).all()
    )
    assert statuses == {conference.id: "cancelled", workshop.id: "cancelled", full.id: "waiting"}
    again = await client.get(f"/buchungen/{own[conference.id]}/stornieren")
    assert again.status_code == 200 and "bereits storniert" in again.text
    assert "Ja, stornieren" not in again.text


async def test_cancel_page_is_for_the_booker_and_organisers(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db)
    other = await factories.member(db, org)
    result = await services.book(db, event_id=event.id, member_id=other.id, now=NOW)
    url = f"/buchungen/{result.booking.id}/stornieren"
    await sign_in(client, app, "p@amt.example")
    assert (await client.get(url)).status_code == 403
    assert (await client.get("/buchungen/999999/stornieren")).status_code == 404
    await client.post("/abmelden", data={"csrf_token": csrf_token((await client.get("/")).text)})
    await sign_in(client, app, "orga@amt.example")
    back = f"/verwaltung/veranstaltungen/{event.id}"
    page = await client.get(f"{url}?zurueck={back}")
    assert page.status_code == 200 and other.email in page.text
    assert f'action="{url}?zurueck={back}"' in page.text
    hostile = await client.get(f"{url}?zurueck=https://evil.example/")
    assert "evil" not in hostile.text
    response = await client.post(
        f"{url}?zurueck={back}", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303 and response.headers["location"] == back
    assert await bookings(db) == [(other.id, "cancelled")]


async def test_my_bookings_upcoming_by_date_workshops_under_their_conference_past_after(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    late = await factories.event(db, title="Spät", starts_in=timedelta(days=60))
    conference = await factories.event(
        db, kind="conference", title="Tagung", starts_in=timedelta(days=40), days=2
    )
    workshop = await factories.event(
        db,
        kind="workshop",
        title="Werkstatt",
        parent_id=conference.id,
        starts_in=timedelta(days=41),
    )
    early = await factories.event(db, title="Früh", starts_in=timedelta(days=10))
    dropped = await factories.event(db, title="Abgesagt", starts_in=timedelta(days=5))
    await sign_in(client, app, "p@amt.example")
    for event in (late, conference, workshop, early, dropped):  # booked in this order
        await post_form(
            client, f"/veranstaltungen/{event.id}", f"/veranstaltungen/{event.id}/buchen"
        )
    dropped_booking = await db.scalar(select(Booking.id).where(Booking.event_id == dropped.id))
    await post_form(client, "/meine-buchungen", f"/buchungen/{dropped_booking}/stornieren")
    member_id = await db.scalar(select(Member.id).where(Member.email == "p@amt.example"))
    await db.commit()
    old = await factories.event(db, title="Vorbei", starts_in=timedelta(days=-30))
    older = await factories.event(db, title="Lange vorbei", starts_in=timedelta(days=-90))
    for event in (older, old):
        db.add(Booking(event_id=event.id, member_id=member_id, status="attended"))
    await db.commit()

    page = (await client.get("/meine-buchungen")).text
    upcoming, past = page.split("Frühere und stornierte Buchungen", 1)
    order = [t for t in re.findall(r'/veranstaltungen/\d+">([^<]+)</a>', upcoming)]
    assert order == ["Früh", "Tagung", "Werkstatt", "Spät"]
    nested = upcoming.split('aria-label="Ihre Workshops bei Tagung"', 1)[1].split("</ul>", 1)[0]
    assert "Werkstatt" in nested
    assert re.findall(r'/veranstaltungen/\d+">([^<]+)</a>', past) == [
        "Abgesagt",
        "Vorbei",
        "Lange vorbei",
    ]
    cancelled = past.split("Abgesagt", 1)[1].split("</li>", 1)[0]
    assert "storniert" in cancelled
    assert "teilgenommen" in past.split("Vorbei", 1)[1].split("</li>", 1)[0]
