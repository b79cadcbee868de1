from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import services
from booking.bookings.models import Booking
from booking.core.formatting import BERLIN, range_de
from courses.models import Series
from tests import factories
from tests.factories import NOW
from tests.web import csrf_token, post_form, sign_in
from venues.models import OnlineRoom, Venue


async def venue(db: AsyncSession, region: str = "Münster", **fields: object) -> Venue:
    v = Venue(
        name=f"Haus {region}", street="Domplatz 1", postcode="48143", city=region, region=region
    )
    for key, value in fields.items():
        setattr(v, key, value)
    db.add(v)
    await db.commit()
    return v


def titles(html: str, *candidates: str) -> set[str]:
    return {t for t in candidates if f">{t}</a>" in html}


async def test_programme_lists_published_upcoming_events(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    shown = await factories.event(db, title="Sichtbar")
    await factories.event(db, title="Entwurf", status="draft")
    await factories.event(db, title="Vorbei", starts_in=timedelta(days=-3))
    await factories.event(db, kind="workshop", title="Workshop", parent_id=shown.id)
    page = await client.get("/")
    assert page.status_code == 200
    assert titles(page.text, "Sichtbar", "Entwurf", "Vorbei", "Workshop") == {"Sichtbar"}
    assert range_de(shown.sessions[0].starts_at, shown.sessions[0].ends_at) in page.text
    assert "noch 16 Plätze frei" in page.text


async def test_programme_filters(client: httpx.AsyncClient, db: AsyncSession) -> None:
    muenster, koeln = await venue(db, "Münster"), await venue(db, "Köln")
    await factories.event(db, title="Training Münster", venue_id=muenster.id)
    await factories.event(db, title="Treffen Köln", kind="network_meeting", venue_id=koeln.id)
    await factories.event(db, title="Klinik", sectors=("gesundheit",), starts_in=timedelta(days=70))
    full = await factories.event(db, title="Voll", capacity=0)
    all_titles = ("Training Münster", "Treffen Köln", "Klinik", "Voll")

    async def shown(query: str) -> set[str]:
        response = await client.get("/?" + query)
        assert response.status_code == 200, response.text
        return titles(response.text, *all_titles)

    assert await shown("kind=network_meeting") == {"Treffen Köln"}
    assert await shown("region=K%C3%B6ln") == {"Treffen Köln"}
    assert await shown("sector=schule") == {"Training Münster", "Treffen Köln", "Voll"}
    assert await shown("sector=gesundheit") == set(all_titles)
    assert await shown("free_only=y") == {"Training Münster", "Treffen Köln", "Klinik"}
    month = (NOW + timedelta(days=70)).astimezone(BERLIN).strftime("%Y-%m")
    assert await shown(f"month={month}") == {"Klinik"}  # the others start 40 days earlier
    assert full.capacity == 0


async def test_programme_refuses_bad_filters_in_german(client: httpx.AsyncClient) -> None:
    for query in (
        "kind=party",
        "month=2026-13",
        "month=%3Cscript%3E",
        "sector=x" * 50,
        "region=Bonn",
    ):
        response = await client.get("/?" + query)
        assert response.status_code == 400, query
        assert "Bitte korrigieren Sie" in response.text
        assert "<script>" not in response.text


async def test_event_page_shows_details_and_reasons(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    v = await venue(db, step_free=True, accessibility_notes="Aufzug am Seiteneingang.")
    event = await factories.event(db, title="BIUS", venue_id=v.id, sectors=("gesundheit",), days=2)
    page = await client.get(f"/veranstaltungen/{event.id}")
    assert page.status_code == 200
    assert "Stufenloser Zugang" in page.text and "Aufzug am Seiteneingang." in page.text
    for s in event.sessions:
        assert range_de(s.starts_at, s.ends_at) in page.text
    assert "Anmelden und buchen" in page.text
    await factories.organisation(db, sector="schule", domain="schule.example")
    await sign_in(client, app, "lehrkraft@schule.example")
    page = await client.get(f"/veranstaltungen/{event.id}")
    assert "nur Beschäftigten aus diesen Bereichen offen: Gesundheitswesen" in page.text
    assert "Platz buchen" not in page.text


async def test_unknown_and_draft_events_are_404(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    draft = await factories.event(db, status="draft")
    assert (await client.get(f"/veranstaltungen/{draft.id}")).status_code == 404
    assert (await client.get("/veranstaltungen/999999")).status_code == 404
    response = await client.get("/veranstaltungen/abc")
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht" in response.text


async def test_meeting_link_only_for_confirmed(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    room = OnlineRoom(name="Netzwerkraum", meeting_url="https://meet.example/geheim")
    db.add(room)
    await db.commit()
    event = await factories.event(db, kind="online_qa", capacity=1, online_room_id=room.id)
    org = await factories.organisation(db, domain="amt.example")
    first = await factories.member(db, org)
    await services.book(db, event_id=event.id, member_id=first.id, now=NOW)
    assert "meet.example/geheim" not in (await client.get(f"/veranstaltungen/{event.id}")).text
    await sign_in(client, app, "zweite@amt.example")
    await post_form(client, f"/veranstaltungen/{event.id}", f"/veranstaltungen/{event.id}/buchen")
    waiting_page = await client.get(f"/veranstaltungen/{event.id}")
    assert "Warteliste Platz 1" in waiting_page.text
    assert "meet.example/geheim" not in waiting_page.text
    booking = await db.scalar(select(Booking).where(Booking.member_id == first.id))
    assert booking is not None
    await services.cancel(db, booking_id=booking.id, actor=first, now=NOW)
    confirmed_page = await client.get(f"/veranstaltungen/{event.id}")
    assert "https://meet.example/geheim" in confirmed_page.text


async def test_programme_refuses_months_outside_the_calendar_in_german(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await factories.event(db)
    for query, message in (
        ("month=2027-01%0A", "Bitte wählen Sie einen Monat (JJJJ-MM)."),
        ("month=2027-01%0A%0A", "Bitte wählen Sie einen Monat (JJJJ-MM)."),
        ("month=%D9%A2%D9%A0%D9%A2%D9%A7-01", "Bitte wählen Sie einen Monat (JJJJ-MM)."),
        ("month=0000-01", "Bitte wählen Sie einen Monat zwischen 2000 und 2100."),
        ("month=1999-12", "Bitte wählen Sie einen Monat zwischen 2000 und 2100."),
        ("month=9999-12", "Bitte wählen Sie einen Monat zwischen 2000 und 2100."),
    ):
        response = await client.get("/?" + query)
        assert response.status_code == 400, query
        assert message in response.text, query
    assert (await client.get("/?month=2100-12")).status_code == 200


async def test_workshop_under_a_draft_conference_stays_hidden(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    draft = await factories.event(db, kind="conference", status="draft", title="Geheimtagung")
    workshop = await factories.event(db, kind="workshop", parent_id=draft.id, title="Werkstatt")
    url = f"/veranstaltungen/{workshop.id}"
    response = await client.get(url)
    assert response.status_code == 404 and "Geheimtagung" not in response.text
    await sign_in(client, app, "person@amt.example")
    response = await client.get(url)
    assert response.status_code == 404 and "Geheimtagung" not in response.text
    await client.post("/abmelden", data={"csrf_token": csrf_token(response.text)})
    await sign_in(client, app, "orga@amt.example")
    response = await client.get(url)
    assert response.status_code == 200 and "Geheimtagung" in response.text


async def test_programme_pages_with_a_plain_link_and_keeps_the_filters(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    for d in range(1, 26):
        await factories.event(db, title=f"Training {d:02}", starts_in=timedelta(days=d))
    await factories.event(db, title="Treffen", kind="network_meeting")

    first = await client.get("/?kind=training")
    assert first.status_code == 200
    assert "25 Veranstaltungen" in first.text
    assert first.text.count('class="card"') == 20
    link = re.search(r'<a class="button button-secondary" href="([^"]+)" rel="next">', first.text)
    assert link is not None and "kind=training" in link[1]

    second = await client.get(html.unescape(link[1]))
    assert second.status_code == 200
    assert second.text.count('class="card"') == 5
    assert titles(second.text, "Training 21", "Training 25", "Training 01", "Treffen") == {
        "Training 21",
        "Training 25",
    }
    assert 'rel="next"' not in second.text
    assert 'href="/?kind=training">Zum Anfang der Liste' in second.text


async def test_the_monthly_series_collapses_into_one_card_with_a_link_to_every_date(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    series = Series(
        title="Frag doch mal das Netzwerk",
        rrule="FREQ=MONTHLY",
        first_starts_at=NOW + timedelta(days=3),
        duration_minutes=60,
    )
    db.add(series)
    await db.commit()
    for n in range(12):
        await factories.event(
            db, kind="online_qa", title=f"Sprechstunde {n}", series_id=series.id,
            starts_in=timedelta(days=3 + 30 * n),
        )  # fmt: skip

    page = await client.get("/")
    assert page.text.count('class="card"') == 1
    assert "Nächster Termin:" in page.text
    assert f'href="/?series={series.id}">Alle 12 Termine' in page.text

    every_date = await client.get(f"/?series={series.id}")
    assert every_date.text.count('class="card"') == 12
    assert "Frag doch mal das Netzwerk" in every_date.text
    assert f'name="series" value="{series.id}"' in every_date.text


async def test_programme_refuses_a_broken_page_link_in_german(client: httpx.AsyncClient) -> None:
    page = await client.get("/?cursor=kaputt")
    assert page.status_code == 422
    assert "Dieser Blätter-Verweis ist ungültig." in page.text


@pytest.mark.parametrize("series", ["999999", "abc", "0", "", "1e3", "99999999999999999999"])
async def test_programme_for_an_unknown_series_is_a_404(
    client: httpx.AsyncClient, series: str
) -> None:
    page = await client.get(f"/?series={series}")
    assert page.status_code == 404
    assert "Diese Veranstaltungsreihe gibt es nicht." in page.text


async def test_parallel_workshops_are_shown_as_one_slot(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    conference = await factories.event(db, kind="conference", capacity=100)
    for _ in range(3):
        await factories.event(db, kind="workshop", parent_id=conference.id)
    page = await client.get(f"/veranstaltungen/{conference.id}")
    assert page.status_code == 200
    assert "3 Workshops parallel, Sie wählen einen" in page.text
    assert page.text.count('class="slot-title"') == 1
