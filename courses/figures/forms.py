"""The year chooser of the figures page (and of its XLSX)."""

from __future__ import annotations

import wtforms
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from booking.core.formatting import FIRST_YEAR, LAST_YEAR
from booking.core.web import Form
from courses.figures import messages
from courses.forms import FullMatch


def year_in_range(form: wtforms.Form, field: wtforms.Field) -> None:
    if not FIRST_YEAR <= int(field.data) <= LAST_YEAR:
        raise ValidationError(messages.YEAR_RANGE)


class YearForm(Form):
    """A GET form: it changes nothing, so it carries no CSRF token. Empty means this year."""

    class Meta:
        csrf = False

    jahr = SelectField(
        messages.YEAR_LABEL,
        validators=[Optional(), FullMatch(r"[0-9]{4}", messages.YEAR_FORMAT), year_in_range],
        validate_choice=False,
    )

    def chosen(self, default: int) -> int:
        """The year asked for (the form validated), or ``default``."""
        return int(self.jahr.data) if self.jahr.data else default
