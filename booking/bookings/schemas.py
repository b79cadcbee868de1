"""What the JSON API takes and gives for bookings."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from booking.core.schemas import Input, Instant, Title, multi_line

ApiStatus = Literal[
    "requested", "confirmed", "waitlisted", "cancelled", "attended", "partially_attended", "no_show"
]
"""A booking's status as the API names it: the model's ``waiting`` is ``waitlisted``."""


_API_STATUSES: dict[str, ApiStatus] = {
    "requested": "requested",
    "confirmed": "confirmed",
    "waiting": "waitlisted",
    "cancelled": "cancelled",
    "attended": "attended",
    "partial": "partially_attended",
    "no_show": "no_show",
}


def api_status(status: str) -> ApiStatus:
    return _API_STATUSES[status]


class BookingIn(Input):
    """Booking needs no data: the body may be empty or ``{}``."""


class BookingCreated(BaseModel):
    id: int
    status: Literal["confirmed", "waitlisted"]
    waitlist_position: int | None


class BookingCancelled(BaseModel):
    id: int
    status: Literal["cancelled"]
    promoted: list[int] = Field(description="Ids of the bookings moved up from the waiting list.")


class EventBooking(BaseModel):
    id: int
    member_email: str
    member_name: str
    organisation: str | None
    status: ApiStatus
    waitlist_position: int | None
    created_at: Instant


class MyBooking(BaseModel):
    id: int
    event_id: int
    event_title: str
    status: ApiStatus
    waitlist_position: int | None
    starts_at: Instant | None
    ends_at: Instant | None


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
