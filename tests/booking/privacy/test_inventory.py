"""Data minimisation kept honest: every column of every table is classified, each personal
one with a retention rule that exists."""

from __future__ import annotations

from booking.privacy.inventory import NOT_PERSONAL, PERSONAL_DATA
from booking.privacy.rules import rule_names
from booking.tables import metadata


def columns() -> set[str]:
    return {
        f"{table.name}.{column.name}"
        for table in metadata.tables.values()
        for column in table.columns
    }


def test_every_column_is_classified() -> None:
    unclassified = sorted(columns() - PERSONAL_DATA.keys() - NOT_PERSONAL)
    assert unclassified == [], (
        "Neue Spalten ohne Einordnung: in booking/privacy/inventory.py als personenbezogen "
        "(mit Aufbewahrungsregel) oder als nicht personenbezogen eintragen"
    )


def test_no_column_is_both_or_gone() -> None:
    assert PERSONAL_DATA.keys() & NOT_PERSONAL == set()
    assert sorted((PERSONAL_DATA.keys() | NOT_PERSONAL) - columns()) == []


def test_every_personal_column_names_a_rule() -> None:
    assert {rule for rule in PERSONAL_DATA.values() if rule not in rule_names()} == set()


def test_a_new_column_is_caught() -> None:
    from sqlalchemy import Column, MetaData, String, Table

    extra = Table("members", MetaData(), Column("phone", String(40)))
    found = {f"{extra.name}.{c.name}" for c in extra.columns} | columns()
    assert found - PERSONAL_DATA.keys() - NOT_PERSONAL == {"members.phone"}
