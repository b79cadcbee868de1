"""The Jinja2 environment: one loader for templates/, German filters, autoescape on.

The domains' own words (labels of statuses, formats, sectors) are handed in by the app
factory, so that the core knows no domain."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

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


FILTERS: dict[str, Callable[..., object]] = {
    "date_de": formatting.date_de,
    "datetime_de": formatting.datetime_de,
    "time_de": formatting.time_de,
    "month_de": formatting.month_de,
    "range_de": lambda s: formatting.range_de(s.starts_at, s.ends_at),
    "sessions_range": range_of,
    "seats_de": formatting.seats_de,
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
