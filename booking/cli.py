"""The ``sid`` command: serve the app, migrate, load demo data, manage members, send mail,
run jobs.

Each database command builds its own engine from ``DATABASE_URL`` and disposes of it; the
work itself is done by the same service functions that the web pages and the API call.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import signal
import sys
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.core.db import create_engine, session_factory, utcnow
from booking.core.errors import DomainError, NotFound
from booking.core.formatting import datetime_de
from booking.core.migrate import upgrade
from booking.jobs import messages as job_messages
from booking.jobs.queries import status_line, statuses
from booking.jobs.scheduler import Job, load_jobs, run_jobs, run_now
from booking.members.models import ROLES, Member
from booking.members.services import (
    ImportRow,
    grant_role,
    import_members,
    members_by_email,
    normalise_email,
)
from booking.members.tokens import (
    TOKEN_DAYS,
    api_tokens_for_email,
    issue_api_tokens,
    revoke_api_token,
)
from booking.organisations.importing import ImportRow as OrganisationRow
from booking.organisations.importing import import_organisations
from booking.organisations.messages import IMPORT_NOTHING_WRITTEN
from booking.organisations.models import Organisation
from booking.settings import Settings
from courses.models import Event

IMPORT_COLUMNS = ("email", "first_name", "last_name", "organisation")
ORGANISATION_COLUMNS = ("name", "sector", "region", "domains")
MIGRATE_FIRST = "Bitte zuerst „sid migrate“ ausführen."
ROLE_NAMES = {"member": "Mitglied", "trainer": "Trainerin/Trainer", "organiser": "Geschäftsstelle"}


class CliError(Exception):
    """A problem the operator can fix; printed without a traceback, exit code 1."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result: int = args.run(args)
    except (CliError, DomainError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sid", description="Buchungsplattform des Präventionsnetzwerks #sicherimDienst"
    )
    commands = parser.add_subparsers(title="Befehle", metavar="BEFEHL", required=True)

    serve = commands.add_parser("serve", help="Datenbank migrieren und den Webserver starten")
    serve.add_argument("--host", default="127.0.0.1", help="Adresse (Standard: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="Port (Standard: 8000)")
    serve.add_argument("--workers", type=int, default=1, help="Anzahl der Prozesse")
    serve.add_argument("--reload", action="store_true", help="bei Codeänderungen neu starten")
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="jede Anfrage mit IP-Adresse protokollieren (Standard: aus; das übernimmt der "
        "vorgeschaltete Webserver)",
    )
    serve.set_defaults(run=_serve)

    commands.add_parser("migrate", help="Datenbank auf den neuesten Stand bringen").set_defaults(
        run=_migrate
    )
    commands.add_parser(
        "demo", help="Datenbank migrieren und Demodaten laden, falls noch leer"
    ).set_defaults(run=_demo)

    members = commands.add_parser("members", help="Mitglieder verwalten")
    member_commands = members.add_subparsers(metavar="BEFEHL", required=True)
    import_ = member_commands.add_parser(
        "import", help="Mitglieder aus CSV (email, first_name, last_name, organisation)"
    )
    import_.add_argument("file", type=Path, metavar="DATEI.csv")
    import_.set_defaults(run=_members_import)
    grant = member_commands.add_parser("grant", help="Rolle vergeben")
    grant.add_argument("email", metavar="E-MAIL")
    grant.add_argument("role", metavar="ROLLE", help="member, trainer oder organiser")
    grant.set_defaults(run=_members_grant)

    organisations = commands.add_parser("organisations", help="Organisationen verwalten")
    organisation_commands = organisations.add_subparsers(metavar="BEFEHL", required=True)
    org_import = organisation_commands.add_parser(
        "import",
        help="Organisationen aus CSV (name, sector, region, domains) anlegen oder aktualisieren",
    )
    org_import.add_argument("file", type=Path, metavar="DATEI.csv")
    org_import.set_defaults(run=_organisations_import)

    token = commands.add_parser(
        "token",
        help="API-Token ausgeben (eines je Adresse), auflisten oder widerrufen",
        description="sid token [--days N] [--name TEXT] E-MAIL …: ein neues Token je Adresse, "
        "eines je Zeile, in dieser Reihenfolge. sid token list E-MAIL: die Token einer Person "
        "(ohne das Geheimnis). sid token revoke ID …: Token mit diesen Nummern widerrufen.",
    )
    token.add_argument(
        "--days",
        type=int,
        default=TOKEN_DAYS,
        help=f"Gültigkeit in Tagen (Standard: {TOKEN_DAYS})",
    )
    token.add_argument("--name", default="", help="Bezeichnung, z. B. der Zweck des Tokens")
    token.add_argument("emails", nargs="+", metavar="E-MAIL | list E-MAIL | revoke ID")
    token.set_defaults(run=_token)

    mail = commands.add_parser("mail", help="Nachrichten aus dem Postausgang versenden")
    mail_commands = mail.add_subparsers(metavar="BEFEHL", required=True)
    mail_commands.add_parser("send", help="fällige Nachrichten einmal versenden").set_defaults(
        run=_mail_send
    )
    mail_commands.add_parser("worker", help="laufend versenden (bis Strg+C)").set_defaults(
        run=_mail_worker
    )

    jobs = commands.add_parser("jobs", help="regelmäßige Aufgaben (Jobs)")
    job_commands = jobs.add_subparsers(metavar="BEFEHL", required=True)
    job_commands.add_parser(
        "list", help="jeden Job mit letztem und nächstem Lauf zeigen"
    ).set_defaults(run=_jobs_list)
    run = job_commands.add_parser("run", help="einen Job jetzt einmal ausführen")
    run.add_argument("name", metavar="NAME")
    run.set_defaults(run=_jobs_run)
    job_commands.add_parser(
        "worker", help="Jobs laufend ausführen, getrennt vom Webserver (bis Strg+C)"
    ).set_defaults(run=_jobs_worker)
    return parser


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        raise CliError(str(exc)) from exc


@asynccontextmanager
async def _sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = make_url(settings.database_url)
    path = url.database if url.get_backend_name() == "sqlite" else None
    if path and path != ":memory:" and not Path(path).exists():
        raise CliError(f"Die Datenbank {path} gibt es noch nicht. {MIGRATE_FIRST}")
    engine = create_engine(settings.database_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


def _run(work: Coroutine[Any, Any, int]) -> int:
    try:
        return asyncio.run(work)
    except DBAPIError as exc:
        text = str(exc.orig)
        if "no such table" in text or "UndefinedTable" in type(exc.orig).__name__ + text:
            raise CliError(f"Die Datenbank ist noch nicht eingerichtet. {MIGRATE_FIRST}") from exc
        raise


# -- server and database ----------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings()
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


def _migrate(args: argparse.Namespace) -> int:
    upgrade(_settings().database_url)
    print("Die Datenbank ist auf dem neuesten Stand.")
    return 0


def _demo(args: argparse.Namespace) -> int:
    settings = _settings()
    upgrade(settings.database_url)
    return _run(_load_demo(settings))


async def _load_demo(settings: Settings) -> int:
    from booking.demo import ORGANISER_EMAIL, load_demo

    async with _sessions(settings) as sessions, sessions() as session:
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
    if not settings.smtp_host:
        print(f"Ohne SMTP-Server liegen die Anmeldelinks als Dateien unter {settings.mail_dir}.")
    return 0


# -- members and tokens -----------------------------------------------------------------------


def _members_import(args: argparse.Namespace) -> int:
    rows = read_import_file(args.file)
    return _run(_import(_settings(), rows))


def read_import_file(path: Path) -> list[ImportRow]:
    """Member rows of a UTF-8 CSV file (with or without BOM) separated by ``;`` or ``,``."""
    return [ImportRow(**values, line=line) for values, line in read_csv(path, IMPORT_COLUMNS)]


def read_csv(path: Path, columns: Sequence[str]) -> list[tuple[dict[str, str], int]]:
    """The given columns of every row of a UTF-8 CSV file (with or without BOM) separated by
    ``;`` or ``,``, each with the line it starts on."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise CliError(f"Die Datei {path} kann nicht gelesen werden ({exc.strerror}).") from exc
    except UnicodeDecodeError as exc:
        raise CliError(
            f"Die Datei {path} ist nicht UTF-8-kodiert. Bitte als „CSV UTF-8“ speichern."
        ) from exc
    header = text.partition("\n")[0]
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in columns if column not in reader.fieldnames]
    if missing:
        raise CliError(
            f"In der Kopfzeile fehlen die Spalten: {', '.join(missing)}. Erwartet werden "
            f"{', '.join(columns)}."
        )
    rows = []
    try:
        for row in reader:
            line = reader.line_num
            rows.append(({column: (row.get(column) or "") for column in columns}, line))
    except csv.Error as exc:
        raise CliError(
            f"Zeile {reader.line_num}: die Datei ist kein gültiges CSV ({exc})."
        ) from exc
    return rows


async def _import(settings: Settings, rows: list[ImportRow]) -> int:
    async with _sessions(settings) as sessions, sessions() as session:
        report = await import_members(session, rows)
    print(f"Neu angelegt: {report.created}, aktualisiert: {report.updated}.")
    for error in report.errors:
        print(error, file=sys.stderr)
    if report.errors:
        print(f"{len(report.errors)} Zeile(n) nicht importiert.", file=sys.stderr)
        return 1
    return 0


def _organisations_import(args: argparse.Namespace) -> int:
    rows = [
        OrganisationRow(**values, line=line)
        for values, line in read_csv(args.file, ORGANISATION_COLUMNS)
    ]
    return _run(_import_organisations(_settings(), rows))


async def _import_organisations(settings: Settings, rows: list[OrganisationRow]) -> int:
    async with _sessions(settings) as sessions, sessions() as session:
        report = await import_organisations(session, rows)
    if report.errors:
        for error in report.errors:
            print(error, file=sys.stderr)
        print(IMPORT_NOTHING_WRITTEN.format(count=len(report.errors)), file=sys.stderr)
        return 1
    print(
        f"Organisationen neu angelegt: {report.created}, aktualisiert: {report.updated}, "
        f"Domains hinzugefügt: {report.domains_added}."
    )
    return 0


def _members_grant(args: argparse.Namespace) -> int:
    if args.role not in ROLES:
        allowed = ", ".join(f"{role} ({name})" for role, name in ROLE_NAMES.items())
        raise CliError(f"Unbekannte Rolle „{args.role}“. Erlaubt sind: {allowed}.")
    return _run(_grant(_settings(), args.email, args.role))


async def _grant(settings: Settings, email: str, role: str) -> int:
    async with _sessions(settings) as sessions, sessions() as session:
        member = await grant_role(session, email=email, role=role)
    print(f"{member.email} hat jetzt die Rolle „{role}“ ({ROLE_NAMES[role]}).")
    return 0


def _token(args: argparse.Namespace) -> int:
    words = list(args.emails)
    if words[0] == "list":
        if len(words) != 2:
            raise CliError("Aufruf: sid token list E-MAIL")
        return _run(_token_list(_settings(), words[1]))
    if words[0] == "revoke":
        ids = [_token_id(word) for word in words[1:]]
        if not ids:
            raise CliError("Aufruf: sid token revoke ID …")
        return _run(_token_revoke(_settings(), ids))
    return _run(_tokens(_settings(), words, days=args.days, name=args.name))


def _token_id(word: str) -> int:
    if not word.isdigit() or len(word) > 9:
        raise CliError(f"„{word}“ ist keine Token-Nummer (siehe sid token list E-MAIL).")
    return int(word)


async def _tokens(settings: Settings, emails: list[str], *, days: int, name: str) -> int:
    async with _sessions(settings) as sessions, sessions() as session:
        try:
            issued = await issue_api_tokens(
                session, emails=emails, now=utcnow(), days=days, name=name
            )
        except NotFound as exc:
            print(f"Fehler: {exc.message}", file=sys.stderr)
            print("Es wurde kein Token ausgegeben.", file=sys.stderr)
            return 1
        for member in (await members_by_email(session, emails)).values():
            if not member.is_active:
                print(
                    f"Hinweis: {member.email} ist nicht freigeschaltet; das Token gilt erst "
                    "nach der Freigabe.",
                    file=sys.stderr,
                )
    if issued:
        print(f"Gültig bis {datetime_de(issued[0].expires_at)}.", file=sys.stderr)
    for token in issued:
        print(token.token)
    return 0


async def _token_list(settings: Settings, email: str) -> int:
    async with _sessions(settings) as sessions, sessions() as session:
        tokens = await api_tokens_for_email(session, email)
    now = utcnow()
    if not tokens:
        print(f"{normalise_email(email)} hat keine API-Token.")
    for token in tokens:
        if token.revoked_at is not None:
            state = f"widerrufen am {datetime_de(token.revoked_at)}"
        elif token.expires_at <= now:
            state = f"abgelaufen am {datetime_de(token.expires_at)}"
        else:
            state = f"gültig bis {datetime_de(token.expires_at)}"
        used = datetime_de(token.last_used_at) if token.last_used_at else "nie"
        label = f" „{token.name}“" if token.name else ""
        print(
            f"{token.id}{label}: ausgestellt {datetime_de(token.created_at)}, {state}, "
            f"zuletzt benutzt: {used}"
        )
    return 0


async def _token_revoke(settings: Settings, ids: list[int]) -> int:
    async with _sessions(settings) as sessions, sessions() as session:
        for token_id in ids:
            await revoke_api_token(session, token_id=token_id, now=utcnow())
            print(f"Token {token_id} ist widerrufen.")
    return 0


# -- mail -------------------------------------------------------------------------------------


def _mail_send(args: argparse.Namespace) -> int:
    return _run(_send_once(_settings()))


async def _send_once(settings: Settings) -> int:
    from booking.app import mail_renderer
    from booking.mail.sender import send_due

    async with _sessions(settings) as sessions:
        sent: int = await send_due(settings, sessions, mail_renderer())
    print(f"{sent} Nachricht(en) versendet.")
    return 0


def _mail_worker(args: argparse.Namespace) -> int:
    try:
        return _run(_send_forever(_settings()))
    except KeyboardInterrupt:
        print("Mailversand beendet.")
        return 0


async def _send_forever(settings: Settings) -> int:
    from booking.app import mail_renderer
    from booking.mail.sender import run_sender

    async with _sessions(settings) as sessions:
        await run_sender(settings, sessions, mail_renderer())
    return 0


# -- jobs -------------------------------------------------------------------------------------


def _jobs(settings: Settings) -> tuple[Job, ...]:
    try:
        return load_jobs(settings.jobs_module)
    except (ImportError, ValueError) as exc:
        raise CliError(f"JOBS_MODULE: {exc}") from exc


def _jobs_list(args: argparse.Namespace) -> int:
    settings = _settings()
    return _run(_list_jobs(settings, _jobs(settings)))


async def _list_jobs(settings: Settings, jobs: tuple[Job, ...]) -> int:
    async with _sessions(settings) as sessions:
        now = utcnow()
        for status in await statuses(sessions, jobs, now):
            print(status_line(status, now))
    return 0


def _jobs_run(args: argparse.Namespace) -> int:
    settings = _settings()
    jobs = {job.name: job for job in _jobs(settings)}
    job = jobs.get(args.name)
    if job is None:
        known = ", ".join(jobs) or "–"
        print(
            f"Fehler: {job_messages.UNKNOWN_JOB.format(name=args.name, known=known)}",
            file=sys.stderr,
        )
        return 2
    return _run(_run_job(settings, job))


async def _run_job(settings: Settings, job: Job) -> int:
    async with _sessions(settings) as sessions:
        outcome = await run_now(sessions, job)
    if not outcome.completed:
        print(f"Fehler: {job_messages.RUN_NOT_STARTED.format(name=job.name)}", file=sys.stderr)
        return 1
    if outcome.error:
        message = job_messages.RUN_FAILED.format(name=job.name, error=outcome.error)
        print(f"Fehler: {message}", file=sys.stderr)
        return 1
    print(job_messages.RUN_DONE.format(name=job.name, summary=outcome.summary))
    return 0


def _jobs_worker(args: argparse.Namespace) -> int:
    settings = _settings()
    jobs = _jobs(settings)
    with contextlib.suppress(KeyboardInterrupt):
        _run(_run_jobs_forever(settings, jobs))
    print(job_messages.WORKER_STOPPED)
    return 0


async def _run_jobs_forever(settings: Settings, jobs: tuple[Job, ...]) -> int:
    async with _sessions(settings) as sessions:
        runner = asyncio.create_task(run_jobs(sessions, jobs))
        # SIGTERM (a service manager stopping the worker) ends it like Strg+C: a run in
        # progress gives its lease back, so another process takes it at once.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, runner.cancel)
        print(job_messages.WORKER_STARTED.format(names=", ".join(j.name for j in jobs)), flush=True)
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
