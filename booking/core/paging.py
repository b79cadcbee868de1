"""Keyset pagination for every list: a page is cut after the sort key of its last row, so
page 40 costs what page 1 costs. The cursor is that key, opaque to clients (base64 of JSON);
a forged or stale one gives a German 422, never a 500.

In the API, the next page's address travels in a ``Link: <…>; rel="next"`` header (RFC 8288),
so that lists keep their shape; pages link to it with the filters kept.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, and_, or_
from starlette.requests import Request

from booking.core.errors import ValidationFailed

PAGE_SIZE = 50
PAGE_SIZE_MAX = 200
CURSOR_MAX = 600
"""Characters; a cursor is short, anything longer is not one of ours."""

CURSOR_INVALID = "Dieser Blätter-Verweis ist ungültig. Bitte beginnen Sie die Liste von vorn."
LIMIT_RANGE = "Bitte geben Sie als limit eine ganze Zahl von 1 bis {max} an."

Key = str | int | datetime


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    next_cursor: str | None
    """Hand it back for the next page; None on the last page."""
    total: int | None = None
    """All matches, where the list counts them."""


def encode_cursor(*key: Key) -> str:
    parts = [
        part.astimezone(UTC).isoformat() if isinstance(part, datetime) else part for part in key
    ]
    raw = json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, shape: tuple[type, ...], field: str = "cursor") -> tuple[Any, ...]:
    """The key in ``cursor``, each part of the type ``shape`` gives (str, int or an aware
    datetime); a German 422 for anything else."""
    problem = ValidationFailed(CURSOR_INVALID, {field: CURSOR_INVALID})
    if len(cursor) > CURSOR_MAX or not cursor.isascii():
        raise problem
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
        if not isinstance(key, list) or len(key) != len(shape):
            raise problem
        return tuple(_part(value, kind) for value, kind in zip(key, shape, strict=True))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise problem from exc


def _part(value: object, kind: type) -> Key:
    if isinstance(value, str) and not value.isprintable():
        raise ValueError(value)
    if kind is datetime and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(value)
        return moment.astimezone(UTC)
    # bool is an int to Python, not to us
    if type(value) is not kind:
        raise TypeError(value)
    return value  # type: ignore[return-value]


def parse_limit(text: str | None, default: int = PAGE_SIZE, field: str = "limit") -> int:
    """``?limit=``: 1 to PAGE_SIZE_MAX, ``default`` when absent; 422 otherwise."""
    if text is None or text == "":
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text[:6]) <= PAGE_SIZE_MAX:
        message = LIMIT_RANGE.format(max=PAGE_SIZE_MAX)
        raise ValidationFailed(message, {field: message})
    return int(text)


def after_key(
    columns: tuple[Any, ...], values: tuple[Any, ...], *, descending: bool = False
) -> ColumnElement[bool]:
    """Rows sorting after ``values`` in the order of ``columns`` (all ascending, or all
    descending): ``(a, b) > (x, y)`` spelt out, which every database plans on an index."""
    first, *rest = columns
    value, *later = values
    beyond = first < value if descending else first > value
    if not rest:
        return beyond  # type: ignore[no-any-return]
    deeper = after_key(tuple(rest), tuple(later), descending=descending)
    return or_(beyond, and_(first == value, deeper))


def next_page_url(request: Request, cursor: str, param: str = "cursor", origin: str = "") -> str:
    """The request's own path (after ``origin``, e.g. the configured base URL) with ``param``
    set to ``cursor`` and every other parameter kept."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != param]
    pairs.append((param, cursor))
    return f"{origin}{request.url.path}?{urlencode(pairs)}"


def without_param(request: Request, param: str = "cursor") -> str:
    """The request's own path with every parameter but ``param``: a list's first page."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != param]
    return f"{request.url.path}?{urlencode(pairs)}" if pairs else request.url.path


def link_header(url: str) -> dict[str, str]:
    return {"Link": f'<{url}>; rel="next"'}
