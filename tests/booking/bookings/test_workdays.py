"""Working days for offer deadlines: weekends and the public holidays of NRW do not count;
the deadline is the end of the last working day in Berlin."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from booking.bookings.workdays import add_working_days, is_working_day, offer_deadline
from booking.core.formatting import BERLIN, datetime_de


def berlin(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 2), True),  # a Wednesday
        (date(2026, 12, 5), False),  # Saturday
        (date(2026, 12, 6), False),  # Sunday
        (date(2026, 6, 4), False),  # Fronleichnam (a holiday in NRW, not in every state)
        (date(2026, 11, 2), True),  # the Monday after Allerheiligen
        (date(2027, 11, 1), False),  # Allerheiligen on a Monday
        (date(2026, 12, 24), True),  # Heiligabend: a working day by law
        (date(2026, 12, 25), False),
        (date(2026, 12, 31), True),  # Silvester: a working day by law
        (date(2027, 1, 1), False),
        (date(2026, 10, 31), False),  # Reformationstag is a Saturday, and no holiday in NRW
        (date(2027, 10, 31), False),  # a Sunday
        (date(2026, 4, 3), False),  # Karfreitag
        (date(2026, 4, 6), False),  # Ostermontag
        (date(2026, 5, 25), False),  # Pfingstmontag
    ],
)
def test_working_days_in_nrw(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "last"),
    [
        (date(2026, 12, 2), 5, date(2026, 12, 9)),  # Wed + 5 → next Wed over a weekend
        (date(2026, 12, 4), 1, date(2026, 12, 7)),  # Friday + 1 → Monday
        (date(2026, 12, 5), 1, date(2026, 12, 7)),  # Saturday + 1 → Monday
        (date(2026, 6, 3), 1, date(2026, 6, 5)),  # Wed + 1 skips Fronleichnam (Thu)
        (date(2026, 6, 3), 2, date(2026, 6, 8)),  # … and the weekend
        (date(2027, 10, 29), 1, date(2027, 11, 2)),  # Fri + 1: weekend, Allerheiligen (Mon)
        (date(2026, 12, 23), 2, date(2026, 12, 28)),  # Christmas on Fri/Sat
        (date(2026, 12, 30), 2, date(2027, 1, 4)),  # Silvester counts, Neujahr does not
        (date(2027, 12, 23), 3, date(2027, 12, 28)),  # Christmas on a weekend: Fri, Mon, Tue
    ],
)
def test_adding_working_days(start: date, days: int, last: date) -> None:
    assert add_working_days(start, days) == last


def test_the_deadline_is_the_end_of_the_last_working_day_in_berlin() -> None:
    offered = berlin(2026, 12, 2, 10, 30)
    deadline = offer_deadline(offered, 5)
    assert deadline == berlin(2026, 12, 9, 23, 59, 59)
    assert datetime_de(deadline) == "Mi., 09.12.2026, 23:59 Uhr"
    # The day of the offer is the day in Berlin: 00:30 on Saturday in Berlin (still Friday
    # in UTC) counts from Saturday, so one working day ends on Monday.
    assert offer_deadline(berlin(2026, 12, 5, 0, 30), 1) == berlin(2026, 12, 7, 23, 59, 59)
    assert offer_deadline(berlin(2026, 12, 4, 23, 30), 1) == berlin(2026, 12, 7, 23, 59, 59)
    # 00:30 on Thursday in Berlin is Wednesday in UTC: one working day ends on Friday (counted
    # from Wednesday it would be Thursday).
    assert offer_deadline(berlin(2026, 12, 3, 0, 30), 1) == berlin(2026, 12, 4, 23, 59, 59)
    # Summer time: the end of the day is 21:59:59 UTC.
    assert offer_deadline(berlin(2026, 6, 3, 0, 15), 1) == datetime(
        2026, 6, 5, 21, 59, 59, tzinfo=UTC
    )


def test_the_deadline_never_lies_after_the_event_starts() -> None:
    starts = berlin(2026, 12, 8, 9, 0)
    assert offer_deadline(berlin(2026, 12, 2, 10, 0), 5, latest=starts) == starts
    assert offer_deadline(berlin(2026, 12, 2, 10, 0), 1, latest=starts) == berlin(
        2026, 12, 3, 23, 59, 59
    )


def test_zero_working_days_is_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 12, 2), 0)
