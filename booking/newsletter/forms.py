"""Forms of the newsletter: the public sign-up, the confirmation button, the organisers'
editor. The services check everything again (booking.newsletter.services and .issues)."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from booking.core.text import LINE_BREAKS, has_control_characters
from booking.core.web import Form, no_control_characters
from booking.newsletter import messages
from booking.newsletter.issues import BODY_MAX, SUBJECT_MAX


def mask_controls(form: Form) -> None:
    """A refused form shows what was typed, but a control character (NUL is not allowed in
    an HTML page) as the replacement character beside its error."""
    for field in form:
        if isinstance(field.data, str):
            field.data = "".join(
                "\ufffd" if has_control_characters(c, allowed=LINE_BREAKS) else c
                for c in field.data
            )


class SignUpForm(Form):
    email = StringField(
        "Dienstliche E-Mail-Adresse",
        validators=[
            DataRequired(messages.EMAIL_INVALID),
            Length(max=254, message=messages.EMAIL_INVALID),
            no_control_characters(messages.CONTROL_CHARS),
        ],
    )
    consent = BooleanField("Ich willige ein, den Newsletter zu erhalten (Text oben)")
    """Checked by the service, so that a missing consent and a wrong address are named at
    once."""


class ConfirmLinkForm(Form):
    token = HiddenField(validators=[DataRequired(), Length(max=1000)])


class IssueForm(Form):
    subject = StringField(
        "Betreff",
        validators=[
            DataRequired(messages.SUBJECT_REQUIRED),
            Length(max=SUBJECT_MAX, message=messages.SUBJECT_TOO_LONG.format(most=SUBJECT_MAX)),
            no_control_characters(messages.CONTROL_CHARS),
        ],
    )
    body_markdown = TextAreaField(
        "Text (Markdown)",
        validators=[
            DataRequired(messages.BODY_REQUIRED),
            Length(max=BODY_MAX, message=messages.BODY_TOO_LONG.format(most=BODY_MAX)),
            no_control_characters(messages.CONTROL_CHARS, allowed=LINE_BREAKS),
        ],
    )
