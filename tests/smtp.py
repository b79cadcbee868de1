"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from icalendar import Calendar

from tests.concurrency.server import free_port


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)
    stall_rcpt_seconds: float = 0.0
    rcpt_seen: threading.Event = field(default_factory=threading.Event)
    stall_data_seconds: float = 0.0
    """Keep a message, then wait this long before answering: a sender killed meanwhile has
    handed the message over without learning that it was taken."""
    data_seen: threading.Event = field(default_factory=threading.Event)
    refuse: dict[str, str] = field(default_factory=dict)
    """Recipient address → the SMTP reply that refuses it (e.g. "550 5.1.1 …")."""
    logins: list[str] = field(default_factory=list)
    peers: list[object] = field(default_factory=list)
    """The client's end of the connection each message came over, in order."""
    hang_up: bool = False
    """Close the connection after each message, as a server may between messages."""

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.rcpt_seen.set()
        if self.stall_rcpt_seconds:
            await asyncio.sleep(self.stall_rcpt_seconds)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.peers.append(session.peer)
        self.data_seen.set()
        if self.hang_up:  # after the reply, which is written before the next turn of the loop
            asyncio.get_running_loop().call_soon(server.transport.close)
        if self.stall_data_seconds:
            await asyncio.sleep(self.stall_data_seconds)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)

    def wait_until(
        self, wanted: Callable[[EmailMessage], bool], *, since: int = 0, timeout: float = 20
    ) -> EmailMessage:
        """The first message from index ``since`` on that ``wanted`` accepts, waiting for it:
        mails from an outbox arrive in no promised order."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages[since:]:
                if wanted(message):
                    return message
            if time.monotonic() > deadline:
                raise AssertionError("no such message arrived")
            time.sleep(0.05)


class SmtpServer:
    def __init__(
        self,
        port: int | None = None,
        *,
        login: tuple[str, str] | None = None,
        tls: str | None = None,
        certificate: Any = None,
    ) -> None:
        """``tls``: None, "starttls" (required before MAIL) or "tls" (implicit, from the
        first byte); ``certificate``: a trustme LeafCert for 127.0.0.1."""
        self.port = port or free_port()
        self.inbox = Inbox()
        kwargs: dict[str, Any] = {}
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            certificate.configure_cert(context)
            if tls == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            else:
                kwargs.update(ssl_context=context)
        if login is not None:

            def authenticate(
                server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
            ) -> AuthResult:
                ok = (
                    isinstance(auth_data, LoginPassword)
                    and (auth_data.login.decode(), auth_data.password.decode()) == login
                )
                if ok:
                    self.inbox.logins.append(login[0])
                return AuthResult(success=ok)

            kwargs.update(authenticator=authenticate, auth_require_tls=False)
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def calendar_part(message: EmailMessage) -> tuple[str, Calendar]:
    """The text/calendar alternative: its method parameter and the parsed calendar."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            method = str(part.get_param("method"))
            return method, Calendar.from_ical(part.get_content())
    raise AssertionError("no text/calendar part")


def ics_attachment(message: EmailMessage) -> Calendar:
    for part in message.iter_attachments():
        if part.get_filename() == "einladung.ics":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return Calendar.from_ical(payload)
    raise AssertionError("no .ics attachment")


def text_body(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())
