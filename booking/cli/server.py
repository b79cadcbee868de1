"""Serving the app, migrating the database, loading the demo."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import func, select

from booking.cli.base import database_sessions, run_command, settings_from_env
from booking.core.db import utcnow
from booking.core.migrate import upgrade
from booking.members.models import Member
from booking.organisations.models import Organisation
from booking.settings import Settings
from courses.models import Event


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    settings = settings_from_env()
    upgrade(settings.database_url)
    uvicorn.run(
        "booking.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        access_log=args.access_log,
        **server_options(settings),
    )
    return 0


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options that follow from the settings.

    Proxy headers are believed only from the proxies in ``FORWARDED_ALLOW_IPS`` (uvicorn
    itself would believe any from loopback); then ``request.client`` is the address the
    proxy reports, and the per-client limits key on it. No ``server`` header: it tells an
    attacker the software and nothing to anyone else. ``Date`` stays, as HTTP asks of a
    server with a clock.
    """
    return {
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": list(settings.forwarded_allow_ips),
        "server_header": False,
        "date_header": True,
    }


def migrate(args: argparse.Namespace) -> int:
    upgrade(settings_from_env().database_url)
    print("Die Datenbank ist auf dem neuesten Stand.")
    return 0


def demo(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    upgrade(settings.database_url)
    return run_command(_load_demo(settings))


async def _load_demo(settings: Settings) -> int:
    from booking.demo import COORDINATOR_EMAIL, ORGANISER_EMAIL, load_demo

    async with database_sessions(settings) as sessions, sessions() as session:
        if not await load_demo(session, utcnow()):
            print("Es gibt bereits Veranstaltungen – die Demodaten wurden nicht geladen.")
            return 0
        counts = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (Event, Organisation, Member)
        ]
    print(
        "Demodaten geladen: {} Veranstaltungen, {} Organisationen, {} Mitglieder.".format(*counts)
    )
    print(f"Anmelden als Geschäftsstelle mit {ORGANISER_EMAIL}.")
    print(f"Anmelden als Koordination (Gesamtschule Dortmund-Nord) mit {COORDINATOR_EMAIL}.")
    if not settings.smtp_host:
        print(f"Ohne SMTP-Server liegen die Anmeldelinks als Dateien unter {settings.mail_dir}.")
    return 0
