"""Dates and times as people in Germany type them into forms."""

from __future__ import annotations

from datetime import date, time

import pytest

from booking.core.formatting import parse_clock_de, parse_day_de


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("12.03.2027", date(2027, 3, 12)),
        ("12.3.2027", date(2027, 3, 12)),
        ("1.1.27", date(2027, 1, 1)),
        (" 29.02.2028 ", date(2028, 2, 29)),
        ("2027-03-12", date(2027, 3, 12)),
    ],
)
def test_days_as_typed(typed: str, day: date) -> None:
    assert parse_day_de(typed) == day


@pytest.mark.parametrize(
    "typed",
    ["", "12.03.", "31.02.2027", "29.02.2027", "12.03.2027x", "12/03/2027", "1.1.1999",
     "1.1.2101", "0001-01-01", "2027-3-12", "١٢.٠٣.٢٠٢٧", "12.03.2027\x00"],
)  # fmt: skip
def test_other_days_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_day_de(typed)


@pytest.mark.parametrize(
    ("typed", "clock"),
    [("9:00", time(9)), ("09:00", time(9)), ("9.30", time(9, 30)), ("9", time(9)),
     ("9 Uhr", time(9)), ("14:30 Uhr", time(14, 30)), ("0:00", time(0))],
)  # fmt: skip
def test_times_as_typed(typed: str, clock: time) -> None:
    assert parse_clock_de(typed) == clock


@pytest.mark.parametrize("typed", ["", "24:00", "9:60", "9:5", "9h", "halb zehn", "9:00:00"])
def test_other_times_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_clock_de(typed)
