"""The organisers' pages under /verwaltung/orte and /verwaltung/online-raeume, through the
ASGI client on both databases."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from tests import factories
from tests.web import csrf_token, post_form, sign_in
from venues import messages
from venues.models import OnlineRoom, Room, Venue

BASE = "/verwaltung/orte"
ONLINE = "/verwaltung/online-raeume"
FORM: dict[str, str] = {
    "name": "Bezirksregierung Münster",
    "street": "Domplatz 1–3",
    "postal_code": "48143",
    "city": "Münster",
    "region": "Münster",
    "step_free": "y",
    "accessibility_notes": "Stufenloser Zugang über den Seiteneingang.",
}


async def as_organiser(client: httpx.AsyncClient, app: Starlette, db: AsyncSession) -> None:
    org = await factories.organisation(db, domain="pp-muenster.example")
    await factories.member(db, org, role="organiser", email="orga@pp-muenster.example")
    await sign_in(client, app, "orga@pp-muenster.example")
    await db.commit()  # a fresh snapshot: the app has written since


async def everything(db: AsyncSession) -> list[tuple[Any, ...]]:
    await db.commit()
    rows: list[tuple[Any, ...]] = []
    for model in (Venue, Room, OnlineRoom):
        rows += [tuple(r) for r in await db.execute(select(model.__table__).order_by(model.id))]
    return rows


def html_text(html: str) -> str:
    """The page's text as a reader sees it: tags dropped, entities of quotes undone."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#34;", '"')


async def test_members_get_403_everywhere(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    venue = Venue(name="Haus", street="Weg 1", postcode="48143", city="Münster", region="Münster")
    venue.rooms.append(Room(name="Saal", capacity=20))
    db.add_all([venue, OnlineRoom(name="Raum", meeting_url="https://meet.example/geheim")])
    await db.commit()
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, email="person@amt.example", role="trainer")
    await sign_in(client, app, "person@amt.example")
    token = csrf_token((await client.get("/meine-buchungen")).text)
    before = await everything(db)
    pages = [BASE, f"{BASE}/neu", f"{BASE}/{venue.id}", f"{BASE}/{venue.id}/raeume/1"]
    pages += [ONLINE, f"{ONLINE}/neu", f"{ONLINE}/1"]
    for path in pages:
        answer = await client.get(path)
        assert answer.status_code == 403, path
        assert "geheim" not in answer.text
    for path in [*pages[1:4], f"{BASE}/{venue.id}/raeume", *pages[5:]]:
        data = {**FORM, "csrf_token": token, "capacity": "5", "meeting_url": "https://x.example"}
        assert (await client.post(path, data=data)).status_code == 403, path
    assert await everything(db) == before
    assert "/verwaltung/orte" not in (await client.get("/meine-buchungen")).text


async def test_create_a_venue_add_and_change_rooms(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await as_organiser(client, app, db)
    assert 'href="/verwaltung/orte"' in (await client.get("/verwaltung")).text  # from the home
    response = await post_form(client, f"{BASE}/neu", f"{BASE}/neu", FORM)
    assert response.status_code == 303, response.text
    page_url = response.headers["location"].removesuffix("#raeume")
    page = await client.get(page_url)
    assert "Der Veranstaltungsort „Bezirksregierung Münster“ ist angelegt." in page.text
    assert "Noch kein Raum" in page.text

    response = await post_form(
        client, page_url, f"{page_url}/raeume", {"room_name": "Plenarsaal", "capacity": "90"}
    )
    assert response.status_code == 303
    response = await post_form(
        client, page_url, f"{page_url}/raeume", {"room_name": "plenarsaal", "capacity": "zehn"}
    )
    assert response.status_code == 422
    text = html_text(response.text)
    assert messages.ROOM_TAKEN.format(name="plenarsaal") in text
    assert messages.CAPACITY_RANGE in text
    assert 'value="zehn"' in response.text  # the entry is shown again

    await db.commit()
    room = await db.scalar(select(Room).where(Room.name == "Plenarsaal"))
    assert room is not None and room.capacity == 90
    room_url = f"{page_url}/raeume/{room.id}"
    room_page = await client.get(room_url)
    assert room_page.status_code == 200 and 'value="90"' in room_page.text
    response = await post_form(client, room_url, room_url, {"name": "Plenarsaal", "capacity": "85"})
    assert response.status_code == 303
    refused = await post_form(client, room_url, room_url, {"name": "", "capacity": "0"})
    assert refused.status_code == 422
    assert messages.ROOM_NAME_REQUIRED in refused.text and messages.CAPACITY_RANGE in refused.text
    other = Venue(
        name="Anderswo", street="Weg 1", postcode="48143", city="Greven", region="Münster"
    )
    await db.commit()  # a fresh snapshot: the app has written since
    db.add(other)
    await db.commit()
    assert (await client.get(f"{BASE}/{other.id}/raeume/{room.id}")).status_code == 404

    changed = await post_form(
        client,
        page_url,
        page_url,
        {**FORM, "hearing_loop": "y", "accessibility_notes": "Induktionsschleife im Saal."},
    )
    assert changed.status_code == 303
    await db.commit()
    venue = await db.scalar(select(Venue).where(Venue.name == FORM["name"]))
    assert venue is not None and (venue.step_free, venue.hearing_loop) == (True, True)
    rooms = await db.execute(select(Room.name, Room.capacity).where(Room.venue_id == venue.id))
    assert [tuple(r) for r in rooms] == [("Plenarsaal", 85)]

    listing = await client.get(BASE)
    assert listing.status_code == 200
    assert (
        "Bezirksregierung Münster" in listing.text
        and "stufenlos · Induktionsschleife" in listing.text
    )
    assert "1 (85 Plätze)" in listing.text
    assert "Anderswo" in listing.text
    found = await client.get(BASE, params={"q": "greven", "region": "Münster"})
    assert "Anderswo" in found.text and "Bezirksregierung" not in found.text
    empty = await client.get(BASE, params={"region": "Detmold"})
    assert "Zu diesen Filtern gibt es keinen Ort" in empty.text


async def test_contradicting_facts_are_explained_beside_the_fields(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await as_organiser(client, app, db)
    data = {**FORM, "accessible_toilet": "y"}
    del data["step_free"]
    response = await post_form(client, f"{BASE}/neu", f"{BASE}/neu", data)
    assert response.status_code == 422
    text = html_text(response.text)
    assert "Bitte korrigieren Sie diese 2 Angaben" in text
    assert messages.TOILET_NEEDS_STEP_FREE in text
    assert messages.NOTES_CLAIM_STEP_FREE.format(word="Stufenloser") in text
    assert 'href="#accessible_toilet"' in response.text
    assert 'id="accessible_toilet-error"' in response.text
    assert 'aria-describedby="accessible_toilet-error"' in response.text
    for rule in messages.ACCESSIBILITY_RULES:  # the rule is explained on the form
        assert rule in html_text((await client.get(f"{BASE}/neu")).text)
    assert await everything(db) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"name": "A\x00B"},
        {"name": "X" * 201},
        {"street": "Weg\x0b1"},
        {"postal_code": "4814"},
        {"postal_code": "48 143"},
        {"city": ""},
        {"region": "Berlin\x00"},
        {"region": ""},
        {"accessibility_notes": "Hinweis\x00"},
        {"accessibility_notes": "x" * 2001},
        {"csrf_token": "falsch"},
    ],
)
async def test_hostile_input_is_refused_in_german(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, changes: dict[str, str]
) -> None:
    await as_organiser(client, app, db)
    venue = Venue(name="Haus", street="Weg 1", postcode="48143", city="Münster", region="Münster")
    db.add(venue)
    await db.commit()
    before = await everything(db)
    for url in (f"{BASE}/neu", f"{BASE}/{venue.id}"):
        html = (await client.get(url)).text
        response = await client.post(url, data={"csrf_token": csrf_token(html), **FORM, **changes})
        status = 400 if "csrf_token" in changes else 422
        assert response.status_code == status, (url, changes)
        assert "Bitte korrigieren Sie" in response.text
        assert "\x00" not in response.text and "\x0b" not in response.text
        if any("\x00" in value for key, value in changes.items() if key != "region"):
            assert "\ufffd" in response.text  # shown where it was
    assert await everything(db) == before


async def test_the_list_pages_with_a_next_link(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await as_organiser(client, app, db)
    db.add_all(
        Venue(name=f"Schule {n:03}", street="Weg 1", postcode="50667", city="Köln", region="Köln")
        for n in range(60)
    )
    await db.commit()
    first = await client.get(BASE, params={"region": "Köln"})
    assert "Schule 000" in first.text and "Schule 049" in first.text
    assert "Schule 050" not in first.text
    link = re.findall(r'class="button button-secondary" href="([^"]+)">Weitere Orte', first.text)
    second = await client.get(link[0].replace("&amp;", "&"))
    assert second.status_code == 200
    assert "Schule 050" in second.text and "Schule 049" not in second.text
    assert "Zum Anfang der Liste" in second.text and "Weitere Orte</a>" not in second.text
    forged = await client.get(BASE, params={"nach": "kaputt"})
    assert forged.status_code == 400 and "Blätter-Verweis ist ungültig" in forged.text
    bad = await client.get(BASE, params={"q": "a\x00", "region": "Mars"})
    assert bad.status_code == 400 and messages.CONTROL_CHARS in bad.text


async def test_online_rooms_pages(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await as_organiser(client, app, db)
    response = await post_form(
        client,
        f"{ONLINE}/neu",
        f"{ONLINE}/neu",
        {"name": "Webinarraum", "meeting_url": "https://meet.example/webinar", "dial_in": ""},
    )
    assert response.status_code == 303
    listing = await client.get(ONLINE)
    assert "Der Online-Raum „Webinarraum“ ist angelegt." in listing.text
    assert "https://meet.example/webinar" in listing.text
    await db.commit()
    room = await db.scalar(select(OnlineRoom))
    assert room is not None
    refused = await post_form(
        client,
        f"{ONLINE}/{room.id}",
        f"{ONLINE}/{room.id}",
        {"name": "Webinarraum", "meeting_url": "http://meet.example/x", "dial_in": "\x00"},
    )
    assert refused.status_code == 422
    text = html_text(refused.text)
    assert messages.MEETING_URL_INVALID in text and messages.CONTROL_CHARS in text
    changed = await post_form(
        client,
        f"{ONLINE}/{room.id}",
        f"{ONLINE}/{room.id}",
        {"name": "Webinarraum", "meeting_url": "https://meet.example/neu", "dial_in": "0251 1"},
    )
    assert changed.status_code == 303
    await db.commit()
    await db.refresh(room)
    assert (room.meeting_url, room.dial_in) == ("https://meet.example/neu", "0251 1")
    assert (await client.get(f"{ONLINE}/999999")).status_code == 404
    bad = await client.get(ONLINE, params={"q": "x" * 201})
    assert bad.status_code == 400 and messages.SEARCH_TOO_LONG in bad.text
