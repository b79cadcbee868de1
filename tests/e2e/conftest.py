"""What the browser tests share: Debian's Chromium driven by Playwright, a demo server with
a real SMTP server, signing in with the link from the mail, and axe-core's checks."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Locator, Page, async_playwright

from tests.concurrency.server import running_server, server_env, sid
from tests.smtp import SmtpServer, text_body

DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM = (
    DEBIAN_CHROMIUM
    if Path(DEBIAN_CHROMIUM).exists()
    else shutil.which("chromium") or DEBIAN_CHROMIUM
)
"""Debian's package first: a ``chromium`` earlier on PATH may be some other build."""
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


def link_from(
    smtp: SmtpServer, address: str, base: str, *, since: int = 0, timeout: float = 15
) -> str:
    """The newest sign-in link mailed to ``address`` among the inbox's messages from index
    ``since`` on, waiting for it to arrive: other mails (a confirmation sent a moment
    earlier, say) may reach the inbox first."""
    deadline = time.monotonic() + timeout
    while True:
        for message in reversed(smtp.inbox.messages[since:]):
            if message["To"] == address:
                match = re.search(
                    r"https?://[^/\s]+(/anmelden/link\?token=\S+)", text_body(message)
                )
                if match:
                    return base + match.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no sign-in mail to {address}")
        time.sleep(0.05)


async def click_through(target: Locator) -> None:
    """Click a link or a form's button and wait until the page it leads to has loaded (a
    check right after a bare click may still see the old page, or none)."""
    async with target.page.expect_navigation():
        await target.click()


async def sign_in_as(page: Page, smtp: SmtpServer, server: str, address: str) -> None:
    before = len(smtp.inbox.messages)
    await page.goto(server + "/anmelden")
    await page.get_by_label("Dienstliche E-Mail-Adresse").fill(address)
    await page.get_by_role("button", name="Anmeldelink anfordern").click()
    await page.wait_for_url("**/anmelden/gesendet")
    await page.goto(link_from(smtp, address, server, since=before))
    await click_through(page.get_by_role("button", name="Jetzt anmelden"))


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
