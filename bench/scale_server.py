"""Starting ``sid serve`` as a user would, reading its memory, signing in through the mail,
and the little HTML reading that needs (forms and their hidden fields, links by text)."""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx

SID = Path(sys.executable).with_name("sid")
LINK = re.compile(r"https?://[^\s\"'<>]+/anmelden/link\?token=[^\s\"'<>]+")


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Page:
    forms: list[Form] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)
    """(href, rel, text) of every ``<a>``."""

    def form(self, action: str) -> Form | None:
        """The first form whose action is ``action`` (a path, maybe with a query)."""
        return next((f for f in self.forms if f.action.split("?")[0] == action), None)

    def any_csrf(self) -> str | None:
        return next((f.fields["csrf_token"] for f in self.forms if "csrf_token" in f.fields), None)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._link: tuple[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.page.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag == "input" and self.page.forms and a.get("name"):
            if a.get("type", "text") in ("hidden", "text", "email") or "value" in a:
                self.page.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "a":
            self._link, self._text = (a.get("href", ""), a.get("rel", "")), []

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            text = " ".join("".join(self._text).split())
            self.page.links.append((self._link[0], self._link[1], text))
            self._link = None


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    return reader.page


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, mail_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMTP_")}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="bench-scale-secret-" + "x" * 32,
        MAIL_DIR=str(mail_dir),
        BASE_URL=f"http://127.0.0.1:{port}",
        # Ten years of seeded data are mostly past every retention period: the daily
        # privacy-retention job would spend its first run deleting and anonymising them
        # while the pages are timed. The pages are measured without the jobs.
        JOBS="off",
    )
    return env


def sid(args: list[str], env: dict[str, str]) -> str:
    """Run a ``sid`` command; its standard output."""
    done = subprocess.run(
        [str(SID), *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"sid {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path
    mail_dir: Path
    env: dict[str, str]

    def memory(self) -> dict[str, int]:
        """VmRSS and VmHWM of the server process, in bytes (empty off Linux)."""
        values = {}
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) * 1024
        return values

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def running_server(database_url: str, work: Path) -> Iterator[Server]:
    """``sid serve`` (one process, the mail going to files) on a free port, up once
    ``/healthz`` answers."""
    port = free_port()
    mail_dir = work / "mail"
    mail_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(database_url, mail_dir, port)
    log_path = work / f"server-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(SID), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Server(f"http://127.0.0.1:{port}", process, log_path, mail_dir, env)
        try:
            _wait_until_up(server)
            yield server
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"sid serve exited early:\n{server.log_tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.base + "/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"sid serve did not answer /healthz within 120 s:\n{server.log_tail()}")


def sign_in(client: httpx.Client, server: Server, address: str) -> None:
    """The real flow: ask for a link, take it from the mail the server wrote, confirm it."""
    before = set(server.mail_dir.iterdir())
    page = read_page(client.get("/anmelden").text)
    form = page.form("/anmelden")
    if form is None:
        raise RuntimeError("no sign-in form on /anmelden")
    answer = client.post("/anmelden", data={**form.fields, "email": address})
    if answer.status_code != 303:
        raise RuntimeError(f"POST /anmelden answered {answer.status_code}")
    link = _wait_for_link(server, address, before)
    page = read_page(client.get(link).text)
    form = page.form("/anmelden/link")
    if form is None:
        raise RuntimeError("the sign-in link shows no form")
    answer = client.post("/anmelden/link", data=form.fields)
    if answer.status_code != 303:
        raise RuntimeError(f"POST /anmelden/link answered {answer.status_code}")


def _wait_for_link(server: Server, address: str, before: set[Path]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for path in sorted(set(server.mail_dir.iterdir()) - before):
            if path.suffix != ".eml":
                continue
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address not in str(message["To"]):
                continue
            body = message.get_body(preferencelist=("plain",))
            found = LINK.search(body.get_content() if body is not None else "")
            if found:
                parts = urlsplit(found.group(0))
                return f"{parts.path}?{parts.query}"
        time.sleep(0.2)
    raise RuntimeError(f"no sign-in mail for {address} within 60 s")
