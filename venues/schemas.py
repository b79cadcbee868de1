"""Bodies and answers of the venues' and online rooms' JSON API, strict and with German
messages (the helpers of booking.core.schemas). Types and lengths are checked here; what the
text says (a postal code of five digits, an https:// address, the accessibility rule) is the
service's to check, so that pages and API refuse it alike."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from booking.core.schemas import (
    MESSAGES,
    Input,
    Query,
    Title,
    multi_line,
    single_line,
    without_default,
)

Region = Literal["Arnsberg", "Detmold", "Düsseldorf", "Köln", "Münster"]
"""venues.models.REGIONS (a test keeps them equal)."""

Street = Annotated[str, StringConstraints(max_length=200), AfterValidator(single_line)]
PostalCode = Annotated[
    str,
    StringConstraints(max_length=10),
    Field(description="Five digits, e.g. 48143.", examples=["48143"]),
]
City = Annotated[str, StringConstraints(max_length=100), AfterValidator(single_line)]
Notes = Annotated[str, StringConstraints(max_length=2000), AfterValidator(multi_line)]
Capacity = Annotated[int, Field(ge=1, le=10_000)]
MeetingUrl = Annotated[
    str,
    StringConstraints(max_length=500),
    Field(description="An https:// address; shown to confirmed participants only."),
]
DialIn = Annotated[str, StringConstraints(max_length=200), AfterValidator(single_line)]

STEP_FREE = "Stufenloser Zugang."
HEARING_LOOP = "An induction loop (Induktionsschleife) for hearing aids."
ACCESSIBLE_TOILET = (
    "A barrier-free toilet reachable without steps; only with step_free. Notes may not claim "
    "step-free access, a hearing loop or a barrier-free toilet that is not set (a negation "
    "such as „nicht stufenlos“ is fine)."
)


class _Changes(Input):
    @model_validator(mode="after")
    def _something_to_change(self) -> _Changes:
        if not self.model_fields_set:
            raise PydanticCustomError("nothing_to_change", MESSAGES["nothing_to_change"])
        return self


class RoomIn(Input):
    name: Title
    capacity: Capacity = Field(description="Seats (1 to 10000).")


class RoomChanges(_Changes):
    """Fields left out stay as they are."""

    # None only stands for "not sent"; a client's explicit null is refused.
    name: Title = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    capacity: Capacity = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]


class VenueIn(Input):
    """A new venue (organisers only), with its first rooms if given."""

    name: Title
    street: Street
    postal_code: PostalCode
    city: City
    region: Region
    step_free: bool = Field(description=STEP_FREE)
    hearing_loop: bool = Field(description=HEARING_LOOP)
    accessible_toilet: bool = Field(False, description=ACCESSIBLE_TOILET)
    accessibility_notes: Notes = ""
    rooms: list[RoomIn] = Field(default_factory=list, max_length=100)


class VenueChanges(_Changes):
    """Fields left out stay as they are; the venue as changed must keep the accessibility
    rule. Rooms change through /venues/{id}/rooms."""

    name: Title = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    street: Street = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    postal_code: PostalCode = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    city: City = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    region: Region = Field(default=None, json_schema_extra=without_default)  # type: ignore[arg-type]
    step_free: bool = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    hearing_loop: bool = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    accessible_toilet: bool = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    accessibility_notes: Notes = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]


class RoomOut(BaseModel):
    id: int
    name: str
    capacity: int


class VenueOut(BaseModel):
    id: int
    name: str
    street: str
    postal_code: str
    city: str
    region: Region
    step_free: bool
    hearing_loop: bool
    accessible_toilet: bool
    accessibility_notes: str
    rooms: list[RoomOut] = Field(description="By name.")


class VenuePageOut(BaseModel):
    items: list[VenueOut]
    next_cursor: str | None = Field(
        description="Pass as ?after= for the next page; null on the last page."
    )


class VenueListQuery(Query):
    """The list's parameters; the service checks them and answers in German."""

    search: str | None = Field(None, description="Part of the name or the city, in any case.")
    region: str | None = Field(None, description="A Regierungsbezirk.")
    limit: str | None = Field(None, description="Entries per page (1 to 200, default 50).")
    after: str | None = Field(None, description="The previous page's next_cursor.")
    cursor: str | None = Field(None, description="The same as after.")


class OnlineRoomIn(Input):
    """A new online room (organisers only)."""

    name: Title
    meeting_url: MeetingUrl
    dial_in: DialIn = Field("", description="Telephone dial-in, e.g. +49 251 123456, PIN 4711.")


class OnlineRoomChanges(_Changes):
    """Fields left out stay as they are."""

    name: Title = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    meeting_url: MeetingUrl = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    dial_in: DialIn = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]


class OnlineRoomOut(BaseModel):
    """For organisers only: the meeting URL is never shown publicly."""

    id: int
    name: str
    meeting_url: str
    dial_in: str


class OnlineRoomPageOut(BaseModel):
    items: list[OnlineRoomOut]
    next_cursor: str | None = Field(
        description="Pass as ?after= for the next page; null on the last page."
    )


class OnlineRoomListQuery(Query):
    search: str | None = Field(None, description="Part of the name, in any case.")
    limit: str | None = Field(None, description="Entries per page (1 to 200, default 50).")
    after: str | None = Field(None, description="The previous page's next_cursor.")
    cursor: str | None = Field(None, description="The same as after.")
