"""Every route of the app, probed with hostile input, on every database.

The routes are read from the app itself (``app.routes``, into every ``Mount``), so that a
route added later is probed too. The demo's pages are crawled as the organiser and as a plain
member for links (concrete paths, query parameters) and forms (fields with their entries);
the API's bodies and query parameters come from its OpenAPI document. Each route then gets
NUL bytes and other control characters, 100 000 characters, text where numbers belong,
negative and huge numbers, impossible dates and times, emoji and right-to-left text, repeated,
missing and unknown fields, empty bodies, bodies that are no JSON object, and such values in
its path parameters (the parts in tests/hostile/). At the end the pages are crawled again:
what hostile text was accepted must show on pages, PDFs and spreadsheets as well.

Whatever comes in, the answer is never a 5xx; a refusal is a 4xx with a German message (a
page with an alert for people, ``{"error", "message"}`` for the API); after a refused write
every table holds as many rows as before; and on SQLite no NUL byte is stored (PostgreSQL
refuses them: there that is a 500). All findings of a run are reported together, each with
the route, the payloads and the server's traceback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from booking import api
from booking.app import create_app
from booking.core.db import session_factory, utcnow
from booking.demo import ORGANISER_EMAIL, load_demo
from tests import conftest
from tests.hostile import web
from tests.hostile.api import PREFIX, api_headers, api_route
from tests.hostile.probe import Actor, Probe, Site
from tests.hostile.routes import app_routes
from tests.web import sign_in

MEMBER_EMAIL = "jana.schulte@stadt-muenster.example"  # demo: a member without any role
NEWCOMER_EMAIL = "neu@beispiel-behoerde.example"  # an unknown domain: waits for approval


@pytest.fixture
async def demo_app(database_url: str, tmp_path: Path) -> AsyncIterator[Starlette]:
    engine = await conftest.prepared_engine(database_url)
    async with session_factory(engine)() as session:
        assert await load_demo(session, utcnow())
    await engine.dispose()
    application = create_app(conftest.test_settings(database_url, tmp_path))
    yield application
    await application.state.app.engine.dispose()


async def test_no_route_answers_hostile_input_with_5xx_or_half_written_state(
    demo_app: Starlette, database_url: str
) -> None:
    probe = Probe(demo_app, MEMBER_EMAIL)
    logger = logging.getLogger("booking")
    logger.addHandler(probe.errors)
    started = time.monotonic()
    organiser = Actor("organiser", ORGANISER_EMAIL, probe.client())
    member = Actor("member", MEMBER_EMAIL, probe.client())
    try:
        for actor in (organiser, member):
            await probe.sign_in(actor)
        async with probe.client() as newcomer:  # so that the approvals have someone waiting
            await sign_in(newcomer, demo_app, NEWCOMER_EMAIL)
        sites = {"organiser": Site(), "member": Site()}
        await probe.crawl(organiser, sites["organiser"])
        await probe.crawl(member, sites["member"])
        crawled = time.monotonic()
        document = (await organiser.client.get(f"{PREFIX}/openapi.json")).json()
        for route in probe.routes:
            for method in route.methods:
                if route.is_api:
                    await api_route(probe, route, method, document, organiser, member)
                elif method == "GET":
                    await web.get_route(probe, route, organiser, member, sites["organiser"])
                else:
                    await web.post_route(probe, route, method, organiser, member, sites)
            if route.params:
                await web.path_params(probe, route, organiser, sites.values())
            if route.is_api:
                await api_headers(probe, route, organiser)
        probed = time.monotonic()
        known = {url for site in sites.values() for urls in site.urls.values() for url in urls}
        await probe.crawl(organiser, Site(), prefer_new=known)
        await probe.crawl(member, Site(), prefer_new=known)
    finally:
        logger.removeHandler(probe.errors)
        for actor in (organiser, member):
            await actor.client.aclose()
    print(
        f"\n{database_url.partition(':')[0]}: {len(probe.routes)} routes,"
        f" {probe.requests} requests; crawl {crawled - started:.0f} s,"
        f" probe {probed - crawled:.0f} s, crawl again {time.monotonic() - probed:.0f} s"
    )
    assert not probe.findings, probe.report()


async def test_the_probe_finds_every_route(sqlite_url: str, tmp_path: Path) -> None:
    """The probe reads the routes from the app: the API under its mount, the pages, the
    static files; a kind of route it does not know fails the probe instead of being skipped."""
    app = create_app(conftest.test_settings(sqlite_url, tmp_path))
    await app.state.app.engine.dispose()
    routes = {r.template: r for r in app_routes(list(app.routes))}
    assert routes[f"{PREFIX}/events/{{id:id}}"].methods == ("GET", "PATCH")
    assert routes[f"{PREFIX}/events/{{id:id}}"].params == (("id", "id"),)
    assert routes["/static/{path:path}"].methods == ("GET",)
    assert routes["/anmelden"].methods == ("GET", "POST")
    assert {f"{PREFIX}{r.path}" for r in api.routes if isinstance(r, Route)} <= routes.keys()
