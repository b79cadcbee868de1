"""The draw from the command line: recompute a stored draw and say whether it matches."""

from __future__ import annotations

import argparse

from booking.cli.base import CliError, database_sessions, run_command, settings_from_env
from booking.core.errors import DomainError
from booking.core.formatting import datetime_de
from booking.settings import Settings


def draw_verify(args: argparse.Namespace) -> int:
    return run_command(_verify(settings_from_env(), args.event_id))


async def _verify(settings: Settings, event_id: int) -> int:
    from booking.bookings import draw, draw_record

    async with database_sessions(settings) as sessions, sessions() as session:
        try:
            verdict = await draw_record.verify(session, event_id)
        except DomainError as exc:
            raise CliError(exc.message) from exc
        stored = await draw_record.stored_draw(session, event_id)
        assert stored is not None
        print(f"Veranstaltung {event_id}: Auslosung vom {datetime_de(stored.drawn_at)}")
        print(f"Verfahren: {stored.algorithm}")
        print(f"Seed: {stored.seed}")
        print(f"Prüfwert (SHA-256 des Seeds): {draw.commitment(stored.seed)}")
        print(f"Anfragen in der Auslosung: {verdict.requests}, freie Plätze: {stored.seats}")
    if verdict.matches:
        print("Ergebnis: Die Neuberechnung stimmt mit der gespeicherten Auslosung überein.")
        return 0
    for line in verdict.differences:
        print(f"  – {line}")
    print("Ergebnis: Die Neuberechnung weicht von der gespeicherten Auslosung ab.")
    return 1
