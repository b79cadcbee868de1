"""The ``sid`` command: serve the app, migrate, load demo data, manage members, send mail,
run jobs.

Each database command builds its own engine from ``DATABASE_URL`` and disposes of it; the
work itself is done by the same service functions that the web pages and the API call.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from booking.cli.background import jobs_list, jobs_run, jobs_worker, mail_send, mail_worker
from booking.cli.base import CliError
from booking.cli.certificates import certificates_issue
from booking.cli.draw import draw_verify
from booking.cli.newsletter import newsletter_send, newsletter_status, newsletter_unsubscribe
from booking.cli.people import members_grant, members_import, organisations_import, token_command
from booking.cli.privacy import privacy_retention
from booking.cli.server import demo, migrate, serve_command
from booking.core.errors import DomainError
from booking.core.logtext import install_log_masking
from booking.members.tokens import TOKEN_DAYS


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    install_log_masking()
    try:
        result: int = args.run(args)
    except (CliError, DomainError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    return result


def build_parser() -> argparse.ArgumentParser:
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
    serve.set_defaults(run=serve_command)

    commands.add_parser("migrate", help="Datenbank auf den neuesten Stand bringen").set_defaults(
        run=migrate
    )
    commands.add_parser(
        "demo", help="Datenbank migrieren und Demodaten laden, falls noch leer"
    ).set_defaults(run=demo)

    members = commands.add_parser("members", help="Mitglieder verwalten")
    member_commands = members.add_subparsers(metavar="BEFEHL", required=True)
    import_ = member_commands.add_parser(
        "import", help="Mitglieder aus CSV (email, first_name, last_name, organisation)"
    )
    import_.add_argument("file", type=Path, metavar="DATEI.csv")
    import_.set_defaults(run=members_import)
    grant = member_commands.add_parser("grant", help="Rolle vergeben")
    grant.add_argument("email", metavar="E-MAIL")
    grant.add_argument("role", metavar="ROLLE", help="member, trainer oder organiser")
    grant.set_defaults(run=members_grant)

    organisations = commands.add_parser("organisations", help="Organisationen verwalten")
    organisation_commands = organisations.add_subparsers(metavar="BEFEHL", required=True)
    org_import = organisation_commands.add_parser(
        "import",
        help="Organisationen aus CSV (name, sector, region, domains) anlegen oder aktualisieren",
    )
    org_import.add_argument("file", type=Path, metavar="DATEI.csv")
    org_import.set_defaults(run=organisations_import)

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
    token.set_defaults(run=token_command)

    mail = commands.add_parser("mail", help="Nachrichten aus dem Postausgang versenden")
    mail_commands = mail.add_subparsers(metavar="BEFEHL", required=True)
    mail_commands.add_parser("send", help="fällige Nachrichten einmal versenden").set_defaults(
        run=mail_send
    )
    mail_commands.add_parser("worker", help="laufend versenden (bis Strg+C)").set_defaults(
        run=mail_worker
    )

    certificates = commands.add_parser("certificates", help="Teilnahmebescheinigungen")
    certificate_commands = certificates.add_subparsers(metavar="BEFEHL", required=True)
    issue = certificate_commands.add_parser(
        "issue", help="die Bescheinigungen einer Veranstaltung ausstellen"
    )
    issue.add_argument("event_id", type=int, metavar="EVENT_ID")
    issue.add_argument(
        "--by",
        metavar="EMAIL",
        help="im Namen von: die Adresse einer Trainerin, eines Trainers der Veranstaltung "
        "oder der Geschäftsstelle (geprüft wie auf der Seite); ohne: als Betrieb",
    )
    issue.set_defaults(run=certificates_issue)

    draw = commands.add_parser("draw", help="Platzvergabe per Los")
    draw_commands = draw.add_subparsers(metavar="BEFEHL", required=True)
    verify = draw_commands.add_parser(
        "verify",
        help="die gespeicherte Auslosung einer Veranstaltung neu berechnen und vergleichen "
        "(Exit-Code 0: stimmt überein, 1: weicht ab)",
    )
    verify.add_argument("event_id", type=int, metavar="EVENT_ID")
    verify.set_defaults(run=draw_verify)
    newsletter = commands.add_parser("newsletter", help="Newsletter versenden und verwalten")
    newsletter_commands = newsletter.add_subparsers(metavar="BEFEHL", required=True)
    send = newsletter_commands.add_parser(
        "send",
        help="eine Ausgabe versenden: alle E-Mails in den Postausgang legen und den Stand zeigen",
    )
    send.add_argument("issue_id", type=int, metavar="ID")
    send.add_argument(
        "--by", metavar="EMAIL", help="im Namen von (Geschäftsstelle); ohne: als Betrieb"
    )
    send.add_argument(
        "--wait", action="store_true", help="den Stand zeigen, bis alle E-Mails versandt sind"
    )
    send.add_argument(
        "--deliver",
        action="store_true",
        help="den Postausgang dabei selbst zustellen (wenn kein sid serve/mail worker läuft)",
    )
    send.set_defaults(run=newsletter_send)
    status = newsletter_commands.add_parser("status", help="den Stand einer Ausgabe zeigen")
    status.add_argument("issue_id", type=int, metavar="ID")
    status.set_defaults(run=newsletter_status)
    unsubscribe = newsletter_commands.add_parser(
        "unsubscribe", help="eine Adresse vom Newsletter abmelden"
    )
    unsubscribe.add_argument("email", metavar="E-MAIL")
    unsubscribe.set_defaults(run=newsletter_unsubscribe)

    privacy = commands.add_parser("privacy", help="Datenschutz")
    privacy_commands = privacy.add_subparsers(metavar="BEFEHL", required=True)
    privacy_commands.add_parser(
        "retention", help="Aufbewahrungsfristen: was wie lange gespeichert wird"
    ).set_defaults(run=privacy_retention)

    jobs = commands.add_parser("jobs", help="regelmäßige Aufgaben (Jobs)")
    job_commands = jobs.add_subparsers(metavar="BEFEHL", required=True)
    job_commands.add_parser(
        "list", help="jeden Job mit letztem und nächstem Lauf zeigen"
    ).set_defaults(run=jobs_list)
    run = job_commands.add_parser("run", help="einen Job jetzt einmal ausführen")
    run.add_argument("name", metavar="NAME")
    run.set_defaults(run=jobs_run)
    job_commands.add_parser(
        "worker", help="Jobs laufend ausführen, getrennt vom Webserver (bis Strg+C)"
    ).set_defaults(run=jobs_worker)
    return parser
