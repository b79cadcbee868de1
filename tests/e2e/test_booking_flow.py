"""A member's whole journey in headless Chromium against a real server and a real SMTP
server: sign in with the link from the mail, book a training, see it in "Meine Buchungen",
download the invitation, cancel. axe-core checks every page for WCAG 2.1 A/AA violations;
a second run does the booking with Tab and Enter alone."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.async_api import Browser, Page

from tests.e2e.conftest import CHROMIUM, WIDEST, Checked, link_from, sign_in_as
from tests.smtp import SmtpServer

pytestmark = pytest.mark.e2e

TRAINING = "Deeskalationstraining für Beschäftigte im Gesundheitswesen"

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(
        "Debian's chromium is not installed (make test installs it)", allow_module_level=True
    )


async def test_member_books_and_cancels_a_training(
    server: str, smtp: SmtpServer, browser: Browser, tmp_path: Path
) -> None:
    context = await browser.new_context(locale="de-DE", accept_downloads=True)
    page = await context.new_page()
    visit = Checked(page)
    address = "pflege.e2e@uk-koeln.example"

    await page.goto(server + "/")
    await visit.check()
    await page.get_by_role("link", name="Anmelden", exact=True).click()
    await page.wait_for_url("**/anmelden")
    await visit.check()
    await page.get_by_label("Dienstliche E-Mail-Adresse").fill(address)
    before = len(smtp.inbox.messages)
    await page.get_by_role("button", name="Anmeldelink anfordern").click()
    await page.wait_for_url("**/anmelden/gesendet")
    await visit.check()

    await page.goto(link_from(smtp, address, server, since=before))
    await visit.check()
    await page.get_by_role("button", name="Jetzt anmelden").click()
    await page.wait_for_url("**/profil")
    await visit.check()
    await page.get_by_label("Vorname").fill("Pia")
    await page.get_by_label("Nachname").fill("Pflege")
    await page.get_by_role("button", name="Speichern").click()
    await page.wait_for_url("**/meine-buchungen")
    await visit.check()

    await page.goto(server + "/?kind=training")
    await visit.check()
    await page.get_by_role("link", name=TRAINING, exact=True).click()
    await page.wait_for_url("**/veranstaltungen/*")
    await visit.check()
    await page.get_by_role("button", name="Platz buchen").click()
    await page.get_by_text("Ihre Anmeldung ist bestätigt").wait_for()
    await visit.check()

    await page.get_by_role("link", name="Meine Buchungen").click()
    await page.get_by_role("link", name=TRAINING, exact=True).wait_for()
    assert "bestätigt" in await page.locator(".bookings").first.inner_text()
    await visit.check()
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=re.compile("Kalendereinladung")).click()
    download = await download_info.value
    saved = tmp_path / "einladung.ics"
    await download.save_as(saved)
    cal = Calendar.from_ical(saved.read_bytes())
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(cal.walk("VEVENT")[0]["SUMMARY"]) == TRAINING

    await page.get_by_role("link", name=re.compile("^Stornieren")).click()
    await page.wait_for_url("**/buchungen/*/stornieren")
    await page.get_by_role("heading", name="Buchung stornieren?").wait_for()
    await visit.check()
    await page.get_by_role("button", name="Ja, stornieren").click()
    await page.get_by_text("Ihre Buchung ist storniert").wait_for()
    assert "storniert" in await page.locator(".bookings-past").inner_text()
    await visit.check()

    confirmation = [m for m in smtp.inbox.wait_for(3) if m["To"] == address]
    subjects = [str(m["Subject"]) for m in confirmation]
    assert f"Anmeldung bestätigt: {TRAINING}" in subjects
    await context.close()
    assert visit.violations == {}


async def tab_to(page: Page, accessible_text: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text or label contains ``accessible_text``."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "() => { const e = document.activeElement; return e ? (e.innerText || e.value || "
            "e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].innerText)"
            " || '') : ''; }"
        )
        if accessible_text in str(focused):
            return
    raise AssertionError(f"{accessible_text!r} not reachable with Tab")


async def test_booking_with_the_keyboard_alone(
    server: str, smtp: SmtpServer, browser: Browser
) -> None:
    context = await browser.new_context(locale="de-DE")
    page = await context.new_page()
    address = "tastatur@uk-koeln.example"
    await page.goto(server + "/")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.innerText") == "Zum Inhalt springen"
    await tab_to(page, "Anmelden")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/anmelden")
    await tab_to(page, "Dienstliche E-Mail-Adresse")
    await page.keyboard.type(address)
    before = len(smtp.inbox.messages)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/anmelden/gesendet")
    await page.goto(link_from(smtp, address, server, since=before))
    await tab_to(page, "Jetzt anmelden")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/profil")
    await tab_to(page, "Vorname")
    await page.keyboard.type("Tim")
    await tab_to(page, "Nachname")
    await page.keyboard.type("Taste")
    await tab_to(page, "Speichern")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/meine-buchungen")
    await tab_to(page, "Programm")
    await page.keyboard.press("Enter")
    await page.wait_for_url(server + "/")
    await tab_to(page, TRAINING, limit=200)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/veranstaltungen/*")
    await tab_to(page, "Platz buchen")
    await page.keyboard.press("Enter")
    await page.get_by_text("Ihre Anmeldung ist bestätigt").wait_for()
    assert "bestätigt" in await page.locator(".your-status").inner_text()
    await context.close()


async def test_pages_reflow_on_a_phone(
    server: str, smtp: SmtpServer, browser: Browser, tmp_path: Path
) -> None:
    """WCAG 1.4.10: at 390 CSS px no page scrolls sideways; tables become cards."""
    too_wide: dict[str, int] = {}

    async def visit(page: Page, url: str) -> None:
        await page.goto(url if url.startswith("http") else server + url)
        width = await page.evaluate(WIDEST)
        if width > await page.evaluate("window.innerWidth"):
            too_wide[page.url] = width
        name = re.sub(r"[^a-z0-9]+", "-", page.url.removeprefix(server)).strip("-") or "start"
        await page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)

    async def links(page: Page, pattern: str) -> list[str]:
        hrefs = await page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        return sorted({h for h in hrefs if re.search(pattern, h)})

    phone = {"viewport": {"width": 390, "height": 900}, "locale": "de-DE"}
    visitor = await (await browser.new_context(**phone)).new_page()
    await visit(visitor, "/")
    events = await links(visitor, r"/veranstaltungen/\d+$")
    assert events
    for url in events:
        await visit(visitor, url)
    for url in ("/anmelden", "/?month=2027-13", "/gibt-es-nicht"):
        await visit(visitor, url)

    member = await (await browser.new_context(**phone)).new_page()
    await sign_in_as(member, smtp, server, "stefan.brinkmann@bezreg-detmold.example")
    await visit(member, "/meine-buchungen")
    for url in await links(member, r"/buchungen/\d+/stornieren"):
        await visit(member, url)

    organiser = await (await browser.new_context(**phone)).new_page()
    await sign_in_as(organiser, smtp, server, "geschaeftsstelle@polizei-muenster.example")
    await visit(organiser, "/verwaltung/freigaben")
    cancel_pages: list[str] = []
    for url in events:
        await visit(organiser, url.replace("/veranstaltungen/", "/verwaltung/veranstaltungen/"))
        cancel_pages += await links(organiser, r"/buchungen/\d+/stornieren\?")
    assert cancel_pages  # the demo has participant tables
    await visit(organiser, cancel_pages[0])
    await visit(organiser, "/verwaltung/organisationen")
    organisations = await links(organiser, r"/verwaltung/organisationen/\d+$")
    await visit(organiser, organisations[0])
    await visit(organiser, "/verwaltung/organisationen/neu")
    await visit(organiser, "/verwaltung/mail")
    await visit(organiser, "/profil")
    assert too_wide == {}
    if os.environ.get("SCREENSHOTS"):
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, os.environ["SCREENSHOTS"])
