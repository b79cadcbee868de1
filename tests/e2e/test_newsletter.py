"""The newsletter in Chromium against a real server and a real SMTP server, at desktop width
and at 390 px: a visitor signs up (refused once), confirms with the link from the received
mail, an organiser writes an issue with a preview, tests it and sends it; the issue as
received (HTML and text) is shown, and its unsubscribe link ends the subscription. axe-core
finds nothing and no page scrolls sideways (``SCREENSHOTS=/some/dir`` keeps the
screenshots)."""

from __future__ import annotations

import html
import os
import re
import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.concurrency.server import server_env, sid
from tests.e2e.conftest import CHROMIUM, WIDEST, Checked, sign_in_as
from tests.smtp import SmtpServer, text_body

pytestmark = pytest.mark.e2e

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(
        "Debian's chromium is not installed (make test installs it)", allow_module_level=True
    )

ORGANISER = "geschaeftsstelle@polizei-muenster.example"
READER = "t.nowak@stadt-muenster.example"
BODY = """# Neues aus dem Netzwerk

Liebe Kolleginnen und Kollegen,

im Frühjahr bieten wir **zwei neue Termine** für das Deeskalationstraining *BIUS I* an.

## Termine

- 12.03.2027, Münster
- 26.03.2027, Dortmund (noch 4 Plätze)

Alle Termine stehen im [Programm](https://buchung.sicherimdienst.example/).

Herzliche Grüße
Ihre Geschäftsstelle
"""


def mail_to(smtp: SmtpServer, address: str, subject: str, count: int) -> EmailMessage:
    """The mail to ``address`` about ``subject`` among the messages from number ``count`` on
    (others, say to the demo's subscribers, may come first)."""
    return smtp.inbox.wait_until(
        lambda message: message["To"] == address and subject in str(message["Subject"]),
        since=count - 1,
        timeout=30,
    )


def path_in(message: EmailMessage, pattern: str) -> str:
    match = re.search(rf"https?://[^/\s]+({pattern}\S*)", text_body(message))
    assert match, text_body(message)
    return match.group(1)


@pytest.mark.parametrize("width", [1280, 390])
async def test_sign_up_write_send_read_and_unsubscribe(
    server: str, smtp: SmtpServer, browser: Browser, tmp_path: Path, width: int
) -> None:
    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    page = await context.new_page()
    checked = Checked(page)
    too_wide: dict[str, int] = {}

    async def look(name: str, check: bool = True) -> None:
        if check:
            await checked.check()
        if await page.evaluate(WIDEST) > await page.evaluate("window.innerWidth"):
            too_wide[name] = await page.evaluate(WIDEST)
        await page.screenshot(path=str(tmp_path / f"newsletter-{width}-{name}.png"), full_page=True)

    await page.goto(server + "/")
    await page.get_by_role("link", name="Newsletter").click()
    await page.get_by_label("Dienstliche E-Mail-Adresse").fill("jemand@anderswo.example")
    await page.get_by_role("button", name="Newsletter bestellen").click()
    await page.locator(".error-summary").wait_for()
    await look("sign-up-refused")
    await page.get_by_label("Dienstliche E-Mail-Adresse").fill(READER)
    await page.get_by_label("Ich willige ein").check()
    await look("sign-up")
    before = len(smtp.inbox.messages)
    await page.get_by_role("button", name="Newsletter bestellen").click()
    await page.wait_for_url("**/newsletter/gesendet")
    await look("sign-up-sent")
    confirm = mail_to(smtp, READER, "Bitte bestätigen", before + 1)
    assert "Neues aus dem Netzwerk" not in text_body(confirm)
    await page.goto(server + path_in(confirm, "/newsletter/bestaetigen"))
    await page.get_by_role("button", name="Anmeldung bestätigen").click()
    await page.get_by_role("heading", name="Sie erhalten jetzt den Newsletter").wait_for()
    await look("confirmed")

    await sign_in_as(page, smtp, server, ORGANISER)
    await page.goto(server + "/verwaltung")
    await page.get_by_role("link", name="Newsletter", exact=True).first.click()
    await page.get_by_role("link", name="Neue Ausgabe schreiben").click()
    await page.get_by_label("Betreff").fill(f"Neues aus dem Netzwerk ({width})")
    await page.get_by_label("Text (Markdown)").fill(BODY)
    await page.get_by_role("button", name="Vorschau").click()
    await page.get_by_role("heading", name="Vorschau (noch nicht gespeichert)").wait_for()
    await look("editor-preview")
    await page.get_by_role("button", name="Entwurf speichern").click()
    await page.get_by_text("Der Entwurf ist gespeichert.").wait_for()
    await look("editor-saved")
    before = len(smtp.inbox.messages)
    await page.get_by_role("button", name="Test an mich senden").click()
    await page.get_by_text("Die Testausgabe geht an").wait_for()
    mail_to(smtp, ORGANISER, "[Test]", before + 1)
    await page.get_by_role("link", name="Versenden …").click()
    await page.wait_for_url("**/senden")
    await look("send-confirm")
    before = len(smtp.inbox.messages)
    await page.get_by_role("button", name=re.compile(r"Jetzt an \d+ senden")).click()
    await page.get_by_text("Der Versand hat begonnen").wait_for()
    env = server_env(f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}", tmp_path)
    sid(["jobs", "run", "newsletter-sending"], env)
    issue = mail_to(smtp, READER, f"Neues aus dem Netzwerk ({width})", before + 1)
    await page.reload()
    await look("progress")

    # the issue as received: its HTML part in the browser, and its text part
    assert str(issue["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    html_part = issue.get_body(("html",))
    assert html_part is not None
    await page.goto("about:blank")  # the mail's own styles, not the site's CSP
    await page.set_content(str(html_part.get_content()))
    await look("received-html", check=False)
    await page.set_content(  # the text part as a mail program shows it
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Textteil</title>'
        '<meta name="viewport" content="width=device-width">'
        '</head><body><pre style="white-space:pre-wrap;overflow-wrap:anywhere;'
        'font:15px/1.5 monospace;margin:16px">'
        f"{html.escape(text_body(issue))}</pre></body></html>"
    )
    await look("received-text", check=False)

    await page.context.clear_cookies()
    await page.goto(server + path_in(issue, "/newsletter/abmelden/"))
    await look("unsubscribe")
    await page.get_by_role("button", name="Newsletter abbestellen").click()
    await page.get_by_role("heading", name="Newsletter abbestellt").wait_for()
    await look("unsubscribed")
    await context.close()

    assert checked.violations == {}
    assert too_wide == {}
    if os.environ.get("SCREENSHOTS"):
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, os.environ["SCREENSHOTS"])
