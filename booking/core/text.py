"""Text as people type it: the characters that have no place in it."""

from __future__ import annotations

import re

LINE_BREAKS = "\t\n\r"
"""Allowed in texts of several lines (descriptions, addresses, reasons)."""


def has_control_characters(text: str, *, allowed: str = "") -> bool:
    """NUL and the other C0 and C1 control characters (Unicode category Cc), but for those
    in ``allowed``. PostgreSQL refuses NUL in text; none of them belongs in a name, an
    address or a letter, and a mail header or a CSV cell could be broken by them."""
    return any((ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0) and c not in allowed for c in text)


URLSAFE_TOKEN = re.compile(r"[A-Za-z0-9_-]{10,40}")
"""What ``secrets.token_urlsafe`` gives for a verification code printed on a document (and
nothing else: a NUL byte, which PostgreSQL refuses in text, names no document)."""
