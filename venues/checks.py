"""Checking what organisers enter for venues, rooms and online rooms, with German messages by
field; and the rule that keeps a venue's accessibility facts from contradicting each other:

1. a barrier-free toilet (``accessible_toilet``) only at a step-free venue (``step_free``):
   a toilet behind steps is not barrier-free to reach (also a CHECK constraint);
2. the notes may not be the only place that claims step-free access, a hearing loop or a
   barrier-free toilet: a word that claims one of them ("stufenlos", "barrierefrei",
   "Induktionsschleife", "barrierefreies WC" …) needs its box ticked. A negation in the
   same clause just before it ("nicht stufenlos", "keine Induktionsschleife") claims
   nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from booking.core.errors import Forbidden, ValidationFailed
from booking.core.text import LINE_BREAKS, has_control_characters
from booking.members.models import Member
from venues import messages
from venues.models import REGIONS

NAME_MAX = 200
STREET_MAX = 200
CITY_MAX = 100
NOTES_MAX = 2000
URL_MAX = 500
DIAL_IN_MAX = 200
CAPACITY_MAX = 10_000
ROOMS_MAX = 100
"""Rooms per venue: the venue's page lists them all."""

_POSTAL_CODE = re.compile(r"[0-9]{5}")


def require_organiser(actor: Member) -> None:
    if not actor.is_organiser:
        raise Forbidden()


def refuse(errors: dict[str, str]) -> None:
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
    """One line of text, its spaces squeezed; ``required`` is the message when it is empty
    (None: it may be)."""
    if has_control_characters(text):
        errors[field] = messages.CONTROL_CHARS
        return text
    text = " ".join(text.split())
    if not text and required:
        errors[field] = required
    elif len(text) > max_length:
        errors[field] = too_long
    return text


def clean_postal_code(text: str, errors: dict[str, str]) -> str:
    text = text.strip()
    if not _POSTAL_CODE.fullmatch(text):
        errors["postal_code"] = messages.POSTAL_CODE_INVALID
    return text


def clean_region(region: str, errors: dict[str, str]) -> str:
    if region not in REGIONS:
        errors["region"] = messages.REGION_UNKNOWN
    return region


def clean_notes(text: str, errors: dict[str, str]) -> str:
    if has_control_characters(text, allowed=LINE_BREAKS):
        errors["accessibility_notes"] = messages.CONTROL_CHARS
        return text
    text = "\n".join(line.strip() for line in text.strip().splitlines())
    if len(text) > NOTES_MAX:
        errors["accessibility_notes"] = messages.NOTES_TOO_LONG
    return text


def clean_capacity(capacity: int, errors: dict[str, str], field: str = "capacity") -> int:
    if isinstance(capacity, bool) or not 1 <= capacity <= CAPACITY_MAX:
        errors[field] = messages.CAPACITY_RANGE
    return capacity


def clean_meeting_url(text: str, errors: dict[str, str]) -> str:
    """An https:// address with a host, no spaces or control characters."""
    text = text.strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        host = None
    if (
        len(text) > URL_MAX
        or has_control_characters(text)
        or any(c.isspace() for c in text)
        or not text.lower().startswith("https://")
        or not host
    ):
        errors["meeting_url"] = messages.MEETING_URL_INVALID
    return text


# -- the accessibility rule -----------------------------------------------------------------------

NEGATIONS = frozenset(
    {"kein", "keine", "keinen", "keiner", "keinem", "keines", "nicht", "ohne", "nie", "kaum"}
)
STEP_FREE_WORDS = (
    "stufenlos", "stufenfrei", "ebenerdig", "barrierefrei", "rollstuhlgerecht",
    "rollstuhlzugänglich", "rollstuhlfahrergerecht", "schwellenlos", "schwellenfrei",
    "niveaugleich",
)  # fmt: skip
"""Beginnings of words that claim step-free access ("stufenloser", "barrierefreie" …)."""
HEARING_LOOP_WORDS = (
    "induktionsschleife", "induktionsanlage", "induktiv", "hörschleife", "ringschleife",
)  # fmt: skip
TOILET_ADJECTIVES = ("barrierefrei", "rollstuhl", "behindert")
TOILET_NOUNS = ("wc", "toilette")

_CLAUSE_END = re.compile(r"[.;:!?,()\n–]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    lower: str


def _clauses(notes: str) -> list[list[_Word]]:
    """The words of the notes (where they stand, in lower case), clause by clause."""
    clauses: list[list[_Word]] = [[]]
    last = 0
    for match in _WORD.finditer(notes):
        if _CLAUSE_END.search(notes, last, match.start()):
            clauses.append([])
        clauses[-1].append(_Word(match.start(), match.end(), match.group().casefold()))
        last = match.end()
    return clauses


def _negated(words: list[_Word], index: int) -> bool:
    """A negation among the two words before ``index``."""
    return any(word.lower in NEGATIONS for word in words[max(0, index - 2) : index])


def _claims(notes: str, beginnings: tuple[str, ...]) -> str | None:
    """The first word of ``notes`` that begins like one of ``beginnings``, not negated."""
    for words in _clauses(notes):
        for i, word in enumerate(words):
            if word.lower.startswith(beginnings) and not _negated(words, i):
                return notes[word.start : word.end]
    return None


def _toilet_claim(notes: str) -> str | None:
    """ "barrierefreies WC", "rollstuhlgerechte Toilette", "Behinderten-WC",
    "Behindertentoilette" – unless negated."""
    for words in _clauses(notes):
        for i, word in enumerate(words):
            compound = word.lower.startswith(TOILET_ADJECTIVES) and (
                "toilette" in word.lower or word.lower.endswith("wc")
            )
            if compound and not _negated(words, i):
                return notes[word.start : word.end]
            if (
                word.lower.startswith(TOILET_NOUNS)
                and i > 0
                and words[i - 1].lower.startswith(TOILET_ADJECTIVES)
                and not _negated(words, i - 1)
            ):
                return notes[words[i - 1].start : word.end]
    return None


def check_accessibility(
    *, step_free: bool, hearing_loop: bool, accessible_toilet: bool, notes: str
) -> dict[str, str]:
    """What contradicts what, by field (empty: the facts agree)."""
    errors: dict[str, str] = {}
    if accessible_toilet and not step_free:
        errors["accessible_toilet"] = messages.TOILET_NEEDS_STEP_FREE
    if not step_free and (word := _claims(notes, STEP_FREE_WORDS)):
        errors["accessibility_notes"] = messages.NOTES_CLAIM_STEP_FREE.format(word=word)
    elif not hearing_loop and (word := _claims(notes, HEARING_LOOP_WORDS)):
        errors["accessibility_notes"] = messages.NOTES_CLAIM_HEARING_LOOP.format(word=word)
    elif not accessible_toilet and (word := _toilet_claim(notes)):
        errors["accessibility_notes"] = messages.NOTES_CLAIM_TOILET.format(word=word)
    return errors
