"""Members, organisations and API tokens from the command line: imports, roles, tokens."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Sequence
from pathlib import Path

from booking.cli.base import CliError, database_sessions, run_command, settings_from_env
from booking.core.db import utcnow
from booking.core.errors import NotFound
from booking.core.formatting import datetime_de
from booking.members.models import ROLES
from booking.members.services import (
    ImportRow,
    grant_role,
    import_members,
    members_by_email,
    normalise_email,
)
from booking.members.tokens import (
    api_tokens_for_email,
    issue_api_tokens,
    revoke_api_token,
)
from booking.organisations.importing import ImportRow as OrganisationRow
from booking.organisations.importing import import_organisations
from booking.organisations.messages import IMPORT_NOTHING_WRITTEN
from booking.settings import Settings

IMPORT_COLUMNS = ("email", "first_name", "last_name", "organisation")
ORGANISATION_COLUMNS = ("name", "sector", "region", "domains")
ROLE_NAMES = {
    "member": "Mitglied",
    "trainer": "Trainerin/Trainer",
    "coordinator": "Koordination der Organisation",
    "organiser": "Geschäftsstelle",
}


def members_import(args: argparse.Namespace) -> int:
    rows = read_import_file(args.file)
    return run_command(_import(settings_from_env(), rows))


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
    async with database_sessions(settings) as sessions, sessions() as session:
        report = await import_members(session, rows)
    print(f"Neu angelegt: {report.created}, aktualisiert: {report.updated}.")
    for error in report.errors:
        print(error, file=sys.stderr)
    if report.errors:
        print(f"{len(report.errors)} Zeile(n) nicht importiert.", file=sys.stderr)
        return 1
    return 0


def organisations_import(args: argparse.Namespace) -> int:
    rows = [
        OrganisationRow(**values, line=line)
        for values, line in read_csv(args.file, ORGANISATION_COLUMNS)
    ]
    return run_command(_import_organisations(settings_from_env(), rows))


async def _import_organisations(settings: Settings, rows: list[OrganisationRow]) -> int:
    async with database_sessions(settings) as sessions, sessions() as session:
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


def members_grant(args: argparse.Namespace) -> int:
    if args.role not in ROLES:
        allowed = ", ".join(f"{role} ({name})" for role, name in ROLE_NAMES.items())
        raise CliError(f"Unbekannte Rolle „{args.role}“. Erlaubt sind: {allowed}.")
    return run_command(_grant(settings_from_env(), args.email, args.role))


async def _grant(settings: Settings, email: str, role: str) -> int:
    async with database_sessions(settings) as sessions, sessions() as session:
        member = await grant_role(session, email=email, role=role)
    print(f"{member.email} hat jetzt die Rolle „{role}“ ({ROLE_NAMES[role]}).")
    return 0


def token_command(args: argparse.Namespace) -> int:
    words = list(args.emails)
    if words[0] == "list":
        if len(words) != 2:
            raise CliError("Aufruf: sid token list E-MAIL")
        return run_command(_token_list(settings_from_env(), words[1]))
    if words[0] == "revoke":
        ids = [_token_id(word) for word in words[1:]]
        if not ids:
            raise CliError("Aufruf: sid token revoke ID …")
        return run_command(_token_revoke(settings_from_env(), ids))
    return run_command(_tokens(settings_from_env(), words, days=args.days, name=args.name))


def _token_id(word: str) -> int:
    if not word.isdigit() or len(word) > 9:
        raise CliError(f"„{word}“ ist keine Token-Nummer (siehe sid token list E-MAIL).")
    return int(word)


async def _tokens(settings: Settings, emails: list[str], *, days: int, name: str) -> int:
    async with database_sessions(settings) as sessions, sessions() as session:
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
    async with database_sessions(settings) as sessions, sessions() as session:
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
    async with database_sessions(settings) as sessions, sessions() as session:
        for token_id in ids:
            await revoke_api_token(session, token_id=token_id, now=utcnow())
            print(f"Token {token_id} ist widerrufen.")
    return 0
