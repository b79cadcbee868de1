"""A member's whole journey in headless Chromium against a real server and a real SMTP
server: sign in with the link from the mail, book a training, see it in "Meine Buchungen",
download the invitation, cancel. axe-core checks every page for WCAG 2.1 A/AA violations;
a second run does the booking with Tab and Enter alone."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from icalendar import Calendar
from playwright.async_api import Browser, Page, async_playwright

from tests.concurrency.server import running_server, server_env, sid
from tests.smtp import SmtpServer, text_body

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
TRAINING = "Deeskalationstraining für Beschäftigte im Gesundheitswesen"

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(
        "Debian's chromium is not installed (make test installs it)", allow_module_level=True
    )


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def server(tmp_path: Path, smtp: SmtpServer) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}"
    env = server_env(url, tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port))
    sid(["demo"], env)
    with running_server(env, workers=1) as base:
        env["BASE_URL"] = base
        yield base


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


class Checked:
    """Visits pages and runs axe-core on each; collects violations to report at the end."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.axe = Axe()
        self.violations: dict[str, list[str]] = {}

    async def check(self) -> None:
        title = await self.page.title()
        if "<" in title or not title.endswith("– #sicherimDienst"):
            self.violations.setdefault(self.page.url, []).append(f"page title: {title!r}")
        results = await self.axe.run(self.page, options=WCAG)
        found = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])}×: {v['nodes'][0]['target']})"
            for v in results.response["violations"]
        ]
        if found:
            self.violations.setdefault(self.page.url, []).extend(found)


def link_from(smtp: SmtpServer, address: str, base: str) -> str:
    for message in reversed(smtp.inbox.wait_for(1, timeout=15)):
        if message["To"] == address:
            match = re.search(r"https?://[^/\s]+(/anmelden/link\?token=\S+)", text_body(message))
            assert match
            return base + match.group(1)
    raise AssertionError(f"no sign-in mail to {address}")


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
    await visit.check()
    await page.get_by_label("Dienstliche E-Mail-Adresse").fill(address)
    await page.get_by_role("button", name="Anmeldelink anfordern").click()
    await page.wait_for_url("**/anmelden/gesendet")
    await visit.check()

    await page.goto(link_from(smtp, address, server))
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
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/anmelden/gesendet")
    await page.goto(link_from(smtp, address, server))
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


WIDEST = """() => {
  // The page's width, or wider if a box inside it scrolls sideways (a table in a scroller).
  let widest = document.documentElement.scrollWidth;
  for (const e of document.querySelectorAll("body *")) {
    const overflow = getComputedStyle(e).overflowX;
    if ((overflow === "auto" || overflow === "scroll") && e.scrollWidth > e.clientWidth + 1) {
      widest = Math.max(widest, window.innerWidth + e.scrollWidth - e.clientWidth);
    }
  }
  return widest;
}"""


async def sign_in_as(page: Page, smtp: SmtpServer, server: str, address: str) -> None:
    before = len(smtp.inbox.messages)
    await page.goto(server + "/anmelden")
    await page.get_by_label("Dienstliche E-Mail-Adresse").fill(address)
    await page.get_by_role("button", name="Anmeldelink anfordern").click()
    await page.wait_for_url("**/anmelden/gesendet")
    smtp.inbox.wait_for(before + 1, timeout=15)
    await page.goto(link_from(smtp, address, server))
    await page.get_by_role("button", name="Jetzt anmelden").click()
    await page.wait_for_load_state()


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
