"""The Jinja2 environment: one loader for templates/, German filters, autoescape on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

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


FILTERS: dict[str, Callable[..., object]] = {
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
