"""Answering an offered seat on the pages: the member's own pages show the offer with its
deadline and two buttons; the mail's links lead to a page that asks first, and only its
POST answers; a used, expired or broken link gets a German 4xx page."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import offers, services
from booking.bookings.models import Booking
from booking.core.formatting import datetime_de
from booking.members.models import Member
from courses.models import Event
from tests import factories
from tests.factories import NOW
from tests.web import csrf_token, post_form, sign_in

TOKEN_FIELD = 'name="token" type="hidden" value="'


async def status_of(db: AsyncSession, booking_id: int) -> str:
    await db.commit()
    status = await db.scalar(
        select(Booking.status)
        .where(Booking.id == booking_id)
        .execution_options(populate_existing=True)
    )
    assert status is not None
    return status


async def offered(db: AsyncSession, *, email: str | None = None) -> tuple[Event, list[int]]:
    """An event with offers whose one seat was just offered to the first of two waiting
    members (the first with ``email``); the ids of the three bookings."""
    org = await factories.organisation(db, domain="amt.example")
    event = await factories.event(db, capacity=1, offer_working_days=2, title="BIUS I")
    holder = await factories.member(db, org)
    waiting: list[Member] = []
    if email is not None:
        waiting.append(await factories.member(db, org, email=email))
    while len(waiting) < 2:
        waiting.append(await factories.member(db, org))
    ids = [
        (await services.book(db, event_id=event.id, member_id=p.id, now=NOW)).booking.id
        for p in (holder, *waiting)
    ]
    await services.cancel(db, booking_id=ids[0], actor=holder, now=NOW)
    return event, ids


async def link(app: Starlette, db: AsyncSession, booking_id: int, answer: str) -> str:
    await db.commit()
    booking = await db.scalar(
        select(Booking).where(Booking.id == booking_id).execution_options(populate_existing=True)
    )
    assert booking is not None
    serializer = offers.offer_serializer(app.state.app.settings.secret_key)
    links = offers.offer_links(serializer, "", booking)
    return links["accept_url" if answer == offers.ACCEPT else "decline_url"]


def token_in(html: str) -> str:
    return html.split(TOKEN_FIELD, 1)[1].split('"', 1)[0]


async def test_the_members_pages_show_the_offer_and_accept_it(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    event, ids = await offered(db, email="p@amt.example")
    await sign_in(client, app, "p@amt.example")
    deadline = await db.scalar(select(Booking.offer_expires_at).where(Booking.id == ids[1]))
    assert deadline is not None
    wording = f"Angebot: bitte bis {datetime_de(deadline)} annehmen"

    mine = await client.get("/meine-buchungen")
    assert wording in mine.text and "Platz angeboten" in mine.text
    page = await client.get(f"/veranstaltungen/{event.id}")
    assert wording in page.text
    assert "Nachrücken" in page.text and "2 Arbeitstagen" in page.text

    answer = await post_form(
        client,
        f"/veranstaltungen/{event.id}",
        f"/buchungen/{ids[1]}/angebot/annehmen?zurueck=/veranstaltungen/{event.id}",
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/veranstaltungen/{event.id}"
    assert await status_of(db, ids[1]) == "confirmed"
    page = await client.get(answer.headers["location"])
    assert "Sie haben den Platz angenommen" in page.text

    # Without the CSRF token nothing is answered; another's offer is not theirs to answer.
    await db.commit()
    await db.execute(update(Booking).where(Booking.id == ids[2]).values(status="offered"))
    await db.commit()
    refused = await client.post(f"/buchungen/{ids[2]}/angebot/ablehnen")
    assert refused.status_code == 400
    forbidden = await post_form(client, "/meine-buchungen", f"/buchungen/{ids[2]}/angebot/ablehnen")
    assert forbidden.status_code == 403
    assert await status_of(db, ids[2]) == "offered"


async def test_declining_on_the_page_passes_the_offer_on(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    event, ids = await offered(db, email="p@amt.example")
    await sign_in(client, app, "p@amt.example")

    answer = await post_form(client, "/meine-buchungen", f"/buchungen/{ids[1]}/angebot/ablehnen")

    assert answer.status_code == 303 and answer.headers["location"] == "/meine-buchungen"
    assert [await status_of(db, i) for i in ids] == ["cancelled", "cancelled", "offered"]
    mine = await client.get("/meine-buchungen")
    past = mine.text.split("Frühere und stornierte Buchungen", 1)[1]
    assert "BIUS I" in past and "Angebot abgelehnt" in past


async def test_the_mail_link_asks_first_and_answers_once(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    event, ids = await offered(db)
    url = await link(app, db, ids[1], offers.ACCEPT)

    page = await client.get(url)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200
    assert "Platz verbindlich annehmen" in page.text and "BIUS I" in page.text
    assert await status_of(db, ids[1]) == "offered"

    data = {"csrf_token": csrf_token(page.text), "token": token_in(page.text)}
    done = await client.post(url, data=data)
    assert done.status_code == 200, done.text
    assert "Platz angenommen" in done.text
    assert await status_of(db, ids[1]) == "confirmed"

    again = await client.post(url, data=data)
    assert again.status_code == 409
    assert "nicht mehr offen" in again.text
    used = await client.get(await link(app, db, ids[1], offers.DECLINE))
    assert used.status_code == 409 and "nicht mehr offen" in used.text
    assert await status_of(db, ids[1]) == "confirmed"


async def test_the_decline_link_passes_the_offer_on(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    event, ids = await offered(db)
    url = await link(app, db, ids[1], offers.DECLINE)
    page = await client.get(url)
    assert page.status_code == 200 and "Platz ablehnen" in page.text

    done = await client.post(
        url, data={"csrf_token": csrf_token(page.text), "token": token_in(page.text)}
    )

    assert done.status_code == 200 and "Platz abgelehnt" in done.text
    assert [await status_of(db, i) for i in ids] == ["cancelled", "cancelled", "offered"]


async def test_an_expired_link_gets_a_german_410(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    event, ids = await offered(db)
    url = await link(app, db, ids[1], offers.ACCEPT)
    page = await client.get(url)
    past = NOW - timedelta(minutes=1)
    await db.commit()
    await db.execute(update(Booking).where(Booking.id == ids[1]).values(offer_expires_at=past))
    await db.commit()

    expired = await client.get(url)
    assert expired.status_code == 410
    assert f"am {datetime_de(past)} abgelaufen" in expired.text
    late = await client.post(
        url, data={"csrf_token": csrf_token(page.text), "token": token_in(page.text)}
    )
    assert late.status_code == 410
    assert await status_of(db, ids[1]) == "offered"  # the job takes it off the list


@pytest.mark.parametrize(
    "token",
    ["", "kaputt", "a" * 600, "ab\x00cd", "%00", "eyJiIjoxfQ.falsch"],
)
async def test_a_broken_link_gets_a_german_400(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, token: str
) -> None:
    event, ids = await offered(db)
    response = await client.get(offers.ACCEPT_PATH, params={"token": token})
    assert response.status_code == 400
    assert "Dieser Link ist ungültig" in response.text
    page = await client.get(await link(app, db, ids[1], offers.ACCEPT))
    posted = await client.post(
        offers.ACCEPT_PATH, data={"csrf_token": csrf_token(page.text), "token": token}
    )
    assert posted.status_code == 400
    assert await status_of(db, ids[1]) == "offered"


async def test_an_accept_link_does_not_decline(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    event, ids = await offered(db)
    accept = await link(app, db, ids[1], offers.ACCEPT)
    token = accept.split("token=", 1)[1]
    response = await client.get(offers.DECLINE_PATH, params={"token": token})
    assert response.status_code == 400
    assert await status_of(db, ids[1]) == "offered"


async def test_the_offer_pages_pass_the_nu_html_checker(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, tmp_path: Path
) -> None:
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: the Nu HTML checker needs it")
    from tests.test_html import VNU_JAR, Pages, vnu_errors

    assert VNU_JAR.exists(), f"{VNU_JAR} is missing: run `make vnu`"
    pages = Pages(tmp_path / "pages")
    pages.directory.mkdir()
    event, ids = await offered(db, email="p@amt.example")
    accept = await link(app, db, ids[1], offers.ACCEPT)
    decline = await link(app, db, ids[1], offers.DECLINE)
    await pages.get(client, accept, "accept link")
    await pages.get(client, decline, "decline link")
    await pages.get(client, f"{offers.ACCEPT_PATH}?token=kaputt", "broken link", 400)
    await sign_in(client, app, "p@amt.example")
    await pages.get(client, "/meine-buchungen", "my bookings with an offer")
    await pages.get(client, f"/veranstaltungen/{event.id}", "event with an offer")
    page = await client.get(accept)
    done = await client.post(
        accept, data={"csrf_token": csrf_token(page.text), "token": token_in(page.text)}
    )
    pages.add("accepted", done)
    await pages.get(client, accept, "used link", 409)
    errors = vnu_errors(pages.directory)
    assert errors == {}, errors
