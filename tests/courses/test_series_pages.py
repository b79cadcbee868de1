"""The series pages: the planner with its preview, a series' dates, changing a date and
every later one, extending the series; organisers only, refusals in German."""

from __future__ import annotations

import html
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import services
from booking.core.formatting import BERLIN, day_input
from booking.mail.models import OutboxMessage
from courses import messages
from courses.models import Event, EventSession, Series
from tests import factories
from tests.factories import NOW
from tests.web import post_form, sign_in
from venues.models import OnlineRoom

NEW = "/verwaltung/reihen/neu"


def planner(**changes: str) -> dict[str, str]:
    first = (NOW + timedelta(days=10)).astimezone(BERLIN)
    data = {
        "kind": "online_qa", "title": "Frag doch mal das Netzwerk", "capacity": "300",
        "rhythm": "M1", "week_of_month": "1", "weekday": "2",
        "first_day": day_input(first), "starts": "17:00", "ends": "18:30", "count": "6",
        "reminder_days": "1",
    }  # fmt: skip
    data.update(changes)
    return data


async def counts(db: AsyncSession) -> tuple[int | None, ...]:
    await db.commit()
    tables = (Series, Event, EventSession, OutboxMessage)
    return tuple([await db.scalar(select(func.count()).select_from(t)) for t in tables])


async def test_the_planner_previews_the_dates_and_saves_nothing_until_asked(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    await sign_in(client, app, (await factories.member(db)).email)
    assert (await client.get(NEW)).status_code == 403
    await sign_in(client, app, organiser.email)
    home = await client.get("/verwaltung")
    assert 'href="/verwaltung/reihen/neu"' in home.text
    page = await client.get(NEW)
    assert page.status_code == 200 and 'value="17:00"' in page.text
    before = await counts(db)

    preview = await post_form(client, NEW, NEW, {**planner(), "aktion": "vorschau"})

    assert preview.status_code == 200
    assert "Vorschau: 6 Termine" in preview.text
    assert preview.text.count("17:00–18:30 Uhr</li>") == 6
    assert "Mi., " in preview.text
    assert await counts(db) == before

    saved = await post_form(client, NEW, NEW, {**planner(), "aktion": "veroeffentlichen"})
    assert saved.status_code == 303
    series_url = saved.headers["location"]
    assert await counts(db) == (1, 6, 6, before[3])
    shown = await client.get(series_url)
    assert shown.status_code == 200
    assert "monatlich am ersten Mittwoch, 17:00–18:30 Uhr" in shown.text
    assert shown.text.count("Diesen und alle folgenden ändern<") == 6
    assert "mit 6 Terminen angelegt und veröffentlicht" in shown.text


async def test_hostile_planner_input_is_refused_in_german_and_writes_nothing(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    await sign_in(client, app, organiser.email)
    before = await counts(db)
    for wrong, message in (
        ({"count": "0"}, messages.SERIES_COUNT.format(most=60)),
        ({"count": "10000"}, messages.SERIES_COUNT.format(most=60)),
        ({"count": "", "until": ""}, messages.SERIES_COUNT_OR_UNTIL),
        ({"count": "", "until": "1.1.2001"}, messages.SERIES_UNTIL_ORDER),
        ({"count": "", "until": "31.12.2099"}, "mehr als 60 Termine"),
        ({"ends": "16:00"}, messages.SESSION_ORDER),
        ({"ends": "25:00"}, messages.CLOCK_FORMAT),
        ({"weekday": "7"}, "Keine gültige Auswahl"),
        ({"weekday": "-1"}, "Keine gültige Auswahl"),
        ({"week_of_month": "5"}, "Keine gültige Auswahl"),
        ({"rhythm": "D1"}, "Keine gültige Auswahl"),
        ({"kind": "workshop"}, "Keine gültige Auswahl"),
        ({"first_day": "31.02.2030"}, messages.DAY_FORMAT),
        ({"first_day": "1.1.2020"}, messages.SERIES_IN_PAST),
        ({"title": "Frag\x00doch"}, messages.CONTROL_CHARS),
        ({"summary": "Kurz\x00"}, messages.CONTROL_CHARS),
        ({"starts": "17\x00:00"}, messages.CLOCK_FORMAT),
        ({"online_room": "999999"}, "Keine gültige Auswahl"),
        ({"capacity": "-1"}, "Bitte eine ganze Zahl zwischen 0 und 100000."),
    ):
        for action in ("vorschau", "veroeffentlichen"):
            refused = await post_form(client, NEW, NEW, {**planner(**wrong), "aktion": action})
            assert refused.status_code == 422, (wrong, action)
            assert html.escape(message, quote=False) in refused.text, (wrong, action)
            assert "Bitte korrigieren Sie" in refused.text
    forged = await client.post(NEW, data={**planner(), "aktion": "entwurf", "csrf_token": "x"})
    assert forged.status_code == 400
    assert await counts(db) == before


async def test_a_series_date_and_every_later_one_move_and_their_people_are_mailed(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    room = OnlineRoom(name="Zweiter Raum", meeting_url="https://konferenz.example/zwei")
    db.add(room)
    await db.commit()
    await sign_in(client, app, organiser.email)
    saved = await post_form(client, NEW, NEW, {**planner(count="3"), "aktion": "veroeffentlichen"})
    series_url = saved.headers["location"]
    series_id = int(series_url.rsplit("/", 1)[1])
    events = list(
        await db.scalars(select(Event).where(Event.series_id == series_id).order_by(Event.id))
    )
    people = [await factories.member(db) for _ in events]
    for event, person in zip(events, people, strict=True):
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    before = await db.scalar(select(func.max(OutboxMessage.id)))

    url = f"{series_url}/ab/{events[1].id}"
    form = await client.get(url)
    assert form.status_code == 200 and 'value="17:00"' in form.text
    refused = await post_form(client, url, url, {"starts": "18:00", "ends": "17:00"})
    assert refused.status_code == 422 and messages.SESSION_ORDER in refused.text
    moved = await post_form(
        client, url, url, {"starts": "18:00", "ends": "19:00", "online_room": str(room.id)}
    )
    assert moved.status_code == 303

    await db.commit()
    mails = list(
        await db.scalars(
            select(OutboxMessage).where(OutboxMessage.id > (before or 0)).order_by(OutboxMessage.id)
        )
    )
    assert [m.recipient for m in mails] == [people[1].email, people[2].email]
    assert {m.context["sequence"] for m in mails} == {1}
    page = await client.get(series_url)
    assert "2 Termin(e) geändert" in page.text
    assert page.text.count("17:00–18:30 Uhr</a>") == 1
    assert page.text.count("18:00–19:00 Uhr</a>") == 2
    await db.commit()
    other = await factories.event(db)
    assert (await client.get(f"{series_url}/ab/{other.id}")).status_code == 404
    assert (await client.get("/verwaltung/reihen/999999")).status_code == 404


async def test_a_series_is_extended_by_its_rule(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    await sign_in(client, app, organiser.email)
    saved = await post_form(client, NEW, NEW, {**planner(count="2"), "aktion": "entwurf"})
    series_url = saved.headers["location"]
    extend = f"{series_url}/verlaengern"
    for wrong in ("0", "61", "", "x"):
        refused = await post_form(client, series_url, extend, {"count": wrong})
        assert refused.status_code == 422, wrong
    assert (await counts(db))[1] == 2
    added = await post_form(client, series_url, extend, {"count": "3", "aktion": "entwurf"})
    assert added.status_code == 303
    page = await client.get(series_url)
    assert "5 Termine" in page.text and page.text.count("Entwurf</td>") == 5
    await db.commit()
    await sign_in(client, app, (await factories.member(db)).email)
    assert (await client.get(series_url)).status_code == 403
