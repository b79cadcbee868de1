"""What the JSON API gives of the audit log, and the filters it takes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from booking.core.schemas import Id, Instant, PageQuery, QueryMoment


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
