"""An organiser plans a venue in Chromium, at desktop width and at 390 px: the list, the form
refused for contradicting facts, the venue with its rooms, the online rooms. axe-core finds
nothing and no page scrolls sideways (``SCREENSHOTS=/some/dir`` keeps the screenshots)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.e2e.conftest import WIDEST, Checked, sign_in_as
from tests.smtp import SmtpServer

ORGANISER = "geschaeftsstelle@polizei-muenster.example"


@pytest.mark.parametrize("width", [1280, 390])
async def test_an_organiser_plans_a_venue(
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
        await page.screenshot(path=str(tmp_path / f"venues-{width}-{name}.png"), full_page=True)

    await sign_in_as(page, smtp, server, ORGANISER)
    await page.goto(server + "/verwaltung/orte")
    await look("list")
    assert await page.get_by_role("link", name="Bezirksregierung Münster").count() == 1

    await page.get_by_role("link", name="Ort anlegen").click()
    await page.get_by_label("Name des Veranstaltungsorts").fill("Rathaus Bielefeld")
    await page.get_by_label("Straße und Hausnummer").fill("Niederwall 23")
    await page.get_by_label("Postleitzahl").fill("3360")
    await page.get_by_label("Stadt oder Gemeinde").fill("Bielefeld")
    await page.get_by_label("Regierungsbezirk").select_option("Detmold")
    await page.get_by_label("Barrierefreies WC, stufenlos erreichbar").check()
    await page.get_by_label("Hinweise zur Barrierefreiheit").fill(
        "Ebenerdiger Eingang am Rathausplatz."
    )
    await page.get_by_role("button", name="Anlegen").click()
    summary = page.locator(".error-summary")
    await summary.wait_for()
    assert "3 Angaben" in await summary.inner_text()
    await look("refused")

    await page.get_by_label("Postleitzahl").fill("33602")
    await page.get_by_label("Stufenloser Zugang").check()
    await page.get_by_role("button", name="Anlegen").click()
    await page.get_by_text("ist angelegt").wait_for()
    await page.get_by_label("Name des Raums").fill("Großer Sitzungssaal")
    await page.get_by_label("Plätze").fill("120")
    await page.get_by_role("button", name="Hinzufügen").click()
    await page.get_by_text("Der Raum „Großer Sitzungssaal“ ist hinzugefügt.").wait_for()
    await look("edit")
    assert re.search(r"/verwaltung/orte/\d+", page.url)

    await page.goto(server + "/verwaltung/online-raeume")
    await look("online")
    await context.close()

    assert checked.violations == {}
    assert too_wide == {}
    if os.environ.get("SCREENSHOTS"):
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, os.environ["SCREENSHOTS"])
