"""The ``sid`` command, run as a separate process against a SQLite file."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from booking.core import migrate
from booking.demo import ORGANISER_EMAIL

JANA = "jana.schulte@stadt-muenster.example"


def sid(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "SECRET_KEY": "test-secret",
        "MAIL_DIR": str(db.parent / "mail"),
    }
    return subprocess.run(
        [sys.executable, "-m", "booking.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("template") / "demo.db"
    result = sid(db, "demo")
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    """A copy of the migrated database with the demo organisations and members."""
    db = tmp_path / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{demo_template}{suffix}")
        if source.exists():
            shutil.copy(source, f"{db}{suffix}")
    return db


def test_migrate_creates_the_database(tmp_path: Path) -> None:
    db = tmp_path / "var" / "sid.db"
    result = sid(db, "migrate")
    assert result.returncode == 0, result.stderr
    assert "neuesten Stand" in result.stdout
    head = ScriptDirectory.from_config(migrate.config(f"sqlite:///{db}")).get_current_head()
    assert query(db, "SELECT version_num FROM alembic_version") == [(head,)]


def test_demo_loads_once_and_then_skips(tmp_path: Path) -> None:
    db = tmp_path / "sid.db"
    first = sid(db, "demo")
    assert first.returncode == 0, first.stderr
    assert "Demodaten geladen" in first.stdout
    assert ORGANISER_EMAIL in first.stdout
    events = query(db, "SELECT count(*) FROM events")

    second = sid(db, "demo")
    assert second.returncode == 0, second.stderr
    assert "nicht geladen" in second.stdout
    assert query(db, "SELECT count(*) FROM events") == events


def test_members_import_keeps_good_rows_and_reports_bad_ones(demo_db: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "mitglieder.csv"
    csv_file.write_bytes(
        "\ufeffemail;first_name;last_name;organisation\n"
        "neu.eins@stadt-muenster.example;Erika;Mustermann;Stadt Münster\n"
        f"{JANA};Jana;Schulte-Brandt;Stadt Münster\n"
        "kein-at-zeichen;Max;Fehler;Stadt Münster\n"
        "neu.zwei@kreis-guetersloh.example;Ömer;Öztürk;Gibt es nicht GmbH\n"
        "NEU.DREI@uk-koeln.example;Lena;Kraus; uniklinik köln \n".encode()
    )
    result = sid(demo_db, "members", "import", str(csv_file))

    assert result.returncode == 1
    assert "Neu angelegt: 2, aktualisiert: 1." in result.stdout
    assert "Zeile 4: ungültige E-Mail-Adresse 'kein-at-zeichen'" in result.stderr
    assert "Zeile 5: unbekannte Organisation 'Gibt es nicht GmbH'" in result.stderr
    rows = query(
        demo_db,
        "SELECT m.email, m.last_name, o.name FROM members m JOIN organisations o"
        " ON o.id = m.organisation_id WHERE m.email IN (?, ?, ?, ?) ORDER BY m.email",
        JANA,
        "neu.eins@stadt-muenster.example",
        "neu.zwei@kreis-guetersloh.example",
        "neu.drei@uk-koeln.example",
    )
    assert rows == [
        (JANA, "Schulte-Brandt", "Stadt Münster"),
        ("neu.drei@uk-koeln.example", "Kraus", "Uniklinik Köln"),
        ("neu.eins@stadt-muenster.example", "Mustermann", "Stadt Münster"),
    ]


def test_members_import_reads_commas_without_bom(demo_db: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "mitglieder.csv"
    csv_file.write_text(
        "Email,First_Name,Last_Name,Organisation\r\n"
        'neu@ag-hagen.example,Jonas,"Berger, Dr.",Amtsgericht Hagen\r\n',
        encoding="utf-8",
    )
    result = sid(demo_db, "members", "import", str(csv_file))
    assert result.returncode == 0, result.stderr
    assert "Neu angelegt: 1, aktualisiert: 0." in result.stdout
    assert query(demo_db, "SELECT last_name FROM members WHERE email = 'neu@ag-hagen.example'") == [
        ("Berger, Dr.",)
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"email;name\nx@stadt-muenster.example;X\n", "fehlen die Spalten: first_name"),
        ("email;first_name;last_name;organisation\n".encode("cp1252") + b"\xe4\n", "UTF-8"),
    ],
)
def test_members_import_rejects_unreadable_files(
    demo_db: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    csv_file = tmp_path / "mitglieder.csv"
    csv_file.write_bytes(content)
    result = sid(demo_db, "members", "import", str(csv_file))
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_grant_sets_the_role(demo_db: Path) -> None:
    result = sid(demo_db, "members", "grant", JANA.upper(), "organiser")
    assert result.returncode == 0, result.stderr
    assert query(demo_db, "SELECT role FROM members WHERE email = ?", JANA) == [("organiser",)]
    result = sid(demo_db, "members", "grant", JANA, "coordinator")
    assert result.returncode == 0, result.stderr
    assert "Koordination der Organisation" in result.stdout
    assert query(demo_db, "SELECT role FROM members WHERE email = ?", JANA) == [("coordinator",)]


def test_only_a_member_of_an_organisation_coordinates(demo_db: Path) -> None:
    with sqlite3.connect(demo_db) as conn:
        conn.execute("UPDATE members SET organisation_id = NULL WHERE email = ?", (JANA,))
    result = sid(demo_db, "members", "grant", JANA, "coordinator")
    assert result.returncode == 1
    assert "Koordinieren kann nur, wer zu einer Organisation gehört" in result.stderr
    assert query(demo_db, "SELECT role FROM members WHERE email = ?", JANA) == [("member",)]


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        (JANA, "admin", "Unbekannte Rolle „admin“"),
        ("niemand@stadt-muenster.example", "trainer", "Kein Mitglied mit der Adresse"),
    ],
)
def test_grant_refuses_unknown_role_or_address(
    demo_db: Path, email: str, role: str, message: str
) -> None:
    result = sid(demo_db, "members", "grant", email, role)
    assert result.returncode == 1
    assert message in result.stderr
    assert query(demo_db, "SELECT role FROM members WHERE email = ?", JANA) == [("member",)]


def test_token_prints_one_token_per_address_in_order(demo_db: Path) -> None:
    emails = [ORGANISER_EMAIL, JANA, "trainerin@polizei-recklinghausen.example"]
    result = sid(demo_db, "token", *emails)
    assert result.returncode == 0, result.stderr

    tokens = result.stdout.splitlines()
    assert len(tokens) == 3
    assert len(set(tokens)) == 3
    assert all(token.startswith("sid_") for token in tokens)
    stored = query(
        demo_db,
        "SELECT m.email, t.token_hash FROM api_tokens t JOIN members m ON m.id = t.member_id"
        " ORDER BY t.id",
    )
    assert stored == [
        (email, hashlib.sha256(token.encode()).hexdigest())
        for email, token in zip(emails, tokens, strict=True)
    ]


def test_token_days_list_and_revoke(demo_db: Path) -> None:
    issued = sid(demo_db, "token", "--days", "5", "--name", "Kalender", JANA)
    assert issued.returncode == 0, issued.stderr
    [token] = issued.stdout.splitlines()
    assert "Gültig bis" in issued.stderr
    [(token_id, created, expires)] = query(
        demo_db, "SELECT id, created_at, expires_at FROM api_tokens"
    )
    lifetime = datetime.fromisoformat(str(expires)) - datetime.fromisoformat(str(created))
    assert lifetime == timedelta(days=5)

    listed = sid(demo_db, "token", "list", JANA)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith(f"{token_id} „Kalender“: ausgestellt ")
    assert "gültig bis" in listed.stdout and "zuletzt benutzt: nie" in listed.stdout
    assert token not in listed.stdout

    revoked = sid(demo_db, "token", "revoke", str(token_id))
    assert revoked.returncode == 0, revoked.stderr
    assert "widerrufen am" in sid(demo_db, "token", "list", JANA).stdout
    unknown = sid(demo_db, "token", "revoke", "999999")
    assert unknown.returncode == 1 and "gibt es nicht" in unknown.stderr
    bad = sid(demo_db, "token", "revoke", "abc")
    assert bad.returncode == 1 and "keine Token-Nummer" in bad.stderr


def test_token_for_an_unknown_address_prints_no_token_at_all(demo_db: Path) -> None:
    result = sid(demo_db, "token", JANA, "niemand@stadt-muenster.example")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Kein Mitglied mit der Adresse niemand@stadt-muenster.example" in result.stderr
    assert query(demo_db, "SELECT count(*) FROM api_tokens") == [(0,)]


def test_commands_on_a_missing_database_ask_for_migrate(tmp_path: Path) -> None:
    result = sid(tmp_path / "fehlt.db", "token", JANA)
    assert result.returncode == 1
    assert "sid migrate" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "fehlt.db").exists()


def test_import_errors_name_the_line_of_the_file(demo_db: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "liste.csv"
    csv_file.write_text(
        "email,first_name,last_name,organisation\n"
        "\n"
        '"kaputt",A,"mehr-\nzeilig",Stadt Münster\n'
        "gut@stadt-muenster.example,B,C,Nirgendwo\n",
        encoding="utf-8",
    )
    result = sid(demo_db, "members", "import", str(csv_file))
    assert result.returncode == 1
    assert "Zeile 4: ungültige E-Mail-Adresse" in result.stderr
    assert "Zeile 5: unbekannte Organisation" in result.stderr


def test_certificates_issue_prints_each_and_refuses_in_german(demo_db: Path) -> None:
    from booking.demo import TRAINER_EMAIL

    [(event_id,)] = query(
        demo_db,
        "SELECT e.id FROM events e JOIN event_trainers t ON t.event_id = e.id "
        "JOIN members m ON m.id = t.member_id WHERE m.email = ? AND EXISTS "
        "(SELECT 1 FROM bookings b WHERE b.event_id = e.id AND b.status = 'confirmed') "
        "ORDER BY e.id LIMIT 1",
        TRAINER_EMAIL,
    )
    early = sid(demo_db, "certificates", "issue", str(event_id), "--by", TRAINER_EMAIL)
    assert early.returncode == 1 and "sobald für den letzten Termin" in early.stderr
    with sqlite3.connect(demo_db) as conn:
        bookings = [b for (b,) in conn.execute(
            "SELECT id FROM bookings WHERE event_id = ? AND status = 'confirmed'", (event_id,)
        )]  # fmt: skip
        sessions = [s for (s,) in conn.execute(
            "SELECT id FROM event_sessions WHERE event_id = ?", (event_id,)
        )]  # fmt: skip
        conn.executemany(
            "INSERT INTO attendance_marks (booking_id, session_id, status, marked_at) "
            "VALUES (?, ?, 'present', '2026-01-01 00:00:00')",
            [(b, s) for b in bookings for s in sessions],
        )
        conn.execute(
            "UPDATE bookings SET status = 'attended' WHERE event_id = ? AND status = 'confirmed'",
            (event_id,),
        )
    issued = sid(demo_db, "certificates", "issue", str(event_id))
    assert issued.returncode == 0, issued.stderr
    lines = issued.stdout.splitlines()
    assert lines[0].startswith(f"[1/{len(bookings)}] SID-")
    assert lines[-1] == f"{len(bookings)} Bescheinigung(en) ausgestellt."
    again = sid(demo_db, "certificates", "issue", str(event_id), "--by", TRAINER_EMAIL)
    assert "bereits ausgestellt" in again.stdout
    stranger = sid(demo_db, "certificates", "issue", str(event_id), "--by", JANA)
    assert stranger.returncode == 1 and "gehört nicht zu Ihren Kursen" in stranger.stderr
    unknown = sid(demo_db, "certificates", "issue", str(event_id), "--by", "x@y.example")
    assert unknown.returncode == 1 and "kein Mitglied bekannt" in unknown.stderr
