"""The hostile values, and short names for them in the report."""

from __future__ import annotations

NUL = "a\x00b"
NUL_CODE = "SID\x00" + "7" * 16
"""A NUL byte in something as long as a code or number: past checks of a length alone."""
CONTROL = "a\x01\x08\x0b\x1b\x7f\x85b"
"""C0 controls, DEL and a C1 control (NUL has its own value)."""
LONG = "x" * 100_000
LONG_URL = "x" * 30_000
"""In an address (httpx, like servers, takes addresses of up to 64 KiB)."""
WORLD = "🙂 \u202eمرحبا\u202c שָׁלוֹם 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u200b"
"""Emoji, right-to-left text with a direction override, letters outside the BMP."""
HUGE = 2**63
NEGATIVE = -1
WORD = "abc"
BAD_DATE = "31.02.2027"
BAD_TIME = "99:99"
YEAR_ZERO = "0000-01-01"

PATH_VALUES = {
    "id": ["0", "-1", str(HUGE), WORD, "1" * 12],
    "str": [NUL, NUL_CODE, LONG_URL, WORLD, "..", "%00", "a/b"],
    "path": ["../../pyproject.toml", NUL, NUL_CODE, LONG_URL, WORLD],
}
"""Values put in for one path parameter, by its convertor (an unknown convertor: ``str``)."""

QUERY_VALUES = [NUL, NUL_CODE, str(HUGE), str(NEGATIVE), BAD_DATE, LONG_URL]
"""Each query parameter gets each of these on its own ..."""
QUERY_VALUES_AT_ONCE = [CONTROL, WORLD, WORD, BAD_TIME, YEAR_ZERO, ""]
"""... and all parameters at once each of these."""

TEXT_KINDS = {"text", "textarea", "email", "search", "url", "tel", "password"}
FIELD_VALUES: dict[str, list[str]] = {
    "text": [NUL, NUL_CODE, CONTROL, LONG, WORLD],
    "hidden": [NUL, str(HUGE), str(NEGATIVE), LONG],
    "number": [str(HUGE), str(NEGATIVE), WORD, NUL],
    "date": [BAD_DATE, YEAR_ZERO, BAD_TIME, NUL],
    "time": [BAD_TIME, "24:00", NUL],
    "month": ["2027-13", "0000-01", NUL],
    "choice": [NUL, str(HUGE), str(NEGATIVE), WORLD],
}
"""The hostile values for one form field, by the kind of field (``text`` for all of
TEXT_KINDS, ``choice`` for selects, radio buttons, checkboxes and the rest)."""
SECOND_ROLE_VALUES = [NUL, CONTROL, WORLD, str(HUGE), str(NEGATIVE), WORD, BAD_DATE, BAD_TIME]
"""For a second role, every field of a form at once with each of these."""


def describe(value: object) -> str:
    """A short readable name of a hostile value for the report."""
    if value in (LONG, LONG_URL):
        return f"<{len(str(value))} x>"
    if isinstance(value, str) and len(value) > 60:
        return repr(value[:40]) + f"…<{len(value)}>"
    return repr(value)
