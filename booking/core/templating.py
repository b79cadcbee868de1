"""The Jinja2 environment: one loader for templates/, German filters, autoescape on."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from starlette.templating import Jinja2Templates

from booking.bookings import messages
from booking.bookings.models import ACTIVE_STATUSES
from booking.core import formatting
from booking.organisations.models import SECTORS
from booking.settings import ROOT
from courses.messages import KIND_LABELS

TEMPLATE_DIR = ROOT / "templates"


def range_of(sessions: list[object]) -> str:
    if not sessions:
        return "Termin folgt"
    first: datetime = sessions[0].starts_at  # type: ignore[attr-defined]
    last: datetime = max(s.ends_at for s in sessions)  # type: ignore[attr-defined]
    if len(sessions) == 1:
        return formatting.range_de(first, last)
    return f"{formatting.date_de(first)} bis {formatting.date_de(last)} ({len(sessions)} Termine)"


_INPUT_FORMATS = {
    "month": re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])"),
    "date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "time": re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]"),
    "number": re.compile(r"-?[0-9]+"),
}


def input_value(value: object, input_type: str) -> str:
    """A refused entry shown again in a typed input only if that type can hold it (HTML
    allows only real dates in ``type="date"``, and so on); otherwise the field is empty."""
    text = "" if value is None else str(value)
    pattern = _INPUT_FORMATS.get(input_type)
    if pattern is None or not text:
        return text
    if not pattern.fullmatch(text) or (input_type in ("month", "date") and text[:4] == "0000"):
        return ""
    if input_type == "date":
        try:
            date.fromisoformat(text)
        except ValueError:
            return ""
    return text


FILTERS: dict[str, Callable[..., object]] = {
    "input_value": input_value,
    "date_de": formatting.date_de,
    "datetime_de": formatting.datetime_de,
    "time_de": formatting.time_de,
    "month_de": formatting.month_de,
    "range_de": lambda s: formatting.range_de(s.starts_at, s.ends_at),
    "sessions_range": range_of,
    "seats_de": formatting.seats_de,
    "kind_label": lambda k: KIND_LABELS.get(k, k),
    "sector_label": lambda s: SECTORS.get(s, s),
}
"""German filters, for the pages and the mails alike."""


def create_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
    env = templates.env
    env.filters.update(FILTERS)
    env.globals.update(
        ACTIVE_STATUSES=ACTIVE_STATUSES,
        status_label=messages.status_label,
        SECTORS=SECTORS,
        KIND_LABELS=KIND_LABELS,
    )
    return templates
