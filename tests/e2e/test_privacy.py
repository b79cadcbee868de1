"""The member's rights in Chromium, at desktop width and at 390 px: their data, the
confirmation before deleting the account (refused once without the tick, then deleted), and
an organiser's page of a member. axe-core finds nothing and no page scrolls sideways
(``SCREENSHOTS=/some/dir`` keeps the screenshots)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.e2e.conftest import WIDEST, Checked, sign_in_as
from tests.smtp import SmtpServer

MEMBER = "jana.schulte@stadt-muenster.example"
ORGANISER = "geschaeftsstelle@polizei-muenster.example"


@pytest.mark.parametrize("width", [1280, 390])
async def test_data_and_deletion(
    server: str, smtp: SmtpServer, browser: Browser, tmp_path: Path, width: int
) -> None:
    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    page = await context.new_page()
    checked = Checked(page)
    too_wide: dict[str, int] = {}

    async def look(name: str) -> None:
        await checked.check()
        if await page.evaluate(WIDEST) > await page.evaluate("window.innerWidth"):
            too_wide[name] = await page.evaluate(WIDEST)
        await page.screenshot(path=str(tmp_path / f"privacy-{width}-{name}.png"), full_page=True)

    await sign_in_as(page, smtp, server, ORGANISER)
    await page.goto(server + "/profil")
    await look("profile")
    await page.get_by_role("link", name="Meine Daten").click()
    await page.wait_for_url("**/profil/daten")
    await look("data")
    await context.close()

    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    page = await context.new_page()
    checked.page = page
    await sign_in_as(page, smtp, server, MEMBER)
    await page.goto(server + "/profil")
    await page.get_by_role("link", name="Konto löschen").click()
    await page.wait_for_url("**/profil/loeschen")
    await look("erase")
    await page.get_by_role("button", name="Konto endgültig löschen").click()
    await page.locator(".error-summary").wait_for()
    await look("erase-refused")
    await context.close()

    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    page = await context.new_page()
    checked.page = page
    await sign_in_as(page, smtp, server, ORGANISER)
    await page.goto(server + "/verwaltung/mitglieder/2")
    await look("member")
    await context.close()

    assert checked.violations == {}
    assert too_wide == {}
    if os.environ.get("SCREENSHOTS"):
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, os.environ["SCREENSHOTS"])
