"""``sid privacy retention``: every rule in German, with the periods the settings give."""

from __future__ import annotations

import pytest

from booking.cli import main
from booking.privacy.rules import rules
from booking.settings import Retention


def test_every_rule_is_printed_with_its_period_and_what_follows(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SECRET_KEY", "test-secret-" + "x" * 32)
    monkeypatch.setenv("RETENTION_SENT_MAIL_DAYS", "7")
    monkeypatch.setenv("RETENTION_BOOKING_MONTHS", "18")
    assert main(["privacy", "retention"]) == 0
    out = capsys.readouterr().out
    blocks = out.strip().split("\n\n")
    assert len(blocks) == len(rules(Retention()))
    assert blocks[0] == (
        "Versandte E-Mails (Empfangsadresse und Inhalt, auch Anmeldelinks), ebenso unzustellbare\n"
        "  Aufbewahrung: 7 Tage nach dem Versand oder dem letzten Zustellversuch\n"
        "  Danach: gelöscht\n"
        "  Regel des täglichen Jobs „privacy-retention“"
    )
    bookings = next(b for b in blocks if b.startswith("Buchungen vergangener"))
    assert "18 Monate nach dem letzten Termin" in bookings
    assert "anonymisiert" in bookings and "privacy-retention" in bookings
    inactive = next(b for b in blocks if b.startswith("Mitgliedskonten"))
    assert "nach 36 Monate ohne Anmeldung" not in inactive  # grammar: "36 Monaten"
    assert "30 Tage später gelöscht" in inactive
    for text in ("10 Jahre nach der Ausstellung", "24 Monate nach dem Eintrag",
                 "30 Tage nach der ersten Anmeldung", "90 Tage nach dem Absenden"):  # fmt: skip
        assert text in out
    assert out.count("Regel des täglichen Jobs") == len(rules(Retention())) - 1


def test_a_bad_period_is_refused() -> None:
    with pytest.raises(ValueError, match="RETENTION_AUDIT_MONTHS"):
        Retention.from_env({"RETENTION_AUDIT_MONTHS": "0"})
