"""What the JSON API takes and gives for bookings."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from booking.core.schemas import Input, Instant, Title, multi_line

ApiStatus = Literal[
    "requested",
    "confirmed",
    "offered",
    "waitlisted",
    "cancelled",
    "attended",
    "partially_attended",
    "no_show",
]
"""A booking's status as the API names it: the model's ``waiting`` is ``waitlisted``."""


_API_STATUSES: dict[str, ApiStatus] = {
    "requested": "requested",
    "confirmed": "confirmed",
    "offered": "offered",
    "waiting": "waitlisted",
    "cancelled": "cancelled",
    "attended": "attended",
    "partial": "partially_attended",
    "no_show": "no_show",
}


def api_status(status: str) -> ApiStatus:
    return _API_STATUSES[status]


Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=1000), AfterValidator(multi_line)
]


class BookingIn(Input):
    """Booking for oneself needs no data: the body may be empty or ``{}``. The back office
    books a member by their address (``member_email``): the seat rules apply, the booking
    window does not; ``override_limit`` passes over the organisation's share of seats and
    needs a ``reason``, which the audit log keeps."""

    member_email: str | None = Field(
        default=None, max_length=254, description="Organisers: the member to book."
    )
    override_limit: bool = Field(
        default=False,
        description="Organisers: a seat beyond the per-organisation limit (with a reason).",
    )
    reason: Reason = Field(default="", description="Why the limit is passed over.")


class CancelIn(Input):
    """Cancelling needs no data; an organiser may give a reason for the member's mail."""

    reason: Reason = Field(default="", description="Organisers: told to the member, audited.")


class PositionIn(Input):
    position: int = Field(ge=1, le=1_000_000, description="1: next in line for a free seat.")


class PositionOut(BaseModel):
    id: int
    status: ApiStatus
    waitlist_position: int | None = Field(
        description="The new position; null when a free seat went to the member at once "
        "(or was offered to them, on events with offer_working_days)."
    )
    promoted: list[int] = Field(
        description="Ids of the bookings that got a free seat (or its offer)."
    )


class BookingCreated(BaseModel):
    id: int
    status: Literal["confirmed", "waitlisted", "requested"] = Field(
        description="requested: the event needs the release by the member's organisation, "
        "or allocates its seats by draw at the registration deadline; no seat is held until "
        "then."
    )
    waitlist_position: int | None


class DeclineIn(Input):
    reason: Reason = Field(description="Why; told to the member.")


class SubstituteIn(Input):
    email: str = Field(max_length=254, description="A colleague of the same organisation.")


class ReleaseOut(BaseModel):
    id: int
    status: Literal["confirmed", "waitlisted", "cancelled", "requested"] = Field(
        description="requested: the event allocates by draw; the released request takes part in it."
    )
    waitlist_position: int | None = None


class SubstituteOut(BaseModel):
    id: int = Field(description="The colleague's new booking.")
    status: Literal["confirmed"]
    replaces: int = Field(description="The booking that was handed on (now cancelled).")


class BookingCancelled(BaseModel):
    id: int
    status: Literal["cancelled"]
    promoted: list[int] = Field(
        description="Ids of the bookings moved up from the waiting list (or offered the seat)."
    )


class OfferAnswered(BaseModel):
    id: int
    status: Literal["confirmed", "cancelled"] = Field(
        description="confirmed: the seat is taken (the invitation goes by mail); cancelled: "
        "declined, the member left the waiting list."
    )


class EventBooking(BaseModel):
    id: int
    member_email: str
    member_name: str
    organisation: str | None
    status: ApiStatus
    waitlist_position: int | None
    created_at: Instant
    booked_by_organiser: bool = Field(description="Booked by the back office.")
    offer_expires_at: Instant | None = Field(
        default=None,
        description="status offered: until when the member may accept the seat held for them.",
    )


class MyBooking(BaseModel):
    id: int
    event_id: int
    event_title: str
    status: ApiStatus
    waitlist_position: int | None
    starts_at: Instant | None
    ends_at: Instant | None
    offer_expires_at: Instant | None = Field(
        default=None,
        description="status offered: until when the member may accept the seat held for them.",
    )


class MessageIn(Input):
    """A message to an event's people; ``{name}`` and ``{veranstaltung}`` are filled in for
    each. An online event's link goes only to confirmed participants."""

    to: Literal["confirmed", "waiting", "all"] = Field(
        description="confirmed: participants; waiting: the waiting list; all: both."
    )
    subject: Title
    body: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000),
        AfterValidator(multi_line),
    ]


class MessageOut(BaseModel):
    id: int
    to: str
    subject: str
    recipients: int = Field(description="Mails written to the outbox, one per person.")
    created_at: Instant


class DrawEntryOut(BaseModel):
    rank: int | None = Field(description="Place in the draw order; null: took no part.")
    booking_id: int
    organisation_id: int | None = Field(description="The organisation at the draw.")
    organisation: str | None
    key: str = Field(description="HMAC-SHA256(seed, booking id), hex: sorts the draw order.")
    decision: Literal["seat", "waiting", "not_released"]
    round: int | None = Field(description="The round of the round-robin that gave the seat.")
    waitlist_position: int | None = Field(
        description="Place in the draw's waiting order (behind anyone waiting before)."
    )


class DrawOut(BaseModel):
    """The protocol of an event's draw: its inputs and the decision per request (a page of
    them; ``Link`` names the next), or, before the draw, what is known in advance."""

    event_id: int
    status: Literal["pending", "drawn"]
    algorithm: str
    commitment: str | None = Field(
        description="SHA-256 of the seed, published before the draw (hex)."
    )
    seed: str | None = Field(description="Revealed once drawn (hex).")
    deadline: Instant | None = Field(description="The registration deadline: the draw's time.")
    drawn_at: Instant | None
    seats: int | None = Field(description="Seats free at the draw.")
    seats_per_organisation: int | None
    held_by_organisation: dict[str, int] = Field(
        default_factory=dict, description="Seats each organisation held before the draw."
    )
    requests: int = Field(description="Requests so far (pending) or in the protocol (drawn).")
    entries: list[DrawEntryOut] = Field(default_factory=list)
