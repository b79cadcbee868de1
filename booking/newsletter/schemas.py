"""The JSON API's shapes of the newsletter: an issue in and out, with its progress."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from booking.core.schemas import Input, Instant, Title, multi_line
from booking.newsletter.issues import BODY_MAX

Body = Annotated[
    str, StringConstraints(min_length=1, max_length=BODY_MAX), AfterValidator(multi_line)
]


class IssueIn(Input):
    subject: Title
    body_markdown: Body = Field(
        description="The text in Markdown (CommonMark; HTML is shown as text, images are not "
        "embedded; links to http, https and mailto)."
    )


class IssueOut(BaseModel):
    id: int
    subject: str
    body_markdown: str
    status: Literal["draft", "sending", "sent"] = Field(
        description="draft; sending (mails being written to the outbox); sent (all written)."
    )
    created_at: Instant
    send_started_at: Instant | None
    recipients: int = Field(
        description="Confirmed subscribers when sending started (0 for a draft); once all "
        "mails are written, the number written."
    )
    queued: int = Field(description="Mails written to the outbox so far.")
    sent: int = Field(description="Mails the SMTP server has accepted.")
    failed: int = Field(description="Mails the outbox gave up on (undeliverable).")
    done: bool = Field(description="Every recipient's mail is sent or given up on.")
