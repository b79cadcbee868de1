"""``sid serve`` as it runs in production: a real uvicorn process on loopback."""

from __future__ import annotations

from pathlib import Path

import httpx

from booking.cli.server import server_options
from booking.settings import Settings
from tests.concurrency.server import running_server, server_env
from tests.web import csrf_token

SIGN_INS_PER_CLIENT = 30


def sign_in_statuses(base: str, count: int) -> list[int]:
    """Ask for ``count`` sign-in links, each with another X-Forwarded-For address."""
    statuses = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for n in range(count):
            token = csrf_token(client.get("/anmelden").text)
            response = client.post(
                "/anmelden",
                data={"csrf_token": token, "email": f"person{n}@amt.example"},
                headers={"X-Forwarded-For": f"198.51.100.{n + 1}"},
            )
            statuses.append(response.status_code)
    return statuses


def serve_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    (tmp_path / "mail").mkdir(exist_ok=True)
    env = server_env(f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}", tmp_path)
    env["MAIL_SENDER"] = "off"
    env.pop("FORWARDED_ALLOW_IPS", None)  # the default, which uvicorn alone reads otherwise
    env.update(extra)
    return env


def test_no_server_header_a_date_and_nothing_stored(tmp_path: Path) -> None:
    with running_server(serve_env(tmp_path), workers=1) as base:
        response = httpx.get(base + "/")
    assert response.status_code == 200
    assert "server" not in response.headers
    assert "date" in response.headers
    assert response.headers["cache-control"] == "no-store"


def test_forwarded_for_from_an_untrusted_peer_does_not_change_the_client(tmp_path: Path) -> None:
    with running_server(serve_env(tmp_path), workers=1) as base:
        statuses = sign_in_statuses(base, SIGN_INS_PER_CLIENT + 1)
    assert statuses == [303] * SIGN_INS_PER_CLIENT + [429]


def test_forwarded_for_from_a_named_proxy_is_the_client(tmp_path: Path) -> None:
    env = serve_env(tmp_path, FORWARDED_ALLOW_IPS="127.0.0.1")
    with running_server(env, workers=1) as base:
        statuses = sign_in_statuses(base, SIGN_INS_PER_CLIENT + 1)
    assert statuses == [303] * (SIGN_INS_PER_CLIENT + 1)  # each client has its own limit


def test_server_options_follow_the_settings() -> None:
    assert server_options(Settings())["proxy_headers"] is False
    options = server_options(Settings(forwarded_allow_ips=("10.0.0.5",)))
    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == ["10.0.0.5"]
    assert options["server_header"] is False
