"""German date and number formatting: stored in UTC, shown in Europe/Berlin.

"Mi., 12.03.2026, 09:00–16:00 Uhr" — the format of a German letter (DESIGN.md rule 8).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal

BERLIN = ZoneInfo("Europe/Berlin")
LOCALE = "de_DE"
FIRST_YEAR, LAST_YEAR = 2000, 2100
"""The years a date may be entered in, in forms and in the API alike: far enough for any
real event, and far from the ends of Python's calendar (year 1 or 9999 in Berlin time has
no UTC equivalent)."""


def local(value: datetime) -> datetime:
    return value.astimezone(BERLIN)


def date_de(value: datetime) -> str:
    """ "Mi., 12.03.2026"."""
    return format_datetime(value, "EEE, dd.MM.yyyy", tzinfo=BERLIN, locale=LOCALE)


def time_de(value: datetime) -> str:
    return format_datetime(value, "HH:mm", tzinfo=BERLIN, locale=LOCALE)


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
    return format_datetime(value, "LLLL yyyy", tzinfo=BERLIN, locale=LOCALE)


def load_locale_data() -> None:
    """Babel reads its German data from disk on first use, a few hundred milliseconds in
    which the event loop stands still; the app does it at start-up instead of in the first
    request or mail."""
    sample = datetime(2026, 3, 12, 9, tzinfo=BERLIN)
    range_de(sample, sample)
    month_de(sample)


def seats_de(count: int) -> str:
    if count == 0:
        return "keine Plätze frei"
    if count == 1:
        return "noch 1 Platz frei"
    return f"noch {count} Plätze frei"


def number_de(value: int) -> str:
    """ "2.300"."""
    return format_decimal(value, locale=LOCALE)
