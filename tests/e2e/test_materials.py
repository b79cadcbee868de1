"""Material in Chromium, at desktop width and at 390 px: a fire brigade's member orders door
wedges (refused first for a home address, then accepted), the organisers' queue and the order's
page where it is approved. axe-core finds nothing and no page scrolls sideways
(``SCREENSHOTS=/some/dir`` keeps the screenshots)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.e2e.conftest import WIDEST, Checked, sign_in_as
from tests.smtp import SmtpServer

MEMBER = "christina.vogt@feuerwehr-essen.example"
ORGANISER = "geschaeftsstelle@polizei-muenster.example"


@pytest.mark.parametrize("width", [1280, 390])
async def test_door_wedges_are_ordered_and_approved(
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
        await page.screenshot(path=str(tmp_path / f"materials-{width}-{name}.png"), full_page=True)

    await sign_in_as(page, smtp, server, MEMBER)
    await page.get_by_role("link", name="Material", exact=True).click()
    await page.wait_for_url("**/material")
    await look("form")
    await page.get_by_label("Türkeil #sicherimDienst").fill("5")
    await page.get_by_label("Eine andere dienstliche Anschrift").check()
    await page.get_by_label("Neue Lieferanschrift (dienstlich)").fill(
        "Christina Vogt\nAmselweg 3\n45127 Essen"
    )
    await page.get_by_role("button", name="Bestellen").click()
    await page.locator(".error-summary").wait_for()
    assert "Privatanschrift" in await page.locator(".error-summary").inner_text()
    await look("refused")
    await page.get_by_label("Neue Lieferanschrift (dienstlich)").fill(
        "Feuerwehr Essen\nFeuer- und Rettungswache 2\nAm Föhrenkamp 12\n45127 Essen"
    )
    await page.get_by_role("button", name="Bestellen").click()
    await page.get_by_text("ist eingegangen").first.wait_for()
    await look("placed")
    number = (await page.locator("h1").inner_text()).removeprefix("Bestellung ").strip()
    await page.goto(server + "/meine-bestellungen")
    await look("mine")
    await context.close()

    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    page = await context.new_page()
    checked.page = page
    await sign_in_as(page, smtp, server, ORGANISER)
    await page.goto(server + "/verwaltung/bestellungen")
    await look("queue")
    await page.get_by_role("link", name=number).click()
    await page.wait_for_url(re.compile(r"/verwaltung/bestellungen/\d+$"))
    await look("order")
    await page.get_by_role("button", name="Freigeben").click()
    await page.get_by_text("ist freigegeben").wait_for()
    await page.goto(server + "/verwaltung/material")
    await look("catalogue")
    await page.get_by_role("link", name="Türkeil #sicherimDienst").click()
    await page.wait_for_url(re.compile(r"/verwaltung/material/\d+$"))
    await look("item")
    await context.close()

    assert checked.violations == {}
    assert too_wide == {}
    if os.environ.get("SCREENSHOTS"):
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, os.environ["SCREENSHOTS"])
