"""Text for log lines: control characters escaped, e-mail addresses left out.

Log lines are read by people and parsed by tools; a path or an SMTP server's answer that
carries a line break or a terminal escape must not be able to fake a line, and no address
of a person belongs in a log (the outbox id says which message is meant).

:func:`install_log_masking` applies the same to every log record of the process, whoever
writes it (uvicorn's access log too): addresses out, query strings (``?token=…``,
``?zugang=…``) and the secret part of token addresses (``/rueckmeldung/<token>``) masked,
and a traceback shows where an error arose and its kind, never its message (a failed INSERT
quotes names and addresses).
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable
from typing import Any

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


_QUERY = re.compile(r"\?[^\s\"'#]+")
MASK = "[…]"


def mask(text: str, token_paths: re.Pattern[str] | None = None) -> str:
    """``text`` without addresses, query strings and the secret parts of token paths."""
    text = _QUERY.sub("?" + MASK, text)
    text = _ADDRESS.sub("[address]", text)
    if token_paths is not None:
        text = token_paths.sub(lambda m: m.group(1) + MASK, text)
    return text


def token_path_pattern(prefixes: Iterable[str]) -> re.Pattern[str] | None:
    """Matches ``<prefix>/<secret>`` for each path prefix whose next segment is a secret."""
    alternatives = "|".join(re.escape(p.rstrip("/")) for p in prefixes)
    if not alternatives:
        return None
    return re.compile(rf"((?:{alternatives})/)[^/\s?\"'#]+")


def exception_text(exc: BaseException) -> str:
    """A traceback with every frame, each exception named by its kind only."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts = []
    for error in reversed(chain):
        frames = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
        kind = f"{type(error).__module__}.{type(error).__qualname__}"
        parts.append(f"Traceback (most recent call last):\n{frames}{kind} (message left out)")
    return "\n\nthen:\n".join(parts)


def _masked_arg(value: Any, token_paths: re.Pattern[str] | None) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask(str(value), token_paths)


def mask_record(record: logging.LogRecord, token_paths: re.Pattern[str] | None = None) -> None:
    """Mask a record in place, keeping its arguments' shape (uvicorn's access formatter
    reads them one by one)."""
    if isinstance(record.msg, str):
        record.msg = mask(record.msg, token_paths)
    if isinstance(record.args, tuple):
        record.args = tuple(_masked_arg(arg, token_paths) for arg in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _masked_arg(v, token_paths) for k, v in record.args.items()}
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = mask(exception_text(record.exc_info[1]), token_paths)


class _Masking:
    """The process's record factory, installed once; token paths can be added later."""

    def __init__(self) -> None:
        self.prefixes: frozenset[str] = frozenset()
        self.pattern: re.Pattern[str] | None = None
        self.installed = False

    def __call__(self, previous: Any, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = previous(*args, **kwargs)
        mask_record(record, self.pattern)
        return record


_masking = _Masking()


def install_log_masking(token_paths: Iterable[str] = ()) -> None:
    """Mask every log record of this process from now on, whoever logs it."""
    _masking.prefixes |= frozenset(token_paths)
    _masking.pattern = token_path_pattern(sorted(_masking.prefixes))
    if _masking.installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _masking(previous, *args, **kwargs)

    logging.setLogRecordFactory(factory)
    _masking.installed = True
