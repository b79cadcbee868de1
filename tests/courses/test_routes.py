from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import services
from booking.bookings.models import Booking
from booking.core.formatting import BERLIN, range_de
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


async def test_organiser_raises_capacity_and_waiting_move_up(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db, capacity=1)
    people = [await factories.member(db, org) for _ in range(3)]
    for p in people:
        await services.book(db, event_id=event.id, member_id=p.id, now=NOW)
    await sign_in(client, app, "orga@amt.example")
    page = await client.get(f"/verwaltung/veranstaltungen/{event.id}")
    assert page.status_code == 200
    assert all(p.email in page.text for p in people)
    response = await client.post(
        f"/verwaltung/veranstaltungen/{event.id}",
        data={"csrf_token": csrf_token(page.text), "capacity": "2", "seats_per_organisation": ""},
    )
    assert response.status_code == 303
    rows = await db.execute(
        select(Booking.status).where(Booking.event_id == event.id).order_by(Booking.id)
    )
    assert [s for (s,) in rows] == ["confirmed", "confirmed", "waiting"]


async def test_capacity_form_rejects_bad_input(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db, capacity=5)
    await sign_in(client, app, "orga@amt.example")
    url = f"/verwaltung/veranstaltungen/{event.id}"
    for value in ("", "-1", "abc", "1e9", "100001", "9" * 40):
        response = await post_form(client, url, url, {"capacity": value})
        assert response.status_code == 422, value
        assert "Bitte korrigieren Sie" in response.text
    no_csrf = await client.post(url, data={"capacity": "9"})
    assert no_csrf.status_code == 400
    await db.commit()
    await db.refresh(event)
    assert event.capacity == 5


async def test_members_cannot_manage_events(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    event = await factories.event(db, capacity=5)
    await sign_in(client, app, "person@amt.example")
    url = f"/verwaltung/veranstaltungen/{event.id}"
    assert (await client.get(url)).status_code == 403
    assert (await post_form(client, "/meine-buchungen", url, {"capacity": "50"})).status_code == 403
    assert await db.scalar(select(func.count()).select_from(Booking)) == 0
    await db.commit()
    await db.refresh(event)
    assert event.capacity == 5


async def test_organiser_moves_a_session_and_cancels_the_event(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    from booking.mail.models import OutboxMessage

    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db, capacity=5)
    person = await factories.member(db, org)
    await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await sign_in(client, app, "orga@amt.example")
    url = f"/verwaltung/veranstaltungen/{event.id}/termine/{event.sessions[0].id}"
    bad = await post_form(
        client, url, url, {"day": "2030-02-30", "starts": "09:00", "ends": "16:00"}
    )
    assert bad.status_code == 422 and "Dieses Datum gibt es nicht" in bad.text
    backwards = await post_form(
        client, url, url, {"day": "2030-03-12", "starts": "16:00", "ends": "09:00"}
    )
    assert backwards.status_code == 422 and "Ein Termin muss nach seinem Beginn enden" in (
        backwards.text
    )
    moved = await post_form(
        client, url, url, {"day": "2030-03-12", "starts": "09:00", "ends": "16:00"}
    )
    assert moved.status_code == 303
    page = await client.get(f"/veranstaltungen/{event.id}")
    assert "Di., 12.03.2030, 09:00–16:00 Uhr" in page.text
    cancel_url = f"/verwaltung/veranstaltungen/{event.id}/absagen"
    response = await post_form(client, cancel_url, cancel_url, {"reason": "Erkrankung"})
    assert response.status_code == 303
    assert "wurde abgesagt" in (await client.get(f"/veranstaltungen/{event.id}")).text
    await db.commit()
    templates = [
        t
        for (t,) in await db.execute(
            select(OutboxMessage.template)
            .where(OutboxMessage.recipient == person.email)
            .order_by(OutboxMessage.id)
        )
    ]
    assert templates == ["booking_confirmed", "event_changed", "event_cancelled"]
    other_url = f"/verwaltung/veranstaltungen/{event.id}/termine/999999"
    assert (await client.get(other_url)).status_code == 404


async def test_cancel_event_form_refuses_oversized_reason(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db)
    await sign_in(client, app, "orga@amt.example")
    url = f"/verwaltung/veranstaltungen/{event.id}/absagen"
    response = await post_form(client, url, url, {"reason": "x" * 1001})
    assert response.status_code == 422
    assert "Höchstens 1000 Zeichen" in response.text
    assert (await client.post(url, data={"reason": "ok"})).status_code == 400
    await db.commit()
    await db.refresh(event)
    assert event.status == "published"


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


async def test_move_form_keeps_dates_within_2000_to_2100(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db)
    before = (event.sessions[0].starts_at, event.sessions[0].ends_at)
    await sign_in(client, app, "orga@amt.example")
    url = f"/verwaltung/veranstaltungen/{event.id}/termine/{event.sessions[0].id}"
    for day, starts, message in (
        ("0001-01-01", "00:30", "Bitte geben Sie ein Datum zwischen 2000 und 2100 an."),
        ("1999-12-31", "00:30", "Bitte geben Sie ein Datum zwischen 2000 und 2100 an."),
        ("2101-01-01", "00:30", "Bitte geben Sie ein Datum zwischen 2000 und 2100 an."),
        ("9999-12-31", "23:30", "Bitte geben Sie ein Datum zwischen 2000 und 2100 an."),
        ("2030-01-01\n", "00:30", "Bitte als Datum angeben (JJJJ-MM-TT)."),
        ("2030-01-01", "00:30\n", "Bitte als Uhrzeit angeben (HH:MM)."),
    ):
        data = {"day": day, "starts": starts, "ends": "23:45"}
        response = await post_form(client, url, url, data)
        assert response.status_code == 422, day
        assert message in response.text, day
    await db.commit()
    await db.refresh(event, ["sessions"])
    assert (event.sessions[0].starts_at, event.sessions[0].ends_at) == before


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
