"""The newsletter's pages through the ASGI client, on both databases: sign-up (refused
input beside the field, the same answer for subscribed addresses, CSRF), the confirmation
and unsubscribe links, the profile's one click, the archive, the organisers' editor with
preview, test send, sending and progress. On SQLite every page also goes through the Nu
HTML checker."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.mail.models import OutboxMessage
from booking.newsletter.models import Issue, Subscription
from tests import factories
from tests.booking.newsletter import factories as newsletter
from tests.booking.organisations.test_manage import as_organiser
from tests.web import csrf_token, post_form, sign_in

PAGE = "/newsletter"
GOOD = {"email": "l.kowalska@kreis-borken.example", "consent": "y"}


class Pages:
    """Every HTML page fetched, kept for the Nu HTML checker."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def add(self, name: str, response: httpx.Response, status: int = 200) -> str:
        assert response.status_code == status, (name, response.status_code, response.text[:400])
        if response.headers.get("content-type", "").startswith("text/html"):
            self.seen.append((name, response.text))
        return response.text

    async def get(self, client: httpx.AsyncClient, url: str, status: int = 200) -> str:
        return self.add(url, await client.get(url), status)

    def check(self, directory: Path, database_url: str) -> None:
        if not database_url.startswith("sqlite"):
            return  # the same pages; checked once
        from tests.test_html import VNU_JAR, vnu_errors

        if not VNU_JAR.exists():
            pytest.skip("vnu.jar missing: make vnu")
        directory.mkdir()
        for n, (name, html) in enumerate(self.seen):
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
            (directory / f"{n:03d}-{slug}.html").write_text(html, encoding="utf-8")
        assert vnu_errors(directory) == {}


@pytest.fixture
def pages() -> Pages:
    return Pages()


async def count(db: AsyncSession, model: type) -> int:
    await db.commit()
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def last_link(db: AsyncSession) -> str:
    await db.commit()
    mail = await db.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.template == "newsletter_confirm")
        .order_by(OutboxMessage.id.desc())
    )
    assert mail is not None
    return str(mail.context["link"]).removeprefix("http://testserver")


async def test_sign_up_confirm_and_unsubscribe_through_the_pages(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, pages: Pages, tmp_path: Path,
    database_url: str,
) -> None:  # fmt: skip
    await factories.organisation(db, domain="kreis-borken.example")
    form = await pages.get(client, PAGE)
    assert "Einwilligung" in form and 'name="consent"' in form
    for changes, message in [
        ({"email": "x@anderswo.example"}, "gehört zu keiner Mitgliedsorganisation"),
        ({"email": "kein-at"}, "gültige dienstliche E-Mail-Adresse"),
        ({"email": "a\x00b@kreis-borken.example"}, "Steuerzeichen"),
        ({"consent": ""}, "Bitte bestätigen Sie die Einwilligung"),
    ]:
        refused = await post_form(client, PAGE, PAGE, {**GOOD, **changes})
        text = pages.add(f"refused {changes}", refused, 422)
        assert message in text and "error-summary" in text
    pages.add("without csrf", await client.post(PAGE, data=GOOD), 400)
    assert await count(db, Subscription) == 0 and await count(db, OutboxMessage) == 0

    response = await post_form(client, PAGE, PAGE, GOOD)
    assert (response.status_code, response.headers["location"]) == (303, f"{PAGE}/gesendet")
    await pages.get(client, f"{PAGE}/gesendet")
    link = await last_link(db)
    confirm = await pages.get(client, link)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', confirm)
    assert token
    data = {"csrf_token": csrf_token(confirm), "token": token[1]}
    pages.add("confirmed", await client.post(f"{PAGE}/bestaetigen", data=data))
    pages.add("confirmed twice", await client.post(f"{PAGE}/bestaetigen", data=data), 409)
    await pages.get(client, f"{PAGE}/bestaetigen?token=kaputt", 400)

    # asking again for a subscribed address: the same answer, no mail
    again = await post_form(client, PAGE, PAGE, GOOD)
    assert (again.status_code, again.headers["location"]) == (303, f"{PAGE}/gesendet")
    assert await count(db, OutboxMessage) == 1

    [subscription] = list(await db.scalars(select(Subscription)))
    from booking.newsletter.services import unsubscribe_url

    url = unsubscribe_url("", app.state.app.settings.secret_key, subscription)
    shown = await pages.get(client, url)
    assert "Newsletter abbestellen" in shown and "csrf_token" not in shown
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as mail_program:
        # a mail program's POST: no cookie, no CSRF token
        done = await mail_program.post(url, data={"List-Unsubscribe": "One-Click"})
    pages.add("unsubscribed", done)
    await db.commit()
    await db.refresh(subscription)
    assert subscription.status == "unsubscribed"
    await pages.get(client, f"{PAGE}/abmelden/erfunden", 400)
    pages.check(tmp_path / "vnu", database_url)


async def test_members_subscribe_on_their_profile_and_read_the_archive(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, pages: Pages, tmp_path: Path,
    database_url: str,
) -> None:  # fmt: skip
    org = await factories.organisation(db, domain="stadt-muenster.example")
    await factories.member(db, org, email="jana@stadt-muenster.example")
    anonymous = await client.get(f"{PAGE}/archiv")  # members only: to the sign-in first
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/anmelden")
    await sign_in(client, app, "jana@stadt-muenster.example")
    profile = await pages.get(client, "/profil")
    assert "Newsletter abonnieren" in profile
    response = await post_form(client, "/profil", f"{PAGE}/abonnieren")
    assert (response.status_code, response.headers["location"]) == (303, "/profil#newsletter")
    profile = await pages.get(client, "/profil")
    assert "abonniert" in profile and "Newsletter abbestellen" in profile
    await pages.get(client, PAGE)
    assert await count(db, OutboxMessage) == 1  # the sign-in link only

    for n in range(12):
        issue = await newsletter.issue(db, subject=f"Ausgabe {n + 1}")
        issue.status, issue.send_started_at = "sent", issue.created_at
    draft = await newsletter.issue(db, subject="Entwurf")
    await db.commit()
    archive = await pages.get(client, f"{PAGE}/archiv")
    assert "Ausgabe 12" in archive and "Entwurf" not in archive
    following = re.search(r'href="(/newsletter/archiv\?cursor=[^"]+)"', archive)
    assert following
    older = await pages.get(client, following[1].replace("&amp;", "&"))
    assert "Ausgabe 1<" in older or "Ausgabe 1\n" in older or ">Ausgabe 1<" in older
    first_id = await db.scalar(select(func.min(Issue.id)))
    shown = await pages.get(client, f"{PAGE}/archiv/{first_id}")
    assert "<strong>neue</strong> Termine" in shown
    await pages.get(client, f"{PAGE}/archiv/{draft.id}", 404)
    await pages.get(client, f"{PAGE}/archiv?cursor=kaputt", 422)

    response = await post_form(client, "/profil", f"{PAGE}/abbestellen")
    assert response.status_code == 303
    await db.commit()
    [subscription] = list(await db.scalars(select(Subscription)))
    assert subscription.status == "unsubscribed"
    pages.check(tmp_path / "vnu", database_url)


async def test_organisers_write_preview_test_and_send(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, pages: Pages, tmp_path: Path,
    database_url: str,
) -> None:  # fmt: skip
    await as_organiser(client, app, db)
    await newsletter.subscribers(db, 3)
    index = await pages.get(client, "/verwaltung/newsletter")
    assert "3 bestätigte" in index
    new = await pages.get(client, "/verwaltung/newsletter/neu")
    body = "# Termine 2027\n\nNeu: **BIUS II** in Münster. <script>alert(1)</script>"
    data = {"csrf_token": csrf_token(new), "subject": "Dezember", "body_markdown": body}
    preview = pages.add(
        "preview",
        await client.post("/verwaltung/newsletter/neu", data={**data, "action": "preview"}),
    )
    assert "<strong>BIUS II</strong>" in preview and "&lt;script&gt;" in preview
    assert await count(db, Issue) == 0
    refused = await client.post(
        "/verwaltung/newsletter/neu", data={**data, "subject": "", "action": "save"}
    )
    assert "Bitte geben Sie einen Betreff an." in pages.add("refused", refused, 422)
    refused = await client.post(
        "/verwaltung/newsletter/neu", data={**data, "body_markdown": "a\x00b", "action": "save"}
    )
    assert "Steuerzeichen" in pages.add("refused nul", refused, 422)
    saved = await client.post("/verwaltung/newsletter/neu", data={**data, "action": "save"})
    assert saved.status_code == 303
    url = saved.headers["location"]
    editor = await pages.get(client, url)
    assert "Test an mich senden" in editor
    tested = await post_form(client, url, f"{url}/test")
    assert tested.status_code == 303
    confirm = await pages.get(client, f"{url}/senden")
    assert "Jetzt an 3 senden" in confirm
    sent = await client.post(f"{url}/senden", data={"csrf_token": csrf_token(confirm)})
    assert sent.status_code == 303
    again = await client.post(f"{url}/senden", data={"csrf_token": csrf_token(confirm)})
    pages.add("sent twice", again, 409)
    shown = await pages.get(client, url)
    assert "0 von 3 versandt" in shown and "data-progress-url" in shown
    progress = (await client.get(f"{url}/stand")).json()
    assert progress == {"valid": 3, "mailed": 0, "failed": 0, "done": False}
    await db.commit()
    [issue] = list(await db.scalars(select(Issue)))
    assert (issue.status, issue.recipients, issue.subject) == ("sending", 3, "Dezember")
    assert await count(db, OutboxMessage) == 2  # sign-in link and the test
    await pages.get(client, "/verwaltung/newsletter/999999", 404)
    pages.check(tmp_path / "vnu", database_url)


async def test_members_may_not_use_the_back_office(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="stadt-muenster.example")
    await factories.member(db, org, email="jana@stadt-muenster.example")
    issue = await newsletter.issue(db)
    await sign_in(client, app, "jana@stadt-muenster.example")
    base = "/verwaltung/newsletter"
    for url in (base, f"{base}/neu", f"{base}/{issue.id}", f"{base}/{issue.id}/stand"):
        assert (await client.get(url)).status_code == 403, url
    response = await post_form(client, "/profil", f"/verwaltung/newsletter/{issue.id}/senden")
    assert response.status_code == 403
    await db.commit()
    await db.refresh(issue)
    assert issue.status == "draft"
