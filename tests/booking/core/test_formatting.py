"""Dates and times as people in Germany type them into forms."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from babel.dates import format_datetime

from booking.core.formatting import (
    BERLIN,
    date_de,
    day_input,
    month_de,
    parse_clock_de,
    parse_day_de,
    range_de,
    time_de,
)


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


def _hours_of_two_years() -> list[datetime]:
    """Every third hour from 2026 to 2027 in UTC: every weekday and month, both changes of
    the clocks, the turns of the years and of the days in Berlin."""
    start = datetime(2025, 12, 31, 20, tzinfo=UTC)
    return [start + timedelta(hours=3 * n) for n in range(8 * 730)]


def test_dates_read_as_babel_writes_them_in_german() -> None:
    for moment in _hours_of_two_years():
        assert date_de(moment) == format_datetime(
            moment, "EEE, dd.MM.yyyy", tzinfo=BERLIN, locale="de_DE"
        )
        assert time_de(moment) == format_datetime(moment, "HH:mm", tzinfo=BERLIN, locale="de_DE")
        assert day_input(moment) == format_datetime(
            moment, "dd.MM.yyyy", tzinfo=BERLIN, locale="de_DE"
        )
        assert month_de(moment) == format_datetime(
            moment, "LLLL yyyy", tzinfo=BERLIN, locale="de_DE"
        )


def test_a_german_letter_date() -> None:
    starts = datetime(2026, 3, 12, 8, tzinfo=UTC)
    assert range_de(starts, starts + timedelta(hours=7)) == "Do., 12.03.2026, 09:00–16:00 Uhr"
    assert month_de(datetime(2026, 2, 28, 23, 30, tzinfo=UTC)) == "März 2026"
    assert date_de(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "So., 25.10.2026"
