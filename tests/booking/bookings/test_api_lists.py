"""The bookings' lists in the API a page at a time: an event's bookings (organisers) and a
member's own, with ``limit``, ``cursor`` and the next address in a Link header."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import services
from tests import factories
from tests.api import World, assert_german_error, token_of
from tests.factories import NOW

pytestmark = pytest.mark.usefixtures("frozen_time")


async def every_page(
    client: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> tuple[list[int], set[str]]:
    ids: list[int] = []
    totals: set[str] = set()
    next_url: str | None = url
    while next_url is not None:
        page = await client.get(next_url, headers=headers)
        assert page.status_code == 200, page.text
        assert len(page.json()) <= 3
        ids += [item["id"] for item in page.json()]
        totals.add(page.headers["x-total-count"])
        link = page.headers.get("link")
        match = re.fullmatch(r'<http://testserver(/api/v1/[^>]+)>; rel="next"', link or "")
        assert link is None or match is not None, link
        next_url = match[1] if match else None
    return ids, totals


async def test_an_events_bookings_page_in_the_order_they_came(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    org = await factories.organisation(db)
    booked = [world.others_booking_id]
    for _ in range(7):
        person = await factories.member(db, org)
        result = await services.book(db, event_id=world.event.id, member_id=person.id, now=NOW)
        booked.append(result.booking.id)

    url = f"/api/v1/events/{world.event.id}/bookings?limit=3"
    ids, totals = await every_page(client, url, world.organiser_auth)
    assert ids == booked
    assert totals == {"8"}
    whole = await client.get(
        f"/api/v1/events/{world.event.id}/bookings", headers=world.organiser_auth
    )
    assert [b["id"] for b in whole.json()] == booked and "link" not in whole.headers


async def test_a_members_own_bookings_page_newest_first(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    person = await factories.member(db)
    booked = []
    for n in range(7):
        event = await factories.event(db, starts_in=timedelta(days=10 + n))
        result = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
        booked.append(result.booking.id)

    ids, totals = await every_page(
        client, "/api/v1/me/bookings?limit=3", await token_of(db, person)
    )
    assert ids == list(reversed(booked))
    assert totals == {"7"}


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=x", "cursor=kaputt"])
async def test_bad_page_parameters_get_a_german_422(
    client: httpx.AsyncClient, world: World, query: str
) -> None:
    for url, auth in (
        (f"/api/v1/events/{world.event.id}/bookings", world.organiser_auth),
        ("/api/v1/me/bookings", world.member_auth),
    ):
        assert_german_error(await client.get(f"{url}?{query}", headers=auth), 422)
