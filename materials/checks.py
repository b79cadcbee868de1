"""Checking what people enter for items and orders, with German messages by field; and the
rule for delivery addresses:

an official address, never a home address. The first line names the ordering organisation
(it may go on, "Feuerwehr Essen – Feuer- und Rettungswache 1"), 2 to 6 lines in all, the last
one a five-digit German postcode and the town. A parcel addressed to a private person at home
then cannot be what the form is for; the staff unit sees the address before it sends.
"""

from __future__ import annotations

import re
from datetime import date

from booking.core.errors import DomainError, Forbidden, ValidationFailed
from booking.core.text import LINE_BREAKS, has_control_characters
from booking.members.models import Member
from materials import messages

NAME_MAX = 200
DESCRIPTION_MAX = 2000
UNIT_MAX = 40
AMOUNT_MAX = 1_000_000
"""Stock, yearly limit and threshold."""
QUANTITY_MAX = 100_000
LINES_MAX = 20
"""Items in one order."""
ADDRESS_LINES = (2, 6)
ADDRESS_LINE_MAX = 100
CONTACT_MAX = 200
NOTE_MAX = 1000
REASON_MAX = 1000
TRACKING_MAX = 500

_POSTCODE_LINE = re.compile(r"(?:D-)?[0-9]{5} +\S.*")


def require_organiser(actor: Member) -> None:
    if not actor.is_organiser:
        raise Forbidden(messages.ORGANISERS_ONLY)


def refuse(errors: dict[str, str]) -> None:
    """Every field's problem at once; the first is the message."""
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)


def clean_line(
    text: str,
    field: str,
    errors: dict[str, str],
    *,
    required: str | None,
    too_long: str,
    max_length: int,
) -> str:
    """One line of text, its spaces squeezed; ``required`` is the message when empty."""
    if has_control_characters(text):
        errors[field] = messages.CONTROL_CHARS
        return text
    text = " ".join(text.split())
    if not text and required:
        errors[field] = required
    elif len(text) > max_length:
        errors[field] = too_long
    return text


def clean_text(
    text: str, field: str, errors: dict[str, str], *, too_long: str, max_length: int
) -> str:
    """Paragraphs of text (line breaks kept, each line trimmed), may be empty."""
    if has_control_characters(text, allowed=LINE_BREAKS):
        errors[field] = messages.CONTROL_CHARS
        return text
    text = "\n".join(line.strip() for line in text.strip().splitlines())
    if len(text) > max_length:
        errors[field] = too_long
    return text


def clean_amount(
    value: int | None, field: str, errors: dict[str, str], *, message: str, smallest: int
) -> int | None:
    """A whole number from ``smallest`` to AMOUNT_MAX (None stays None)."""
    if value is None:
        return None
    if isinstance(value, bool) or not smallest <= value <= AMOUNT_MAX:
        errors[field] = message
    return value


def clean_quantity(value: int, field: str, errors: dict[str, str], *, smallest: int = 1) -> int:
    if isinstance(value, bool) or not smallest <= value <= QUANTITY_MAX:
        errors[field] = messages.QUANTITY_RANGE if smallest == 1 else messages.QUANTITY_FIELD_RANGE
    return value


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def clean_address(text: str, organisation: str, errors: dict[str, str]) -> str:
    """The delivery address as lines, checked by the rule above; in normal form (each line
    trimmed, spaces squeezed, empty lines dropped)."""
    field = "delivery_address"
    if has_control_characters(text, allowed=LINE_BREAKS) or "\t" in text:
        errors[field] = messages.CONTROL_CHARS
        return text
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        errors[field] = messages.ADDRESS_REQUIRED
        return ""
    low, high = ADDRESS_LINES
    if not low <= len(lines) <= high:
        errors[field] = messages.ADDRESS_LINES.format(count=len(lines))
    elif any(len(line) > ADDRESS_LINE_MAX for line in lines):
        errors[field] = messages.ADDRESS_LINE_TOO_LONG
    elif not (_same(lines[0], organisation) or _starts_with_name(lines[0], organisation)):
        errors[field] = messages.ADDRESS_ORGANISATION.format(organisation=organisation)
    elif not _POSTCODE_LINE.fullmatch(lines[-1]):
        errors[field] = messages.ADDRESS_POSTCODE
    return "\n".join(lines)


def _starts_with_name(line: str, organisation: str) -> bool:
    """The line begins with the organisation's whole name, followed by a separator."""
    name = " ".join(organisation.split()).casefold()
    line = line.casefold()
    return line.startswith(name) and line[len(name) : len(name) + 1] in (" ", ",", "-", "–", "/")


def clean_shipped_on(day: date | None, today: date, errors: dict[str, str]) -> date:
    if day is None:
        return today
    if day > today:
        errors["shipped_on"] = messages.SHIPPED_ON_FUTURE
    return day


class OutOfStock(DomainError):
    code = "out_of_stock"
    status = 409
    default_message = "Nicht genug auf Lager."

    def __init__(self, message: str, fields: dict[str, str]) -> None:
        super().__init__(message)
        self.fields = fields


class OverLimit(ValidationFailed):
    code = "over_yearly_limit"
