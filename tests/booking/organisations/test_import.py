"""``sid organisations import`` and then ``sid members import``, as an operator runs them."""

from __future__ import annotations

from pathlib import Path

from tests.booking.test_cli import query, sid


def test_organisations_import_then_members_import_finds_them(tmp_path: Path) -> None:
    db = tmp_path / "sid.db"
    assert sid(db, "migrate").returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name;sector;region;domains\n"
        "Stadt Hamm;verwaltung;Arnsberg;hamm.example\n"
        "Kreis Unna;Marine;Arnsberg;\n"
        ";schule;Köln;\n"
        "Polizei Dortmund;polizei;Berlin;polizei nrw\n",
        encoding="utf-8",
    )
    result = sid(db, "organisations", "import", str(bad))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "Zeile 3",
        "Zeile 4",
        "Zeile 5",
        "Zeile 5",
    ]
    assert "nichts importiert" in lines[-1]
    assert query(db, "SELECT count(*) FROM organisations") == [(0,)]

    good = tmp_path / "organisationen.csv"
    good.write_bytes(
        "\ufeffname,sector,region,domains\n"
        "Stadt Hamm,verwaltung,Arnsberg,hamm.example; stadt-hamm.example\n"
        "Rettungsdienst Unna,Rettungsdienst,arnsberg,rd-unna.example\n".encode()
    )
    result = sid(db, "organisations", "import", str(good))
    assert result.returncode == 0, result.stderr
    assert "neu angelegt: 2" in result.stdout
    assert query(db, "SELECT name, sector FROM organisations ORDER BY name") == [
        ("Rettungsdienst Unna", "rettungsdienst"),
        ("Stadt Hamm", "verwaltung"),
    ]
    members = tmp_path / "mitglieder.csv"
    members.write_text(
        "email;first_name;last_name;organisation\n"
        "a.b@hamm.example;Anna;Bauer;stadt hamm\n"
        "c.d@rd-unna.example;Cem;Demir;Rettungsdienst Unna\n",
        encoding="utf-8",
    )
    result = sid(db, "members", "import", str(members))
    assert result.returncode == 0, result.stderr
    assert query(
        db,
        "SELECT m.email, o.name FROM members m JOIN organisations o ON o.id = m.organisation_id "
        "ORDER BY m.email",
    ) == [("a.b@hamm.example", "Stadt Hamm"), ("c.d@rd-unna.example", "Rettungsdienst Unna")]
