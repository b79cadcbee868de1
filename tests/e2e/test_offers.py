"""An offered seat in headless Chromium against a real server and a real SMTP server: a
member on the waiting list of a training with offers sees the offer and its deadline on
"Meine Buchungen", follows the accept link from the mail to the page that asks first, and
takes the seat. axe-core checks each page; the pages are looked at 1280 and 390 px wide
(screenshots into OFFER_SHOTS when it names a folder)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page

from booking.demo import ORGANISER_EMAIL
from tests.concurrency.server import server_env
from tests.concurrency.test_booking_rush import tokens_for
from tests.e2e.conftest import CHROMIUM, WIDEST, Checked, click_through, sign_in_as
from tests.smtp import SmtpServer, text_body

pytestmark = pytest.mark.e2e

HOLDER = "stefan.brinkmann@bezreg-detmold.example"
MEMBER = "pflege.angebot@uk-koeln.example"
TITLE = "BIUS II: Vertiefung"

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(
        "Debian's chromium is not installed (make test installs it)", allow_module_level=True
    )


async def looked_at(page: Page, name: str) -> None:
    """Both widths: nothing wider than the window; a screenshot of each when asked."""
    shots = os.environ.get("OFFER_SHOTS")
    for width in (1280, 390):
        await page.set_viewport_size({"width": width, "height": 900})
        assert await page.evaluate(WIDEST) <= width, (name, width)
        if shots:
            await page.screenshot(path=f"{shots}/{name}-{width}.png", full_page=True)


async def test_a_member_accepts_an_offered_seat(
    server: str, smtp: SmtpServer, browser: Browser, tmp_path: Path
) -> None:
    env = server_env(f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}", tmp_path)
    organiser, holder = tokens_for([ORGANISER_EMAIL, HOLDER], env)
    async with httpx.AsyncClient(base_url=server + "/api/v1", timeout=30) as api:
        created = await api.post(
            "/events",
            headers={"Authorization": f"Bearer {organiser}"},
            json={
                "title": TITLE, "kind": "training", "capacity": 1, "offer_working_days": 2,
                "sessions": [{"starts_at": "2027-03-02T09:00:00+01:00",
                              "ends_at": "2027-03-02T16:00:00+01:00"}],
            },
        )  # fmt: skip
        assert created.status_code == 201, created.text
        event_id = created.json()["id"]
        held = await api.post(
            f"/events/{event_id}/bookings", headers={"Authorization": f"Bearer {holder}"}
        )
        assert held.json()["status"] == "confirmed"

        context = await browser.new_context(locale="de-DE")
        page = await context.new_page()
        visit = Checked(page)
        await sign_in_as(page, smtp, server, MEMBER)
        if page.url.endswith("/profil"):
            await page.get_by_label("Vorname").fill("Paula")
            await page.get_by_label("Nachname").fill("Pflege")
            await page.get_by_role("button", name="Speichern").click()
            await page.wait_for_url("**/meine-buchungen")
        await page.goto(f"{server}/veranstaltungen/{event_id}")
        await click_through(page.get_by_role("button", name="Auf die Warteliste setzen"))
        await visit.check()
        assert "2 Arbeitstagen" in await page.inner_text("main")

        before = len(smtp.inbox.messages)
        cancelled = await api.delete(
            f"/bookings/{held.json()['id']}", headers={"Authorization": f"Bearer {holder}"}
        )
        assert cancelled.status_code == 200 and len(cancelled.json()["promoted"]) == 1

    offer = smtp.inbox.wait_until(
        lambda message: (
            message["To"] == MEMBER and message["Subject"].startswith(f"Ein Platz für Sie: {TITLE}")
        ),
        since=before,
    )
    match = re.search(r"https?://[^/\s]+(/angebot/annehmen\?token=\S+)", text_body(offer))
    assert match

    await page.goto(server + "/meine-buchungen")
    await visit.check()
    box = await page.inner_text(".offer")
    assert re.search(r"Angebot: bitte bis \w\w\., \d\d\.\d\d\.\d{4}, 23:59 Uhr annehmen", box)
    await looked_at(page, "meine-buchungen-angebot")

    await page.goto(server + match.group(1))
    await visit.check()
    await looked_at(page, "angebot-annehmen")
    await click_through(page.get_by_role("button", name="Platz verbindlich annehmen"))
    await visit.check()
    assert "Ihre Teilnahme an „BIUS II: Vertiefung“ ist bestätigt" in await page.inner_text("main")
    await looked_at(page, "angebot-angenommen")

    await page.goto(server + match.group(1))
    assert "nicht mehr offen" in await page.inner_text("main")
    await visit.check()
    assert visit.violations == {}
    await context.close()
