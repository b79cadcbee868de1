"""Joining online in Chromium against a real server and a real SMTP server, at desktop width
and at 390 px: an organisation applies (refused once, then sent), the contact confirms with the
link from the received mail, an organiser accepts it, the contact downloads the Urkunde with
the link from the acceptance mail, and its QR address opens the verification page; the
partner list names it. axe-core finds nothing and no page scrolls sideways
(``SCREENSHOTS=/some/dir`` keeps the screenshots)."""

from __future__ import annotations

import os
import re
import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from tests.e2e.conftest import CHROMIUM, WIDEST, Checked, sign_in_as
from tests.pdfs import page_texts
from tests.smtp import SmtpServer, text_body

pytestmark = pytest.mark.e2e

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(
        "Debian's chromium is not installed (make test installs it)", allow_module_level=True
    )

ORGANISER = "geschaeftsstelle@polizei-muenster.example"
CONTACT = "s.yildirim@kreis-wesel.example"
COORDINATOR = "koordination@stadt-hamm.example"


async def own_number(page: Page) -> str:
    link = await page.get_by_role("link", name="Urkunde herunterladen (PDF)").get_attribute("href")
    assert link
    return link.removeprefix("/urkunden/").removesuffix(".pdf")


def mail_to(smtp: SmtpServer, address: str, subject: str, count: int) -> EmailMessage:
    for message in reversed(smtp.inbox.wait_for(count, timeout=20)):
        if message["To"] == address and subject in str(message["Subject"]):
            return message
    raise AssertionError(f"no mail {subject!r} to {address}")


def path_in(message: EmailMessage, pattern: str) -> str:
    match = re.search(rf"https?://[^/\s]+({pattern}\S*)", text_body(message))
    assert match, text_body(message)
    return match.group(1)


@pytest.mark.parametrize("width", [1280, 390])
async def test_an_organisation_joins_and_gets_its_urkunde(
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
        await page.screenshot(path=str(tmp_path / f"joining-{width}-{name}.png"), full_page=True)

    await page.goto(server + "/")
    await page.get_by_role("link", name="Netzwerkpartner werden").click()
    await page.wait_for_url("**/netzwerkpartner-werden")
    await look("form")
    await page.get_by_role("button", name="Anfrage senden").click()
    await page.locator(".error-summary").wait_for()
    await look("refused")

    await page.get_by_label("Name der Organisation").fill("Kreis Wesel")
    await page.get_by_label("Bereich").select_option(label="Kommunal- und Landesverwaltung")
    await page.get_by_label("Regierungsbezirk").select_option("Düsseldorf")
    await page.get_by_label("Straße und Hausnummer oder Postfach").fill("Reeser Landstraße 31")
    await page.get_by_label("Postleitzahl").fill("46483")
    await page.get_by_label("Ort").fill("Wesel")
    await page.get_by_label("Name der Leitung").fill("Ingo Brohl")
    await page.get_by_label("Funktion der Leitung").fill("Landrat")
    await page.get_by_label("Vorname").fill("Selin")
    await page.get_by_label("Nachname").fill("Yıldırım")
    await page.get_by_label("Dienstliche E-Mail-Adresse").fill(CONTACT)
    await page.get_by_label("E-Mail-Domains der Organisation").fill("kreis-wesel.example")
    await page.get_by_label("Unsere Organisation darf in der öffentlichen Liste").check()
    before = len(smtp.inbox.messages)
    await page.get_by_role("button", name="Anfrage senden").click()
    await page.wait_for_url("**/netzwerkpartner-werden/gesendet")
    await look("sent")

    confirm = mail_to(smtp, CONTACT, "Bitte bestätigen", before + 1)
    await page.goto(server + path_in(confirm, "/netzwerkpartner-werden/bestaetigen"))
    await look("confirm")
    await page.get_by_role("button", name="Anfrage bestätigen").click()
    await page.get_by_role("heading", name="Vielen Dank").wait_for()
    await look("confirmed")
    await page.goto(server + path_in(confirm, "/netzwerkpartner-werden/bestaetigen"))
    await page.get_by_role("button", name="Anfrage bestätigen").click()
    await page.get_by_text("bereits verwendet").wait_for()
    await look("link-used")

    await sign_in_as(page, smtp, server, ORGANISER)
    await page.goto(server + "/verwaltung")
    await page.get_by_role("link", name="Aufnahmen").click()
    await page.wait_for_url("**/verwaltung/aufnahmen")
    await look("queue")
    await page.get_by_role("link", name="Kreis Wesel").click()
    await page.get_by_role("heading", name="Als neue Organisation aufnehmen").wait_for()
    await look("application")
    before = len(smtp.inbox.messages)
    await page.get_by_role("button", name="Aufnehmen", exact=True).click()
    await page.get_by_text("„Kreis Wesel“ ist aufgenommen").wait_for()
    await look("accepted")
    await page.context.clear_cookies()

    welcome = mail_to(smtp, CONTACT, "Willkommen im Netzwerk", before + 1)
    download = path_in(welcome, "/urkunden/")
    assert ".pdf?zugang=" in download
    answer = await page.request.get(server + download)
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    [text] = page_texts(await answer.body())
    assert "Kreis Wesel" in text and "Urkunde Nr." in text
    (tmp_path / f"joining-{width}-urkunde.pdf").write_bytes(await answer.body())

    await page.goto(server + path_in(welcome, "/urkunden/pruefen/"))
    await page.get_by_text("Gültig.").wait_for()
    await look("verify")
    await page.goto(server + "/netzwerkpartner")
    await (
        page.get_by_role("cell", name="Kreis Wesel")
        .or_(page.get_by_role("rowheader", name="Kreis Wesel"))
        .wait_for()
    )
    await look("partners")

    # The demo's organisation that joined a month ago: its coordinator and its back-office page.
    await sign_in_as(page, smtp, server, COORDINATOR)
    await page.get_by_role("link", name="Meine Organisation").click()
    await page.get_by_role("link", name="Organisation und Urkunde").click()
    await page.get_by_role("heading", name="Urkunde").wait_for()
    await look("own")
    pdf = await page.request.get(server + "/urkunden/" + await own_number(page) + ".pdf")
    assert pdf.status == 200 and "Stadt Hamm" in page_texts(await pdf.body())[0]
    await page.context.clear_cookies()
    await sign_in_as(page, smtp, server, ORGANISER)
    await page.goto(server + "/verwaltung/organisationen?q=Hamm")
    await page.get_by_role("link", name="Stadt Hamm").click()
    await page.get_by_role("heading", name="Urkunde").wait_for()
    await look("organisation")
    await context.close()

    assert checked.violations == {}
    assert too_wide == {}
    if os.environ.get("SCREENSHOTS"):
        for shot in [*tmp_path.glob("*.png"), *tmp_path.glob("*.pdf")]:
            shutil.copy(shot, os.environ["SCREENSHOTS"])
