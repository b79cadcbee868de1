"""The JSON API's shapes of the privacy room: the audit log and its filters, the member's
export and erasure."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from booking.bookings.schemas import Reason
from booking.core.schemas import Id, Input, Instant, PageQuery, QueryMoment


class AuditEntryOut(BaseModel):
    id: int
    created_at: Instant
    action: str = Field(
        description="booking_on_behalf, booking_removed, waitlist_moved, limits_changed, "
        "booking_released, booking_declined, booking_substituted, role_granted, "
        "member_approved, member_rejected, certificate_revoked, event_cancelled, …"
    )
    action_label: str
    actor_email: str | None = Field(description="Who did it; null once their account is erased.")
    event_id: int | None
    member_email: str | None = Field(description="Whose data it changed, where one person's.")
    booking_id: int | None
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str


class AuditQuery(PageQuery):
    event_id: Id | None = Field(None, description="Entries about this event.")
    member_id: Id | None = Field(None, description="Entries about this member's data.")
    actor_id: Id | None = Field(None, description="Entries of what this member did.")
    action: str | None = Field(None, max_length=40, pattern=r"^[a-z_]+$")
    from_: QueryMoment | None = Field(
        None, alias="from", description="Written at or after this moment (or day)."
    )
    to: QueryMoment | None = Field(None, description="Written before this moment (or day).")


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
    newsletter: dict[str, Any] | None = None
    """The newsletter subscription of the member's address with its consent record."""


class EraseIn(Input):
    """Why an organiser erases a member (on whose request): kept in the audit log."""

    reason: Reason = Field(default="", description="Organisers: required, audited.")


class Erased(BaseModel):
    member_id: int
    cancelled: list[int] = Field(description="Ids of the bookings cancelled.")
    promoted: list[int] = Field(description="Ids of the bookings moved up from the waiting list.")
