"""The JSON API's shapes for the member's rights."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from booking.bookings.schemas import Reason
from booking.core.schemas import Input


class MemberExport(BaseModel):
    """Everything stored about the member (Art. 15 DSGVO); secrets left out."""

    format: int
    exported_at: str
    profile: dict[str, Any]
    organisation: dict[str, Any] | None
    bookings: list[dict[str, Any]]
    certificates: list[dict[str, Any]]
    material_orders: list[dict[str, Any]]
    joining_applications: list[dict[str, Any]]
    feedback_invitations: list[dict[str, Any]]
    mails: list[dict[str, Any]]
    sessions: list[dict[str, Any]]
    api_tokens: list[dict[str, Any]]
    audit_entries: list[dict[str, Any]]


class EraseIn(Input):
    """Why an organiser erases a member (on whose request): kept in the audit log."""

    reason: Reason = Field(default="", description="Organisers: required, audited.")


class Erased(BaseModel):
    member_id: int
    cancelled: list[int] = Field(description="Ids of the bookings cancelled.")
    promoted: list[int] = Field(description="Ids of the bookings moved up from the waiting list.")
