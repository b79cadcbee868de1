"""Working days for offer deadlines: Monday to Friday, without the statutory public holidays
of North Rhine-Westphalia (Neujahr, Karfreitag, Ostermontag, 1. Mai, Christi Himmelfahrt,
Pfingstmontag, Fronleichnam, Tag der Deutschen Einheit, Allerheiligen, both Christmas days).
Christmas Eve and New Year's Eve are working days by law and count as such.

An offer made on any day (a working day or not, at any hour) runs until the end of the Nth
working day after that day, in Berlin: offered on Wednesday at 10:00 with 2 working days,
it may be accepted until Friday, 23:59:59; offered on Saturday with 1, until Monday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from booking.core.formatting import BERLIN

END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DE", subdiv="NW", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day = start
    while days:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def offer_deadline(offered_at: datetime, days: int, *, latest: datetime | None = None) -> datetime:
    """Until when an offer made at ``offered_at`` may be accepted (inclusive, in UTC): the
    end of the ``days``-th working day after the day of the offer in Berlin, but never
    after ``latest`` (the event's start: a seat is of no use once the event has begun)."""
    last_day = add_working_days(offered_at.astimezone(BERLIN).date(), days)
    deadline = datetime.combine(last_day, END_OF_DAY, BERLIN).astimezone(UTC)
    if latest is not None and latest < deadline:
        return latest
    return deadline
