"""The draw on the pages: the member's event page (a request, how many asked, the draw's
date and commitment), the organisers' protocol with its export, and the event form."""

from __future__ import annotations

import csv
import io

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import draw, draw_record, services
from courses import messages
from tests import factories
from tests.booking.bookings.test_draw import AFTER, DEADLINE, draw_event
from tests.factories import NOW
from tests.web import post_form, sign_in


async def test_the_member_requests_a_seat_and_sees_the_counts(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    event = await draw_event(db)
    for person in [await factories.member(db, org), await factories.member(db)]:
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await sign_in(client, app, "p@amt.example")
    url = f"/veranstaltungen/{event.id}"
    page = await client.get(url)
    assert "Platzvergabe per Los" in page.text and "Teilnahme anfragen" in page.text
    assert "Anfragen bisher</dt><dd>2, davon 1 aus Ihrer Organisation" in page.text
    commitment = draw.commitment(draw.seed_of(event.id, DEADLINE, "ab" * 32))
    assert commitment in page.text
    assert draw.seed_of(event.id, DEADLINE, "ab" * 32) not in page.text

    response = await post_form(client, url, f"{url}/buchen")
    assert response.status_code == 303
    page = await client.get(url)
    assert "Nach dem Anmeldeschluss werden die Plätze verlost" in page.text
    status = page.text.split("Ihr Status:", 1)[1].split("</p>", 1)[0]
    assert "nimmt an der Platzvergabe teil" in status and "Freigabe" not in status
    assert "Ihre Anfrage nimmt an der Platzvergabe am " in page.text
    assert "3, davon 2 aus Ihrer Organisation" in page.text
    assert "Anfrage zurückziehen" in page.text
    mine = await client.get("/meine-buchungen")
    assert "nimmt an der Platzvergabe teil" in mine.text


async def test_a_release_event_still_says_it_waits_for_the_release(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    event = await factories.event(db, requires_release=True)
    await sign_in(client, app, "p@amt.example")
    url = f"/veranstaltungen/{event.id}"
    await post_form(client, url, f"{url}/buchen")
    page = await client.get(url)
    assert "wartet auf Freigabe" in page.text and "Platzvergabe" not in page.text


async def test_the_protocol_is_for_organisers_with_its_export(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    event = await draw_event(db, capacity=1)
    people = [await factories.member(db) for _ in range(3)]
    for person in people:
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    organiser = await factories.member(db, role="organiser")
    url = f"/verwaltung/veranstaltungen/{event.id}/platzvergabe"
    await sign_in(client, app, people[0].email)
    assert (await client.get(url)).status_code == 403
    assert (await client.get(url + ".csv")).status_code == 403

    await sign_in(client, app, organiser.email)
    pending = await client.get(url)
    assert pending.status_code == 200 and "Noch nicht gelost" in pending.text
    assert "Bisher 3 Anfrage(n)" in pending.text
    assert (await client.get(url + ".csv")).status_code == 409
    manage = await client.get(f"/verwaltung/veranstaltungen/{event.id}")
    assert url in manage.text

    await draw.run_draw(db, event.id, AFTER)
    await db.commit()
    drawn = await client.get(url)
    assert drawn.status_code == 200
    stored = await draw_record.stored_draw(db, event.id)
    assert stored is not None and stored.seed in drawn.text
    assert drawn.text.count("<tr>") == 4  # the header and three requests
    assert "Warteliste 2" in drawn.text and "sid draw verify" in drawn.text
    exported = await client.get(url + ".csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Verfahren", "Seed", "Rang", "Buchung"]
    assert [r[2] for r in rows[1:]] == ["1", "2", "3"]
    assert {r[1] for r in rows[1:]} == {stored.seed}
    assert (await client.get(url + ".xlsx")).status_code == 200
    assert (await client.get(url + "?cursor=kaputt")).status_code == 422
    assert (await client.get("/verwaltung/veranstaltungen/999999/platzvergabe")).status_code == 404


async def test_the_event_form_takes_the_allocation(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    await sign_in(client, app, organiser.email)
    new = "/verwaltung/veranstaltungen/neu"
    page = await client.get(new)
    assert 'name="allocation"' in page.text and "Per Los nach dem Anmeldeschluss" in page.text
    data = {
        "kind": "training", "title": "BIUS I: Grundlagen", "capacity": "14",
        "sessions-0-day": "12.03.2030", "sessions-0-starts": "8:30", "sessions-0-ends": "16:30",
        "allocation": "draw",
    }  # fmt: skip
    refused = await post_form(client, new, new, data)
    assert refused.status_code in (400, 422)
    assert messages.DRAW_NEEDS_DEADLINE in refused.text
    assert 'id="deadline_day-error"' in refused.text
    hostile = await post_form(client, new, new, {**data, "allocation": "lottery\x00"})
    assert hostile.status_code in (400, 422) and "Keine gültige Auswahl" in hostile.text
    made = await post_form(client, new, new, {**data, "deadline_day": "26.02.2030"})
    assert made.status_code == 303, made.text
    page = await client.get(made.headers["location"])
    assert "Platzvergabe per Los" in page.text
    edit = made.headers["location"] + "/bearbeiten"
    form = await client.get(edit)
    assert '<option selected value="draw">' in form.text or 'value="draw" selected' in form.text
