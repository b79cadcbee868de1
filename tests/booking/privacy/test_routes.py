"""The privacy pages: one's own data and account; the organisers' member page."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.members.models import Member
from tests.web import csrf_token, post_form, sign_in


async def test_a_member_reads_downloads_and_deletes(
    app: Starlette, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await sign_in(client, app, "erika@beispiel.example", "Erika", "Muster")
    assert "Meine Daten" in (await client.get("/profil")).text
    page = await client.get("/profil/daten")
    assert page.status_code == 200 and "erika@beispiel.example" in page.text
    download = await client.get("/profil/daten.json")
    assert download.json()["profile"]["last_name"] == "Muster"
    assert "attachment" in download.headers["content-disposition"]

    erase = await client.get("/profil/loeschen")
    assert "Register der Bescheinigungen" in erase.text
    refused = await client.post("/profil/loeschen", data={"csrf_token": csrf_token(erase.text)})
    assert refused.status_code == 422 and "Häkchen" in refused.text
    done = await post_form(client, "/profil/loeschen", "/profil/loeschen", {"confirm": "y"})
    assert done.status_code == 303
    assert await db.scalar(select(Member).where(Member.email == "erika@beispiel.example")) is None
    assert (await client.get("/profil/daten")).status_code in (302, 303)


async def test_the_data_page_shows_the_newsletter_consent(
    app: Starlette, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await sign_in(client, app, "erika@beispiel.example", "Erika", "Muster")
    erika = await db.scalar(select(Member).where(Member.email == "erika@beispiel.example"))
    assert erika is not None
    erika.status = "active"  # approved: a member subscribes with one click
    await db.commit()
    assert "Kein Newsletter-Abonnement" in (await client.get("/profil/daten")).text
    subscribed = await post_form(client, "/profil", "/newsletter/abonnieren")
    assert subscribed.status_code == 303
    page = (await client.get("/profil/daten")).text
    assert "Kein Newsletter-Abonnement" not in page
    assert "abonniert" in page and "Einwilligung (Fassung" in page
    assert (await client.get("/profil/daten.json")).json()["newsletter"]["status"] == "confirmed"


async def test_only_organisers_see_a_members_page(
    app: Starlette, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await sign_in(client, app, "ute@beispiel.example", "Ute", "Andere")
    ute = await db.scalar(select(Member).where(Member.email == "ute@beispiel.example"))
    assert ute is not None
    other = Member(email="otto@beispiel.example", first_name="Otto", last_name="O")
    db.add(other)
    await db.commit()
    assert (await client.get(f"/verwaltung/mitglieder/{other.id}")).status_code == 403
    ute.role = "organiser"
    ute.status = "active"
    await db.commit()
    page = await client.get(f"/verwaltung/mitglieder/{other.id}")
    assert page.status_code == 200 and "Otto O" in page.text
    url = f"/verwaltung/mitglieder/{other.id}"
    refused = await post_form(client, url, url, {"reason": "", "confirm": "y"})
    assert refused.status_code == 422
    done = await post_form(client, url, url, {"reason": "Antrag vom 2.3.", "confirm": "y"})
    assert done.status_code == 303
    db.expunge_all()
    await db.commit()
    assert await db.get(Member, other.id) is None
    assert (await client.get("/verwaltung/mitglieder/999999")).status_code == 404
