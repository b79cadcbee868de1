"""``GET /api/v1/events`` a page at a time: limit, cursor, the next address in a Link header,
filters, and German refusals. Time stands still at factories.NOW."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.formatting import BERLIN
from tests import factories
from tests.api import assert_german_error, utc
from tests.factories import NOW
from venues.models import Venue

pytestmark = pytest.mark.usefixtures("frozen_time")


def next_link(response: httpx.Response) -> str | None:
    header = response.headers.get("link")
    if header is None:
        return None
    match = re.fullmatch(r'<(http://testserver/api/v1/events\?[^>]+)>; rel="next"', header)
    assert match is not None, header
    return match[1]


async def test_the_list_pages_by_start_with_the_next_address_in_a_link_header(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    events = [await factories.event(db, starts_in=timedelta(days=d)) for d in range(60, 0, -1)]
    first = await client.get("/api/v1/events")
    assert first.status_code == 200
    assert len(first.json()) == 50  # the default
    assert first.headers["x-total-count"] == "60"

    seen = []
    url: str | None = "/api/v1/events?limit=7"
    while url is not None:
        page = await client.get(url)
        assert page.status_code == 200, page.text
        assert len(page.json()) <= 7
        seen += [item["id"] for item in page.json()]
        url = next_link(page)
        assert url is None or "limit=7" in url
    assert seen == [e.id for e in reversed(events)]


async def test_filters_by_window_kind_sector_and_region(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    venue = Venue(name="Haus", street="Weg 1", postcode="50667", city="Köln", region="Köln")
    db.add(venue)
    await db.commit()
    early = await factories.event(db, starts_in=timedelta(days=2))
    webinar = await factories.event(db, kind="webinar", starts_in=timedelta(days=20))
    clinic = await factories.event(db, sectors=("gesundheit",), starts_in=timedelta(days=21))
    cologne = await factories.event(db, venue_id=venue.id, starts_in=timedelta(days=22))
    await factories.event(db, starts_in=timedelta(days=90))

    async def ids(query: dict[str, str]) -> set[int]:
        response = await client.get("/api/v1/events", params=query)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()}

    window = {"from": utc(NOW + timedelta(days=10)), "to": utc(NOW + timedelta(days=30))}
    assert await ids(window) == {webinar.id, clinic.id, cologne.id}
    assert await ids({**window, "kind": "webinar"}) == {webinar.id}
    assert await ids({**window, "sector": "schule"}) == {webinar.id, cologne.id}
    assert await ids({**window, "region": "Köln"}) == {cologne.id}
    day = (NOW + timedelta(days=5)).astimezone(BERLIN).date().isoformat()
    assert early.id not in await ids({"from": day})
    # A "+" that was not percent-encoded arrives as a space; it is understood all the same.
    plus = (NOW + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    response = await client.get(f"/api/v1/events?from={plus}")
    listed = {item["id"] for item in response.json()}
    assert {webinar.id, clinic.id, cologne.id} <= listed and early.id not in listed


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=zehn", "limit"),
        ("limit=99999999999999999999", "limit"),
        ("cursor=kaputt", "cursor"),
        ("from=morgen", "from"),
        ("from=2027-03-01T09:00:00", "from"),
        ("from=1900-01-01", "from"),
        ("to=2027-02-30", "to"),
        ("kind=party", "kind"),
        ("sector=weltraum", "sector"),
        ("region=Bayern", "region"),
        ("from=%00", "from"),
    ],
)
async def test_bad_parameters_get_a_german_422(
    client: httpx.AsyncClient, query: str, field: str
) -> None:
    body = assert_german_error(await client.get(f"/api/v1/events?{query}"), 422)
    assert field in body["fields"]


async def test_the_openapi_document_names_the_parameters_and_the_link_header(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    operation = document["paths"]["/events"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"from", "to", "kind", "sector", "region", "limit", "cursor"}
    assert {"Link", "X-Total-Count"} <= set(operation["responses"]["200"]["headers"])
    assert "422" in operation["responses"]
