"""What the JSON API takes and gives for certificates."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, StringConstraints

from booking.core.schemas import Input, Instant, single_line


class CertificateOut(BaseModel):
    booking_id: int | None
    number: str
    course_title: str
    units_attended: int
    units_offered: int
    partial: bool
    issued_at: Instant
    revoked_at: Instant | None
    pdf_url: str
    verify_url: str


class RevokeIn(Input):
    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
        AfterValidator(single_line),
    ]
