"""The questionnaire, fixed in code: each question's key (stored with its rating), its German
wording and the words for the two ends of its scale from 1 to 5.

A key names one meaning. A new wording of the same meaning keeps its key and raises
:data:`VERSION`; a question that asks something else gets a new key, so that results never
mix two meanings.
"""

from __future__ import annotations

from dataclasses import dataclass

VERSION = "2026-1"
"""Stored with every answer."""

SCALE = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    short: str
    """For table headings."""
    low: str
    """What 1 means."""
    high: str
    """What 5 means."""


QUESTIONS: tuple[Question, ...] = (
    Question(
        "usefulness",
        "Wie nützlich war die Veranstaltung für Ihre Arbeit?",
        "Nutzen",
        "gar nicht nützlich",
        "sehr nützlich",
    ),
    Question(
        "confidence_before",
        "Wie sicher fühlten Sie sich vor der Veranstaltung im Umgang mit aggressiven Situationen?",
        "Sicherheit vorher",
        "sehr unsicher",
        "sehr sicher",
    ),
    Question(
        "confidence_after",
        "Wie sicher fühlen Sie sich nach der Veranstaltung im Umgang mit aggressiven Situationen?",
        "Sicherheit nachher",
        "sehr unsicher",
        "sehr sicher",
    ),
    Question(
        "recommend",
        "Würden Sie die Veranstaltung weiterempfehlen?",
        "Empfehlung",
        "auf keinen Fall",
        "auf jeden Fall",
    ),
)
KEYS = tuple(q.key for q in QUESTIONS)
BY_KEY = {q.key: q for q in QUESTIONS}

COMMENT_LABEL = "Was möchten Sie uns mitteilen?"
COMMENT_MAX = 2000
"""Characters of the free text (also a CHECK constraint)."""
