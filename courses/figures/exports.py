"""The year in figures as tables for a workbook (booking.core.spreadsheets writes them as
XLSX): one worksheet per section, numbers as numbers, rates in per cent with one decimal."""

from __future__ import annotations

from booking.core.spreadsheets import Table, Value
from booking.organisations.messages import SECTOR_LABELS
from courses.figures import messages
from courses.figures.queries import FormatFigures, GroupFigures, YearFigures
from courses.messages import KIND_LABELS


def per_cent(share: float | None) -> float | None:
    """0.875 → 87.5; None stays empty."""
    return None if share is None else round(share * 100, 1)


def format_label(figures: FormatFigures) -> str:
    return KIND_LABELS.get(figures.kind, figures.kind) if figures.kind else messages.TOTAL


def sector_label(group: GroupFigures) -> str:
    if group.key is None:
        return messages.NO_ORGANISATION
    return SECTOR_LABELS.get(group.key, group.key)


def region_label(group: GroupFigures) -> str:
    return group.key if group.key is not None else messages.NO_ORGANISATION


def figures_tables(figures: YearFigures) -> list[Table]:
    title = messages.WORKBOOK_TITLE.format(year=figures.year)
    rows = [*figures.formats, figures.total]
    formats = Table(
        title=title,
        sheet=messages.SHEET_FORMATS,
        header=(
            messages.FORMAT,
            messages.EVENTS,
            messages.SEATS_OFFERED,
            messages.SEATS_TAKEN,
            messages.UTILISATION,
            messages.WAITLISTED_EVER,
            messages.STILL_WAITING,
        ),
        rows=[
            (
                format_label(f),
                f.events,
                f.seats_offered,
                f.seats_taken,
                per_cent(f.utilisation),
                f.waitlisted_ever,
                f.still_waiting,
            )
            for f in rows
        ],
    )
    attendance = Table(
        title=title,
        sheet=messages.SHEET_ATTENDANCE,
        header=(
            messages.FORMAT,
            messages.SETTLED,
            messages.ATTENDED,
            messages.PARTIAL,
            messages.NO_SHOW,
            messages.ATTENDANCE_RATE,
            messages.NO_SHOW_RATE,
        ),
        rows=[
            (
                format_label(f),
                f.settled,
                f.attended,
                f.partial,
                f.no_show,
                per_cent(f.attendance_rate),
                per_cent(f.no_show_rate),
            )
            for f in rows
        ],
    )
    group_header = (messages.PARTICIPANTS, messages.BOOKINGS)
    sectors = Table(
        title=title,
        sheet=messages.SHEET_SECTORS,
        header=(messages.SECTOR, *group_header),
        rows=[(sector_label(g), g.participants, g.bookings) for g in figures.sectors],
    )
    regions = Table(
        title=title,
        sheet=messages.SHEET_REGIONS,
        header=(messages.REGION, *group_header),
        rows=[(region_label(g), g.participants, g.bookings) for g in figures.regions],
    )
    feedback_rows: list[tuple[Value, ...]] = [
        (q.question, None if q.average is None else round(q.average, 2), q.count)
        for q in figures.feedback or []
    ]
    feedback = Table(
        title=title,
        sheet=messages.SHEET_FEEDBACK,
        header=(messages.QUESTION, messages.AVERAGE, messages.ANSWERS),
        rows=feedback_rows or [(messages.NO_FEEDBACK, None, None)],
    )
    return [formats, attendance, sectors, regions, feedback]
