"""German date and number formatting: stored in UTC, shown in Europe/Berlin.

"Mi., 12.03.2026, 09:00–16:00 Uhr" — the format of a German letter (DESIGN.md rule 8).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names, parse_date, parse_time
from babel.numbers import format_decimal

BERLIN = ZoneInfo("Europe/Berlin")
LOCALE = "de_DE"
WEEKDAYS = tuple(get_day_names("abbreviated", locale=LOCALE)[day] for day in range(7))
"""'Mo.' to 'So.', as CLDR abbreviates German weekdays (babel's "EEE"), Monday first."""
MONTHS = tuple(
    get_month_names("wide", context="stand-alone", locale=LOCALE)[m] for m in range(1, 13)
)
"""'Januar' to 'Dezember' (babel's "LLLL")."""
FIRST_YEAR, LAST_YEAR = 2000, 2100
"""The years a date may be entered in, in forms and in the API alike: far enough for any
real event, and far from the ends of Python's calendar (year 1 or 9999 in Berlin time has
no UTC equivalent)."""


DAY_SHAPE = re.compile(r"[0-9]{1,2}\.[0-9]{1,2}\.([0-9]{2}|[0-9]{4})|[0-9]{4}-[0-9]{2}-[0-9]{2}")
CLOCK_SHAPE = re.compile(r"([0-9]{1,2})([:.][0-9]{2})?( ?Uhr)?", re.IGNORECASE)


def parse_day_de(text: str) -> date:
    """A day as people in Germany write it ("12.03.2027", "12.3.27") or in ISO form
    ("2027-03-12"); ValueError for anything else, an impossible day or a year outside
    FIRST_YEAR to LAST_YEAR."""
    text = text.strip()
    if not DAY_SHAPE.fullmatch(text):
        raise ValueError(text)
    try:
        day = parse_date(text, locale=LOCALE)
    except Exception as exc:  # babel's ParseError, and its IndexError on odd input
        raise ValueError(text) from exc
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(text)
    return day


def parse_clock_de(text: str) -> time:
    """A time of day as people write it: "9:00", "09:00", "9.00", "9", "9 Uhr"; ValueError
    otherwise."""
    text = text.strip()
    if not CLOCK_SHAPE.fullmatch(text):
        raise ValueError(text)
    try:
        return parse_time(text.lower().removesuffix("uhr").strip(), locale=LOCALE)
    except Exception as exc:
        raise ValueError(text) from exc


# The names come from babel's German data once; each date is then put together by hand: a
# participant list shows hundreds of dates, and babel parses its pattern again for every one.


def day_input(value: datetime) -> str:
    """ "12.03.2027": a day as a form field shows it."""
    day = local(value)
    return f"{day.day:02}.{day.month:02}.{day.year:04}"


def local(value: datetime) -> datetime:
    return value.astimezone(BERLIN)


def date_de(value: datetime) -> str:
    """ "Mi., 12.03.2026"."""
    day = local(value)
    return f"{WEEKDAYS[day.weekday()]}, {day.day:02}.{day.month:02}.{day.year:04}"


def time_de(value: datetime) -> str:
    moment = local(value)
    return f"{moment.hour:02}:{moment.minute:02}"


def datetime_de(value: datetime) -> str:
    """ "Mi., 12.03.2026, 09:00 Uhr"."""
    return f"{date_de(value)}, {time_de(value)} Uhr"


def range_de(starts_at: datetime, ends_at: datetime) -> str:
    """ "Mi., 12.03.2026, 09:00–16:00 Uhr", or both ends in full when the days differ."""
    if local(starts_at).date() == local(ends_at).date():
        return f"{date_de(starts_at)}, {time_de(starts_at)}–{time_de(ends_at)} Uhr"
    return f"{datetime_de(starts_at)} bis {datetime_de(ends_at)}"


def month_de(value: datetime) -> str:
    """ "März 2026"."""
    moment = local(value)
    return f"{MONTHS[moment.month - 1]} {moment.year}"


def load_locale_data() -> None:
    """Babel reads its German data from disk on first use, a few hundred milliseconds in
    which the event loop stands still; the app does it at start-up instead of in the first
    form a member sends."""
    parse_day_de("12.03.2026")
    parse_clock_de("9:00")


def seats_de(count: int) -> str:
    if count == 0:
        return "keine Plätze frei"
    if count == 1:
        return "noch 1 Platz frei"
    return f"noch {count} Plätze frei"


def number_de(value: int) -> str:
    """ "2.300"."""
    return format_decimal(value, locale=LOCALE)
