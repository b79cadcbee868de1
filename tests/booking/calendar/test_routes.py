"""Calendar pages: setting up and renewing the personal feed."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from tests import factories
from tests.web import post_form, sign_in


async def test_calendar_subscription_first_set_up_then_renewed(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    await sign_in(client, app, "p@amt.example")
    first = await post_form(client, "/meine-buchungen", "/meine-buchungen/kalender")
    assert first.status_code == 303
    page = (await client.get("/meine-buchungen")).text
    notice = page.split('role="status"', 1)[1].split("</div>", 1)[0]
    assert "Ihr Kalender-Abo ist eingerichtet" in notice
    assert "alte Adresse" not in notice and "gilt nicht mehr" not in notice
    await post_form(client, "/meine-buchungen", "/meine-buchungen/kalender")
    page = (await client.get("/meine-buchungen")).text
    notice = page.split('role="status"', 1)[1].split("</div>", 1)[0]
    assert "Die alte Adresse gilt nicht mehr" in notice
