"""Answers for what goes wrong outside the code: a database that cannot be reached, a client
that goes away."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message

from booking.app import create_app
from booking.core.web import db, require_member
from booking.members.models import Member
from tests import conftest, factories
from tests.concurrency.server import free_port
from tests.databases import postgres_url
from tests.web import sign_in

BUSY = "Das System ist gerade stark ausgelastet – bitte versuchen Sie es erneut."


class TcpProxy:
    """A loopback TCP proxy in front of the database, to cut and to restore."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.pumps: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._connect, "127.0.0.1", self.port)

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        for pump in list(self.pumps):
            pump.cancel()
        await asyncio.gather(*self.pumps, return_exceptions=True)
        await self.server.wait_closed()
        self.server = None

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, up_writer}
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            pump = asyncio.create_task(self._pump(source, sink))
            self.pumps.add(pump)
            pump.add_done_callback(self.pumps.discard)

    @staticmethod
    async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            finally:
                sink.close()


@contextlib.asynccontextmanager
async def client_for(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    # raise_app_exceptions (the default): an error that escaped the app, which would make
    # uvicorn log a traceback and drop the connection, fails the test.
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.app.engine.dispose()


async def assert_busy(client: httpx.AsyncClient, path: str = "/") -> None:
    page = await client.get(path)
    assert page.status_code == 503
    assert page.headers["retry-after"] == "2"
    assert BUSY in page.text and "<html" in page.text
    api = await client.get("/api/v1/events")
    assert api.status_code == 503
    assert api.headers["retry-after"] == "2"
    assert api.json() == {"error": "busy", "message": BUSY}


async def assert_works(client: httpx.AsyncClient, path: str = "/") -> None:
    assert (await client.get(path)).status_code == 200
    assert (await client.get("/api/v1/events")).status_code == 200


async def test_sqlite_file_out_of_reach_is_busy_until_it_is_back(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'not-yet' / 'test.db'}"
    app = create_app(conftest.test_settings(url, tmp_path))
    async with client_for(app) as client:
        await assert_busy(client)
        (tmp_path / "not-yet").mkdir()
        await (await conftest.prepared_engine(url)).dispose()
        await assert_works(client)


@pytest.mark.skipif(postgres_url() is None, reason="TEST_DATABASE_URL not set")
async def test_postgresql_refusing_connections_is_busy_until_it_is_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    real = postgres_url()
    assert real is not None
    engine = await conftest.prepared_engine(real)
    async with engine.connect():
        pass
    target = make_url(real)
    proxy = TcpProxy((target.host or "127.0.0.1", target.port or 5432))
    url = target.set(port=proxy.port).render_as_string(hide_password=False)
    app = create_app(conftest.test_settings(url, tmp_path))
    await proxy.start()
    try:
        async with client_for(app) as client:
            await factories.organisation(session := app.state.app.sessions(), domain="amt.example")
            await session.close()
            await sign_in(client, app, "person@amt.example")
            await assert_works(client, "/meine-buchungen")
            await proxy.cut()  # the pooled connections break, new ones are refused
            caplog.set_level(logging.WARNING)
            await assert_busy(client, "/meine-buchungen")
            assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
            await proxy.start()
            await assert_works(client, "/meine-buchungen")
    finally:
        if proxy.server is not None:
            await proxy.cut()
        await engine.dispose()


async def test_a_client_that_goes_away_is_one_line_without_traceback(
    app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/anmelden",
        "raw_path": b"/anmelden",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"40"),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        pass

    await app(scope, receive, send)  # nothing escapes to the server
    booking_lines = [r for r in caplog.records if r.name.startswith("booking")]
    assert [r.getMessage() for r in booking_lines] == ["client disconnected during POST /anmelden"]
    assert all(r.levelno < logging.ERROR and r.exc_info is None for r in caplog.records)


async def _failed_flush(request: Request) -> Response:
    await require_member(request)
    db(request).add(Member(email="GROSS@amt.example"))  # the check constraint refuses it
    await db(request).flush()
    return Response("unreachable")


async def _failed_statement(request: Request) -> Response:
    await require_member(request)
    await db(request).execute(text("SELECT * FROM gibt_es_nicht"))
    return Response("unreachable")


@pytest.mark.parametrize("fails", [_failed_flush, _failed_statement])
async def test_a_database_error_still_gets_the_error_page(
    app: Starlette,
    client: httpx.AsyncClient,
    fails: Callable[[Request], Awaitable[Response]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After a failed statement the request's transaction is unusable (PostgreSQL refuses
    every further statement in it, a failed flush leaves the session to be rolled back): the
    page for the 500 starts afresh and still shows who is signed in, instead of failing
    itself and leaving the client a bare "Internal Server Error"."""
    app.router.routes.insert(0, Route("/kaputt", fails))
    await factories.organisation(session := app.state.app.sessions(), domain="amt.example")
    await session.close()
    await sign_in(client, app, "person@amt.example", "Erika", "Muster")
    caplog.set_level(logging.ERROR)
    page = await client.get("/kaputt")
    assert page.status_code == 500 and '<html lang="de">' in page.text
    assert "Ein unerwarteter Fehler ist aufgetreten" in page.text
    assert "Angemeldet als Erika Muster" in page.text
    assert len([r for r in caplog.records if r.exc_info]) == 1
