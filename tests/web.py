"""Helpers for driving the pages like a browser without JavaScript would."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from starlette.applications import Starlette

from booking.mail.models import OutboxMessage

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def post_form(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, str] | None = None
) -> httpx.Response:
    """Load ``page`` for its CSRF token, then submit ``data`` to ``action``."""
    html = (await client.get(page)).text
    return await client.post(action, data={"csrf_token": csrf_token(html), **(data or {})})


async def last_sign_in_link(app: Starlette, email: str) -> str:
    async with app.state.app.sessions() as session:
        message = await session.scalar(
            select(OutboxMessage)
            .where(
                OutboxMessage.recipient == email.strip().lower(),
                OutboxMessage.template == "sign_in_link",
            )
            .order_by(OutboxMessage.id.desc())
        )
    assert message is not None, f"no sign-in link for {email}"
    link = str(message.context["link"])
    return link.removeprefix(app.state.app.settings.base_url)


async def use_link(client: httpx.AsyncClient, link: str) -> httpx.Response:
    page = await client.get(link)
    assert page.status_code == 200, page.text
    token = _TOKEN.search(page.text)
    assert token
    return await client.post(
        "/anmelden/link", data={"csrf_token": csrf_token(page.text), "token": token.group(1)}
    )


async def sign_in(
    client: httpx.AsyncClient,
    app: Starlette,
    email: str,
    first: str = "Erika",
    last: str = "Muster",
) -> None:
    """Sign in through the real flow: form, link from the outbox, confirm, profile if new."""
    response = await post_form(client, "/anmelden", "/anmelden", {"email": email})
    assert response.status_code == 303, response.text
    response = await use_link(client, await last_sign_in_link(app, email))
    assert response.status_code == 303, response.text
    if response.headers["location"] == "/profil":
        response = await post_form(
            client,
            "/profil",
            "/profil",
            {"first_name": first, "last_name": last, "organisation_name": "Testbehörde"},
        )
        assert response.status_code == 303, response.text
