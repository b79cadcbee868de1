"""The statements a page sends do not grow with the data: counted on a small world that has
one of everything the pages show, then again after it grew tenfold (events, a series,
workshops, bookings, a waiting list). A query per row makes the second count larger."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import services
from booking.members.models import Member
from courses.models import Event, EventSector, Series
from tests import factories
from tests.api import token_of
from tests.factories import NOW
from tests.web import sign_in
from venues.models import Venue

pytestmark = pytest.mark.usefixtures("frozen_time")


@contextmanager
def counting(app: Starlette) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = app.state.app.engine.sync_engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
async def organiser_client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def grow(db: AsyncSession, member: Member, event: Event, factor: int) -> None:
    """More of everything the pages show: events with sectors and venues, a monthly series,
    a conference with workshops, the member's bookings and a long waiting list."""
    venue = Venue(
        name=f"Haus {factor}", street="Weg 1", postcode="48143", city="Münster", region="Münster"
    )  # a venue's name is unique in its city
    series = Series(
        title="Frag doch mal das Netzwerk",
        rrule="FREQ=MONTHLY",
        first_starts_at=NOW,
        duration_minutes=60,
    )
    db.add_all([venue, series])
    await db.commit()
    for n in range(factor):
        kind = ("training", "network_meeting", "webinar")[n % 3]
        grown = await factories.event(
            db, kind=kind, capacity=1, venue_id=venue.id, starts_in=timedelta(days=3 + n), days=2
        )
        grown.sectors = [EventSector(sector=s) for s in ("polizei", "verwaltung")]
        await factories.event(
            db, kind="online_qa", series_id=series.id, starts_in=timedelta(days=2 + 30 * n)
        )
        await services.book(db, event_id=grown.id, member_id=member.id, now=NOW)
    conference = await factories.event(db, kind="conference", capacity=100)
    for _ in range(3):
        await factories.event(db, kind="workshop", parent_id=conference.id)
    org = await factories.organisation(db)
    for _ in range(factor):
        person = await factories.member(db, org)
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await db.commit()


async def test_page_statements_do_not_grow_with_the_data(
    app: Starlette,
    client: httpx.AsyncClient,
    organiser_client: httpx.AsyncClient,
    db: AsyncSession,
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    member = await factories.member(db, org, email="person@amt.example")
    organiser = await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db, capacity=2)
    await factories.event(db, kind="webinar")
    await services.book(db, event_id=event.id, member_id=member.id, now=NOW)
    await sign_in(client, app, "person@amt.example")
    await sign_in(organiser_client, app, "orga@amt.example")
    member_token = await token_of(db, member)
    organiser_token = await token_of(db, organiser)

    pages = {
        "programme": (client, "/", {}),
        "programme, trainings in Münster": (client, "/?kind=training&region=Münster", {}),
        "programme, free seats": (client, "/?free_only=y", {}),
        "API list": (client, "/api/v1/events", {}),
        "API list, trainings by two": (client, "/api/v1/events?kind=training&limit=2", {}),
        "Meine Buchungen": (client, "/meine-buchungen", {}),
        "API, my bookings": (client, "/api/v1/me/bookings?limit=5", member_token),
        "event page": (client, f"/veranstaltungen/{event.id}", {}),
        "participants": (organiser_client, f"/verwaltung/veranstaltungen/{event.id}", {}),
        "waiting list": (
            organiser_client,
            f"/verwaltung/veranstaltungen/{event.id}?liste=warteliste",
            {},
        ),
        "API, an event's bookings": (
            client,
            f"/api/v1/events/{event.id}/bookings?limit=5",
            organiser_token,
        ),
    }

    async def measure() -> dict[str, int]:
        counts = {}
        for name, (who, url, headers) in pages.items():
            with counting(app) as statements:
                response = await who.get(url, headers=headers)
            assert response.status_code == 200, (name, response.text)
            counts[name] = len(statements)
        return counts

    await grow(db, member, event, factor=3)
    await measure()  # once, for what a first visit does (a flash message shown and dropped)
    small = await measure()
    await grow(db, member, event, factor=30)
    large = await measure()
    assert large == small
