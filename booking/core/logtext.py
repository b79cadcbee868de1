"""Text for log lines: control characters escaped, e-mail addresses left out.

Log lines are read by people and parsed by tools; a path or an SMTP server's answer that
carries a line break or a terminal escape must not be able to fake a line, and no address
of a person belongs in a log (the outbox id says which message is meant).
"""

from __future__ import annotations

import re

_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
LIMIT = 500


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def escape_controls(text: str) -> str:
    """Every control character (and the Unicode line separators) as a visible escape."""
    return _CONTROL.sub(_escape, text)


def clean(value: object, limit: int = LIMIT) -> str:
    """``value`` as text fit for one log line: addresses replaced, controls escaped, cut."""
    text = _ADDRESS.sub("[address]", str(value))
    text = escape_controls(text)
    return text if len(text) <= limit else text[:limit] + "…"
