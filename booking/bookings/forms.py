"""Forms of the booking pages."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from booking.core.web import Form


class RemoveForm(Form):
    """An organiser cancels someone else's booking: the reason goes into their mail and
    the audit log."""

    reason = TextAreaField(
        "Begründung für die Person (optional)",
        validators=[Optional(), Length(max=1000, message="Höchstens 1000 Zeichen.")],
    )
