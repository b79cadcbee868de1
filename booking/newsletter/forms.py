"""Forms of the newsletter: the public sign-up, the confirmation button, the organisers'
editor. The services check everything again (booking.newsletter.services and .issues)."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from booking.core.web import Form
from booking.newsletter import messages
from booking.newsletter.issues import BODY_MAX, SUBJECT_MAX


def _no_control(allowed: str) -> object:
    def check(_form: Form, field: StringField) -> None:
        if any(
            (ord(c) < 32 and c not in allowed) or 0x7F <= ord(c) < 0xA0 for c in field.data or ""
        ):
            raise ValidationError(messages.CONTROL_CHARS)

    return check


def mask_controls(form: Form) -> None:
    """A refused form shows what was typed, but a control character (NUL is not allowed in
    an HTML page) as the replacement character beside its error."""
    for field in form:
        if isinstance(field.data, str):
            field.data = "".join(
                "\ufffd" if (ord(c) < 32 and c not in "\n\r\t") or 0x7F <= ord(c) < 0xA0 else c
                for c in field.data
            )


class SignUpForm(Form):
    email = StringField(
        "Dienstliche E-Mail-Adresse",
        validators=[
            DataRequired(messages.EMAIL_INVALID),
            Length(max=254, message=messages.EMAIL_INVALID),
            _no_control(""),
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
            _no_control(""),
        ],
    )
    body_markdown = TextAreaField(
        "Text (Markdown)",
        validators=[
            DataRequired(messages.BODY_REQUIRED),
            Length(max=BODY_MAX, message=messages.BODY_TOO_LONG.format(most=BODY_MAX)),
            _no_control("\n\r\t"),
        ],
    )
