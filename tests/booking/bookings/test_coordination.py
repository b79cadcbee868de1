"""The coordinators' pages: the requests to release, the organisation's bookings, declining
with a reason and handing a seat on; organisers for organisations without a coordinator."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import services
from booking.bookings.models import Booking
from booking.mail.models import OutboxMessage
from tests import factories
from tests.factories import NOW
from tests.web import csrf_token, post_form, sign_in


async def status(db: AsyncSession, booking_id: int) -> str:
    await db.commit()
    booking = await db.get(Booking, booking_id, populate_existing=True)
    assert booking is not None
    return booking.status


async def test_a_coordinator_releases_and_declines_on_the_page(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="klinik.example")
    await factories.member(db, org, role="coordinator", email="fortbildung@klinik.example")
    other = await factories.organisation(db)
    event = await factories.event(db, capacity=5, requires_release=True)
    first, second = await factories.member(db, org), await factories.member(db, org)
    outsider = await factories.member(db, other)
    asks = [
        (await services.book(db, event_id=event.id, member_id=p.id, now=NOW)).booking.id
        for p in (first, second, outsider)
    ]
    await db.commit()
    await sign_in(client, app, "fortbildung@klinik.example")

    page = await client.get("/organisation/anfragen")
    assert page.status_code == 200
    assert first.email in page.text and second.email in page.text
    assert outsider.email not in page.text
    assert "Meine Organisation" in page.text

    released = await client.post(
        f"/organisation/anfragen/{asks[0]}/freigeben", data={"csrf_token": csrf_token(page.text)}
    )
    assert released.status_code == 303
    assert await status(db, asks[0]) == "confirmed"

    decline = f"/organisation/anfragen/{asks[1]}/ablehnen"
    empty = await post_form(client, decline, decline, {"reason": ""})
    assert empty.status_code == 422 and "Bitte begründen Sie die Ablehnung." in empty.text
    nul = await post_form(client, decline, decline, {"reason": "a\x00b"})
    assert nul.status_code in (400, 422)
    assert await status(db, asks[1]) == "requested"
    done = await post_form(client, decline, decline, {"reason": "Dienstplan"})
    assert done.status_code == 303
    assert await status(db, asks[1]) == "cancelled"

    foreign = await client.post(
        f"/organisation/anfragen/{asks[2]}/freigeben", data={"csrf_token": csrf_token(page.text)}
    )
    assert foreign.status_code == 403
    assert (await client.get(f"/organisation/anfragen/{asks[2]}/ablehnen")).status_code == 403
    assert await status(db, asks[2]) == "requested"


async def test_a_coordinator_hands_a_seat_to_a_colleague(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="coordinator", email="koordination@amt.example")
    event = await factories.event(db, capacity=1)
    holder, colleague = await factories.member(db, org), await factories.member(db, org)
    stranger = await factories.member(db)
    seat = (await services.book(db, event_id=event.id, member_id=holder.id, now=NOW)).booking
    past = await factories.event(db, starts_in=timedelta(days=-3))
    former = await factories.member(db, org)
    db.add(
        Booking(event_id=past.id, member_id=former.id, organisation_id=org.id, status="confirmed")
    )
    await db.commit()
    await sign_in(client, app, "koordination@amt.example")
    listing = await client.get("/organisation/buchungen")
    assert holder.email in listing.text and "Platz übertragen" in listing.text
    assert former.email not in listing.text  # events that are over are not listed

    form = f"/organisation/buchungen/{seat.id}/uebertragen"
    refused = await post_form(client, form, form, {"email": stranger.email})
    assert refused.status_code == 422
    assert "derselben Organisation" in refused.text
    unknown = await post_form(client, form, form, {"email": "niemand@amt.example"})
    assert unknown.status_code == 422
    assert await status(db, seat.id) == "confirmed"
    done = await post_form(client, form, form, {"email": colleague.email})
    assert done.status_code == 303
    assert await status(db, seat.id) == "cancelled"
    await db.commit()
    new = await db.scalar(
        select(Booking).where(Booking.member_id == colleague.id, Booking.event_id == event.id)
    )
    assert new is not None and new.status == "confirmed"
    templates = list(await db.scalars(select(OutboxMessage.template).order_by(OutboxMessage.id)))
    assert templates[-2:] == ["booking_cancelled", "booking_confirmed"]


async def test_organisers_release_where_there_is_no_coordinator(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    coordinated = await factories.organisation(db)
    await factories.member(db, coordinated, role="coordinator")
    alone = await factories.organisation(db, domain="ohne.example")
    await factories.member(db, alone, role="organiser", email="orga@ohne.example")
    event = await factories.event(db, requires_release=True)
    theirs = await factories.member(db, coordinated)
    ours = await factories.member(db, alone)
    for person in (theirs, ours):
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await db.commit()
    await sign_in(client, app, "orga@ohne.example")
    page = await client.get("/organisation/anfragen")
    assert ours.email in page.text and theirs.email not in page.text
    everyone = await client.get("/organisation/anfragen?alle=1")
    assert ours.email in everyone.text and theirs.email in everyone.text


async def test_members_without_the_role_see_nothing(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, email="mitglied@amt.example")
    await db.commit()
    await sign_in(client, app, "mitglied@amt.example")
    assert (await client.get("/organisation/anfragen")).status_code == 403
    assert (await client.get("/organisation/buchungen")).status_code == 403
    assert "Meine Organisation" not in (await client.get("/")).text
