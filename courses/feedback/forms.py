"""The feedback form (one radio group per question, the free text) and the overview's filter.

The form carries the CSRF token and the entries as given; courses.feedback.services checks
them again, so that a forged request is refused alike."""

from __future__ import annotations

from typing import Any

import wtforms
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from booking.core.formatting import FIRST_YEAR, LAST_YEAR
from booking.core.web import Form
from courses.feedback import messages
from courses.feedback.questions import COMMENT_LABEL, COMMENT_MAX, QUESTIONS, SCALE, Question
from courses.forms import DayField, no_control_chars

NO_ANSWER = ""


def _scale_choices(question: Question) -> list[SelectChoice]:
    def label(value: int) -> str:
        if value == SCALE[0]:
            return f"{value} – {question.low}"
        if value == SCALE[-1]:
            return f"{value} – {question.high}"
        return str(value)

    return [
        *(SelectChoice(str(v), label(v)) for v in SCALE),
        SelectChoice(NO_ANSWER, messages.NO_ANSWER),
    ]


def _on_the_scale(form: wtforms.Form, field: wtforms.Field) -> None:
    if field.data not in {NO_ANSWER, *(str(v) for v in SCALE)}:
        raise ValidationError(messages.RATING_INVALID)


class FeedbackForm(Form):
    comment = TextAreaField(
        COMMENT_LABEL,
        validators=[
            Optional(),
            Length(max=COMMENT_MAX, message=messages.COMMENT_TOO_LONG.format(max=COMMENT_MAX)),
            no_control_chars,
        ],
    )

    def ratings(self) -> dict[str, int | None]:
        """The ratings as the service takes them: a number, or None for "keine Angabe"."""
        given: dict[str, int | None] = {}
        for question in QUESTIONS:
            value = self[question.key].data
            given[question.key] = int(value) if value and value.isdigit() else None
        return given

    def rating_fields(self) -> list[Any]:
        return [self[q.key] for q in QUESTIONS]


for _question in QUESTIONS:
    setattr(
        FeedbackForm,
        _question.key,
        RadioField(
            _question.label,
            choices=_scale_choices(_question),
            default=NO_ANSWER,
            validate_choice=False,
            validators=[_on_the_scale],
        ),
    )


def year_choices(this_year: int) -> list[SelectChoice]:
    first = max(FIRST_YEAR, this_year - 9)
    return [SelectChoice(str(y), str(y)) for y in range(this_year, first - 1, -1)]


class OverviewFilterForm(Form):
    """A GET form: it changes nothing, so it carries no CSRF token. A year, or a window of
    days (which wins when given)."""

    class Meta:
        csrf = False

    jahr = SelectField("Jahr", choices=[], validate_choice=False)
    von = DayField("Von (Datum, optional)", validators=[Optional()])
    bis = DayField("Bis einschließlich (Datum, optional)", validators=[Optional()])
    nach = HiddenField()

    def validate_jahr(self, field: wtforms.Field) -> None:
        text = field.data or ""
        if not (text.isascii() and text.isdigit() and FIRST_YEAR <= int(text[:5]) <= LAST_YEAR):
            raise ValidationError(messages.YEAR_RANGE)

    def validate_bis(self, field: wtforms.Field) -> None:
        if self.von.parsed and field.parsed and field.parsed < self.von.parsed:
            raise ValidationError(messages.WINDOW_ORDER)
