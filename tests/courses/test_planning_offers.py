"""The back office and offers with a deadline: the event form's working days (set, refused
with the message beside the field, lifted), and the event's page listing the open offers
with their deadlines."""

from __future__ import annotations

import html

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import services
from booking.bookings.models import Booking
from booking.core.formatting import datetime_de
from courses import messages
from courses.models import Event
from tests import factories
from tests.factories import NOW
from tests.web import post_form, sign_in

NEW = "/verwaltung/veranstaltungen/neu"
FORM = {
    "kind": "training", "title": "BIUS II: Vertiefung", "capacity": "12",
    "sessions-0-day": "12.03.2030", "sessions-0-starts": "8:30", "sessions-0-ends": "16:30",
}  # fmt: skip


async def offer_days(db: AsyncSession, event_id: int) -> int | None:
    await db.commit()
    return await db.scalar(
        select(Event.offer_working_days)
        .where(Event.id == event_id)
        .execution_options(populate_existing=True)
    )


async def test_the_event_form_sets_and_lifts_the_working_days(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    await sign_in(client, app, organiser.email)
    page = await client.get(NEW)
    assert "Frei gewordene Plätze anbieten" in page.text

    for wrong in ("0", "11", "drei", "-2"):
        refused = await post_form(client, NEW, NEW, {**FORM, "offer_working_days": wrong})
        assert refused.status_code == 422, wrong
        assert 'id="offer_working_days-error"' in refused.text
        assert 'href="#offer_working_days"' in refused.text  # in the summary too
    created = await post_form(
        client, NEW, NEW, {**FORM, "offer_working_days": "3", "aktion": "veroeffentlichen"}
    )
    assert created.status_code == 303
    event_id = int(created.headers["location"].rsplit("/", 1)[1])
    assert await offer_days(db, event_id) == 3

    edit = f"/verwaltung/veranstaltungen/{event_id}/bearbeiten"
    page = await client.get(edit)
    assert 'name="offer_working_days" type="number" value="3"' in page.text
    refused = await post_form(client, edit, edit, {"title": "BIUS II", "offer_working_days": "12"})
    assert refused.status_code == 422
    assert html.escape(messages.OFFER_WORKING_DAYS, quote=False) in refused.text
    assert await offer_days(db, event_id) == 3
    lifted = await post_form(client, edit, edit, {"title": "BIUS II", "offer_working_days": ""})
    assert lifted.status_code == 303
    assert await offer_days(db, event_id) is None


async def test_the_event_page_lists_open_offers_with_their_deadline(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db, capacity=1, offer_working_days=2)
    people = [await factories.member(db) for _ in range(3)]
    ids = [
        (await services.book(db, event_id=event.id, member_id=p.id, now=NOW)).booking.id
        for p in people
    ]
    await services.cancel(db, booking_id=ids[0], actor=people[0], now=NOW)
    deadline = await db.scalar(select(Booking.offer_expires_at).where(Booking.id == ids[1]))
    assert deadline is not None
    await sign_in(client, app, organiser.email)

    page = await client.get(f"/verwaltung/veranstaltungen/{event.id}")
    assert 'Angebote <span class="count">(1)</span>' in page.text
    assert "1 von 1 Plätzen belegt (davon 1 angeboten)" in page.text
    assert "Nachrücken per Angebot: 2 Arbeitstagen Frist" in page.text
    offers = await client.get(f"/verwaltung/veranstaltungen/{event.id}?liste=angebote")
    assert people[1].email in offers.text and people[2].email not in offers.text
    assert f"anzunehmen bis {datetime_de(deadline)}" in offers.text
    cancelled = await client.get(f"/verwaltung/veranstaltungen/{event.id}?liste=storniert")
    assert people[0].email in cancelled.text

    await db.commit()
    plain = await factories.event(db, capacity=1)
    page = await client.get(f"/verwaltung/veranstaltungen/{plain.id}")
    assert "Angebote" not in page.text
