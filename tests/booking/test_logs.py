"""Logs never hold addresses, names or tokens: the failures that logged them are triggered
and the log lines read back (uvicorn's access log from a real server, an unhandled error
whose message quotes a person; the mail sender refused by the SMTP server is tested in
tests/booking/mail/test_sender.py)."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from booking.core.logtext import exception_text, mask, token_path_pattern
from tests.concurrency.server import free_port

NAME = "Erika Musterfrau"
ADDRESS = "erika.musterfrau@stadt-muenster.example"
TOKEN = "Zx9qTOKENgeheim4711abcdef"
SECRETS = (NAME, "Musterfrau", ADDRESS, TOKEN)


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} in the log:\n{text}"


async def test_the_access_log_of_a_real_server_holds_no_tokens(
    app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, access_log=True, log_config=None)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    paths = [
        f"/anmelden/link?token={TOKEN}",
        f"/rueckmeldung/{TOKEN}",
        f"/kalender/{TOKEN}.ics",
        f"/bescheinigungen/pruefen/{TOKEN}",
        f"/urkunden/pruefen/{TOKEN}",
        f"/urkunden/1.pdf?zugang={TOKEN}",
        f"/netzwerkpartner-werden/bestaetigen?token={TOKEN}&email={ADDRESS}",
    ]
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        while not server.started:
            await asyncio.sleep(0.02)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for path in paths:
                await client.get(path)
        server.should_exit = True
        await serving
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert len(lines) == len(paths)
    assert_clean("\n".join(lines))
    assert 'GET /anmelden/link?[…] HTTP/1.1"' in lines[0]
    assert 'GET /rueckmeldung/[…] HTTP/1.1"' in lines[1]
    assert "GET /kalender/[…] HTTP/1.1" in lines[2]
    # uvicorn's own formatter still reads the masked arguments
    formatted = uvicorn.logging.AccessFormatter(use_colors=False).format(caplog.records[-1])
    assert "/netzwerkpartner-werden/bestaetigen?[…]" in formatted
    assert_clean(formatted)


async def test_an_unhandled_error_quoting_a_person_logs_its_kind_and_place_only(
    app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(request: Request) -> None:
        raise RuntimeError(f"INSERT failed for {NAME} <{ADDRESS}> with token {TOKEN}")

    app.router.routes.insert(0, Route(f"/kaputt/{TOKEN}", broken))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    with caplog.at_level(logging.INFO):
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get(f"/kaputt/{TOKEN}?token={TOKEN}")
    assert response.status_code == 500
    server_side = [r for r in caplog.records if not r.name.startswith("httpx")]  # the client's
    text = "\n".join(caplog.handler.format(r) for r in server_side)
    assert "unhandled error on GET /kaputt/" in text
    assert_clean(text.replace(f"/kaputt/{TOKEN}", "/kaputt/…"))  # a path of this test only
    assert "RuntimeError (message left out)" in text
    assert "tests/booking/test_logs.py" in text  # where it arose


def test_a_chained_traceback_names_each_error_without_its_message() -> None:
    try:
        try:
            raise KeyError(ADDRESS)
        except KeyError as exc:
            raise ValueError(NAME) from exc
    except ValueError as exc:
        text = exception_text(exc)
    assert "builtins.KeyError (message left out)" in text
    assert "builtins.ValueError (message left out)" in text
    assert text.index("KeyError") < text.index("ValueError")
    assert_clean(text)


def test_mask_removes_addresses_queries_and_token_segments() -> None:
    pattern = token_path_pattern(["/rueckmeldung", "/kalender"])
    assert mask(f"GET /rueckmeldung/{TOKEN} für {ADDRESS}", pattern) == (
        "GET /rueckmeldung/[…] für [address]"
    )
    assert mask(f"/kalender/{TOKEN}.ics?x=1", pattern) == "/kalender/[…]?[…]"
    assert mask("/veranstaltungen/12", pattern) == "/veranstaltungen/12"
    assert token_path_pattern([]) is None
