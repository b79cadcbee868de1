"""The count of requests in flight, which background work gives way to."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Receive, Scope, Send

from booking.core.middleware import CountRequests, InFlight
from tests import factories


def counted_app(in_flight: InFlight, release: asyncio.Event) -> CountRequests:
    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return CountRequests(slow, in_flight)


async def test_quiet_returns_at_once_without_requests() -> None:
    started = time.monotonic()
    await InFlight().quiet(5)
    assert time.monotonic() - started < 0.5


async def test_quiet_waits_for_the_requests_in_flight() -> None:
    in_flight, release = InFlight(), asyncio.Event()
    transport = httpx.ASGITransport(app=counted_app(in_flight, release))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        requests = [asyncio.create_task(client.get("/")) for _ in range(3)]
        await asyncio.sleep(0.05)
        assert in_flight.count == 3
        quiet = asyncio.create_task(in_flight.quiet(5))
        await asyncio.sleep(0.1)
        assert not quiet.done()
        release.set()
        await asyncio.wait_for(quiet, 1)
        assert [r.status_code for r in await asyncio.gather(*requests)] == [204] * 3
    assert in_flight.count == 0


async def test_quiet_waits_no_longer_than_asked() -> None:
    in_flight = InFlight()
    in_flight.enter()  # a request that does not end
    started = time.monotonic()
    await in_flight.quiet(0.2)
    assert 0.15 < time.monotonic() - started < 1.5


async def test_a_failing_request_still_leaves() -> None:
    in_flight = InFlight()

    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("kaputt")

    transport = httpx.ASGITransport(app=CountRequests(broken, in_flight))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        with pytest.raises(RuntimeError):
            await client.get("/")
    assert in_flight.count == 0


async def test_pages_and_api_answers_are_not_stored(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    event = await factories.event(db)
    for path in ("/", f"/veranstaltungen/{event.id}", "/anmelden", "/api/v1/events", "/nirgends"):
        response = await client.get(path)
        assert response.headers["cache-control"] == "no-store", path


async def test_static_files_and_the_public_feed_may_be_cached(client: httpx.AsyncClient) -> None:
    css = await client.get("/static/css/site.css")
    assert css.status_code == 200 and "cache-control" not in css.headers
    feed = await client.get("/programm.ics")
    assert feed.headers["cache-control"] == "public, max-age=300"


async def test_an_oversized_body_is_refused_and_not_stored(client: httpx.AsyncClient) -> None:
    response = await client.post("/anmelden", content=b"x" * 300_000)
    assert response.status_code == 413
    assert response.headers["cache-control"] == "no-store"
