"""Delivering the outbox: claim due messages, render, send, mark sent; retry with back-off.

A round of messages is claimed by setting ``locked_until`` in a short transaction (on
PostgreSQL the candidates are read with ``FOR UPDATE SKIP LOCKED``, so two senders never
claim the same row); each is sent outside any transaction, over one SMTP connection for the
round, and marked sent right after the SMTP server's reply to it.
A sender that dies after claiming leaves the claim to expire, and the message is tried again.

Delivery is at least once: a sender killed between the server's reply and the mark (a few
milliseconds) sends that message again. Every attempt carries the same ``Message-ID``, so
receivers can drop the second copy. After ``MAX_ATTEMPTS`` failures, or a permanent refusal
of the recipient, the row is marked failed (a dead letter) and is not tried again until an
organiser queues it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib
from sqlalchemy import case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.core.db import is_unavailable, utcnow
from booking.core.logtext import clean, escape_controls
from booking.core.transactions import write_transaction
from booking.mail.models import OutboxMessage
from booking.mail.render import MailRenderer, RenderedMail
from booking.settings import Settings

log = logging.getLogger("booking.mail")

CLAIM_SECONDS = 120
BATCH = 50
MAX_BACKOFF = timedelta(hours=1)
MAX_ATTEMPTS = 12
"""With the back-off below, the last attempt comes about five hours after the first: an SMTP
server that is down for a morning loses nothing, and a message that cannot be delivered
becomes a dead letter the same day, listed for the organisers under /verwaltung/mail."""
POLL_SECONDS = 1.0
GIVE_WAY_SECONDS = 1.0

GiveWay = Callable[[float], Awaitable[None]]


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … at most one hour."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


async def claim_due(
    sessions: async_sessionmaker[AsyncSession], now: datetime, limit: int = BATCH
) -> list[int]:
    async with sessions() as session, write_transaction(session):
        query = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
            )
            # A member waiting at the sign-in page comes before a thousand confirmations, and
            # a booking's mail before the thousands of a newsletter issue queued earlier.
            .order_by(
                case(
                    (OutboxMessage.template == "sign_in_link", 0),
                    (OutboxMessage.template == "newsletter_issue", 2),
                    else_=1,
                ),
                OutboxMessage.id,
            )
            .limit(limit)
        )
        if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
            query = query.with_for_update(skip_locked=True)
        ids = list(await session.scalars(query))
        if not ids:
            return []
        # The claim repeats the condition, so it never takes a row another sender holds.
        result = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
            )
            .values(
                locked_until=now + timedelta(seconds=CLAIM_SECONDS),
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(OutboxMessage.id)
        )
        claimed = set(result.scalars())
        return [message_id for message_id in ids if message_id in claimed]


PROTECTED_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "subject", "date", "message-id", "auto-submitted"}
)
"""Headers a message's own headers may not replace or add a second time."""


def message_id(settings: Settings, message: OutboxMessage) -> str:
    """The ``Message-ID`` of an outbox row: the same on every attempt."""
    key = message.message_key or f"{message.created_at.timestamp():.0f}"
    return f"<outbox-{message.id}.{key}@{settings.mail_domain}>"


def build_email(settings: Settings, message: OutboxMessage, rendered: RenderedMail) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = message.recipient
    mail["Subject"] = rendered.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message_id(settings, message)
    mail["Auto-Submitted"] = "auto-generated"
    for name, value in rendered.headers.items():
        if name.lower() not in PROTECTED_HEADERS:
            mail[name] = value
    mail.set_content(rendered.text)
    mail.add_alternative(rendered.html, subtype="html")
    for part in rendered.calendar_parts:
        mail.add_alternative(
            part.ics, subtype="calendar", params={"method": part.method, "charset": "utf-8"}
        )
    for part in rendered.calendar_parts:
        mail.add_attachment(
            part.ics.encode(), maintype="application", subtype="ics", filename="einladung.ics"
        )
    return mail


Accepted = Callable[[], Awaitable[None]]


class Outlet:
    """Where one round of messages goes: a single SMTP connection for the whole round
    (opened with its first message, closed at its end or after a failure), or files in
    ``mail_dir`` when no SMTP host is set."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    async def deliver(
        self, mail: EmailMessage, message_id: int, recipient: str, accepted: Accepted
    ) -> None:
        """Hand ``mail`` over for exactly ``recipient`` (the stored address: the envelope
        is never read back from the headers, where one text could name several mailboxes),
        then call ``accepted`` at once, right after the SMTP server's reply to the message.

        A server may hang up a connection kept open between messages; the message then
        goes over a new one. Any other failure closes the connection, so the next message
        starts afresh."""
        if not self.settings.smtp_host:
            self._write_file(mail, message_id)
            await accepted()
            return
        while True:
            kept = self._client is not None
            try:
                await self._send(mail, recipient)
                break
            except aiosmtplib.SMTPServerDisconnected:
                self._drop()
                if not kept:  # a new connection hung up: that is a failure
                    raise
            except BaseException:
                self._drop()
                raise
        await accepted()

    async def close(self) -> None:
        """Say goodbye (QUIT); the messages are out, so a failed goodbye changes nothing."""
        client, self._client = self._client, None
        if client is not None:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()

    def _write_file(self, mail: EmailMessage, message_id: int) -> None:
        self.settings.mail_dir.mkdir(parents=True, exist_ok=True)
        path = self.settings.mail_dir / f"{message_id:08d}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(bytes(mail))
        tmp.replace(path)

    async def _send(self, mail: EmailMessage, recipient: str) -> None:
        if self._client is None:
            settings = self.settings
            client = aiosmtplib.SMTP(
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username or None,
                password=settings.smtp_password or None,
                use_tls=settings.smtp_security == "tls",
                start_tls=settings.smtp_security == "starttls",
                cert_bundle=settings.smtp_ca_file or None,
                timeout=30,
            )
            await client.connect()
            self._client = client
        await self._client.send_message(
            mail, sender=self.settings.mail_address, recipients=[recipient]
        )

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


class NotMarkedSent(Exception):
    """The SMTP server took the message, but recording that failed (the database went
    away): the claim expires and the message goes out once more, same Message-ID."""


def is_permanent(exc: Exception) -> bool:
    """The server refused the recipient for good (a 5xx answer): retrying cannot help."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(500 <= r.code < 600 for r in exc.recipients)
    return isinstance(exc, aiosmtplib.SMTPRecipientRefused) and 500 <= exc.code < 600


async def claimed_messages(
    sessions: async_sessionmaker[AsyncSession], ids: list[int]
) -> list[OutboxMessage]:
    """A claimed round's rows, read in one statement, in the claim's order. Nobody else
    changes a claimed row (a withdrawal leaves it alone), so they stay as read while the
    round is sent."""
    async with sessions() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


async def send_one(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    renderer: MailRenderer,
    message: OutboxMessage,
    outlet: Outlet,
) -> bool:
    if message.sent_at is not None or message.failed_at is not None:
        return False
    message_id = message.id
    attempts, template, recipient = message.attempts, message.template, message.recipient
    async with sessions() as session:

        async def mark_sent() -> None:
            try:
                async with write_transaction(session):
                    await session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id == message_id)
                        .values(sent_at=utcnow(), locked_until=None, last_error="")
                    )
            except Exception as exc:
                raise NotMarkedSent() from exc

        try:
            rendered = await renderer.render(session, settings, message)
            mail = build_email(settings, message, rendered)
            await session.commit()  # hold no transaction while the SMTP server talks
            await outlet.deliver(mail, message_id, recipient, mark_sent)
        except NotMarkedSent as exc:
            log.error(
                "outbox %d: delivered but not marked sent (%s); it will go out again with "
                "the same Message-ID",
                message_id,
                clean(exc.__cause__),
            )
            return True
        except Exception as exc:  # any failure is recorded and retried later
            await _record_failure(session, message_id, template, attempts, exc)
            return False
        return True


async def _record_failure(
    session: AsyncSession, message_id: int, template: str, attempts: int, exc: Exception
) -> None:
    error = clean(f"{type(exc).__name__}: {exc}")
    give_up = attempts >= MAX_ATTEMPTS or is_permanent(exc)
    if give_up:
        log.error(
            "outbox %d (%s): given up after %d attempt(s): %s",
            message_id,
            template,
            attempts,
            error,
        )
    else:
        log.warning(
            "outbox %d (%s): attempt %d of %d failed: %s",
            message_id,
            template,
            attempts,
            MAX_ATTEMPTS,
            error,
        )
    await session.rollback()  # whatever failed, start the bookkeeping afresh
    now = utcnow()
    async with write_transaction(session):
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(
                # Kept for the organisers (who see the recipient anyway): the whole answer,
                # control characters escaped (PostgreSQL refuses NUL in text).
                last_error=escape_controls(f"{type(exc).__name__}: {exc}")[:2000],
                next_attempt_at=now + backoff(attempts),
                locked_until=None,
                failed_at=now if give_up else None,
            )
        )


async def send_due(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    renderer: MailRenderer,
    give_way: GiveWay | None = None,
) -> int:
    """Deliver every message that is due now; returns how many were sent.

    With ``give_way`` (the server's :meth:`booking.core.middleware.InFlight.quiet`), each
    message first waits for a moment without requests; a claimed round of messages waits
    ``GIVE_WAY_SECONDS`` at most in all. In a rush the mails follow a second later, and
    under steady load a round still goes out every second.
    """
    loop = asyncio.get_running_loop()
    sent = 0
    while True:
        ids = await claim_due(sessions, utcnow())
        if not ids:
            return sent
        give_way_until = loop.time() + GIVE_WAY_SECONDS
        outlet = Outlet(settings)
        try:
            for message in await claimed_messages(sessions, ids):
                if give_way is not None:
                    await give_way(max(0.0, give_way_until - loop.time()))
                sent += await send_one(settings, sessions, renderer, message, outlet)
        finally:
            await outlet.close()


async def run_sender(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    renderer: MailRenderer,
    give_way: GiveWay | None = None,
) -> None:
    """Deliver the outbox until cancelled."""
    while True:
        try:
            await send_due(settings, sessions, renderer, give_way)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if is_unavailable(exc):  # one line a second while the database is away
                log.warning("mail sender: database unavailable: %s", clean(exc))
            else:
                log.exception("mail sender round failed")
        await asyncio.sleep(POLL_SECONDS)
