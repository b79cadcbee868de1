"""The newsletter from the command line: send an issue and follow its progress, show the
progress, end a subscription (say after a mail to the List-Unsubscribe address)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.cli.base import CliError, database_sessions, run_command, settings_from_env
from booking.core.db import utcnow
from booking.core.errors import DomainError
from booking.members.models import Member
from booking.members.services import member_by_email
from booking.newsletter import issues, sending
from booking.newsletter.models import IssueStatus
from booking.newsletter.sending import Progress
from booking.settings import Settings

POLL_SECONDS = 1.0


def newsletter_send(args: argparse.Namespace) -> int:
    try:
        return run_command(
            _send(settings_from_env(), args.issue_id, args.by, args.deliver, args.wait)
        )
    except KeyboardInterrupt:
        print("Beobachtung beendet; der Versand läuft im Hintergrund weiter.")
        return 0


def newsletter_status(args: argparse.Namespace) -> int:
    return run_command(_status(settings_from_env(), args.issue_id))


def newsletter_unsubscribe(args: argparse.Namespace) -> int:
    return run_command(_unsubscribe(settings_from_env(), args.email))


async def _actor(session: AsyncSession, by: str | None) -> Member | None:
    if by is None:
        return None  # the operator
    actor = await member_by_email(session, by.strip().lower())
    if actor is None:
        raise CliError(f"Unter {by} ist kein Mitglied bekannt.")
    return actor


def _line(done: Progress) -> str:
    total = done.total
    failed = f", {done.failed} nicht zustellbar" if done.failed else ""
    return f"{done.queued}/{total} im Postausgang, {done.sent}/{total} versandt{failed}"


async def _progress(sessions: async_sessionmaker[AsyncSession], issue_id: int) -> Progress:
    async with sessions() as session:
        issue = await issues.get_issue(session, issue_id, None)
        return await sending.progress(session, issue)


async def _send(
    settings: Settings, issue_id: int, by: str | None, deliver: bool, wait: bool
) -> int:
    async with database_sessions(settings) as sessions:
        async with sessions() as session:
            actor = await _actor(session, by)
            try:
                issue = await issues.get_issue(session, issue_id, actor)
                if issue.status == IssueStatus.DRAFT:
                    issue = await issues.start_sending(
                        session, issue_id=issue_id, actor=actor, now=utcnow()
                    )
                    print(f"Versand von „{issue.subject}“ an {issue.recipients} begonnen.")
                else:
                    print(f"„{issue.subject}“ wird bereits versendet; Stand:")
            except DomainError as exc:
                raise CliError(exc.message) from exc
        while True:
            async with sessions() as session:
                written = await sending.queue_batch(session, issue_id, utcnow())
            if not written:
                break
            print(_line(await _progress(sessions, issue_id)), flush=True)
        sender = None
        if deliver:
            from booking.app import mail_renderer
            from booking.mail.sender import run_sender

            sender = asyncio.create_task(run_sender(settings, sessions, mail_renderer()))
        try:
            last = ""
            while wait or deliver:
                done = await _progress(sessions, issue_id)
                line = _line(done)
                if line != last:
                    print(line, flush=True)
                    last = line
                if done.done:
                    break
                await asyncio.sleep(POLL_SECONDS)
        finally:
            if sender is not None:
                sender.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sender
        print(_line(await _progress(sessions, issue_id)))
    return 0


async def _status(settings: Settings, issue_id: int) -> int:
    async with database_sessions(settings) as sessions:
        try:
            print(_line(await _progress(sessions, issue_id)))
        except DomainError as exc:
            raise CliError(exc.message) from exc
    return 0


async def _unsubscribe(settings: Settings, email: str) -> int:
    from booking.newsletter.services import unsubscribe_email

    async with database_sessions(settings) as sessions, sessions() as session:
        ended = await unsubscribe_email(session, email=email, now=utcnow())
    print(
        f"{email.strip().lower()} ist vom Newsletter abgemeldet."
        if ended
        else f"{email.strip().lower()} hat keinen Newsletter abonniert."
    )
    return 0
