"""Certificates from the command line: issue an event's."""

from __future__ import annotations

import argparse

from booking.cli.base import CliError, database_sessions, run_command, settings_from_env
from booking.core.db import utcnow
from booking.core.errors import DomainError
from booking.members.services import member_by_email
from booking.settings import Settings


def certificates_issue(args: argparse.Namespace) -> int:
    return run_command(_issue(settings_from_env(), args.event_id, args.by))


async def _issue(settings: Settings, event_id: int, by: str | None) -> int:
    from courses.certificates import services

    async with database_sessions(settings) as sessions, sessions() as session:
        actor = None  # the operator, unless a trainer or organiser is named
        if by is not None:
            actor = await member_by_email(session, by.strip().lower())
            if actor is None:
                raise CliError(f"Unter {by} ist kein Mitglied bekannt.")
        try:
            issued = await services.issue(session, event_id=event_id, actor=actor, now=utcnow())
        except DomainError as exc:
            raise CliError(exc.message) from exc
        for n, certificate in enumerate(issued, start=1):
            print(f"[{n}/{len(issued)}] {certificate.number}  {certificate.participant_name}")
    print(
        f"{len(issued)} Bescheinigung(en) ausgestellt."
        if issued
        else "Alle Bescheinigungen dieser Veranstaltung sind bereits ausgestellt."
    )
    return 0
