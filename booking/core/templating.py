"""The Jinja2 environment: one loader for templates/, German filters, autoescape on.

The domains' own words (labels of statuses, formats, sectors) are handed in by the app
factory, so that the core knows no domain."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime

from starlette.templating import Jinja2Templates

from booking.core import formatting
from booking.settings import ROOT

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


def iso_de(text: object) -> object:
    """An ISO 8601 moment (as an export writes it) in German; anything else as it is."""
    if not isinstance(text, str):
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return formatting.datetime_de(moment) if moment.tzinfo else text


FILTERS: dict[str, Callable[..., object]] = {
    "input_value": input_value,
    "date_de": formatting.date_de,
    "datetime_de": formatting.datetime_de,
    "iso_de": iso_de,
    "time_de": formatting.time_de,
    "month_de": formatting.month_de,
    "range_de": lambda s: formatting.range_de(s.starts_at, s.ends_at),
    "sessions_range": range_of,
    "seats_de": formatting.seats_de,
    "number_de": formatting.number_de,
}
"""German date and seat filters, for the pages and the mails alike."""


def create_templates(
    filters: Mapping[str, Callable[..., object]], globals_: Mapping[str, object]
) -> Jinja2Templates:
    """The pages' templates with ``filters`` (on top of :data:`FILTERS`) and ``globals_``."""
    templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
    env = templates.env
    env.filters.update(FILTERS)
    env.filters.update(filters)
    env.globals.update(globals_)
    return templates
