"""What the JSON API takes and gives for events: creating and changing them, the programme
and an event's details."""

from __future__ import annotations

from dataclasses import fields
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from booking.bookings.changes import NewSession
from booking.core.schemas import (
    MESSAGES,
    Description,
    Id,
    Input,
    Instant,
    Moment,
    PageQuery,
    QueryMoment,
    Summary,
    Title,
    single_line,
    without_default,
)
from booking.organisations.schemas import Region, Sector
from courses.services import EventDetails, NewEvent, Place

Kind = Literal["network_meeting", "conference", "workshop", "online_qa", "webinar", "training"]
"""courses.models.KINDS (a test keeps them equal)."""
Allocation = Literal["first_come", "draw"]
"""courses.models.ALLOCATIONS (a test keeps them equal)."""
CourseCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(single_line),
]
Capacity = Annotated[int, Field(ge=0, le=100_000)]
SeatsPerOrganisation = Annotated[int, Field(ge=1, le=100_000)]


TeachingUnits = Annotated[
    int,
    Field(
        ge=0,
        le=24,
        description="Unterrichtseinheiten à 45 minutes; left out: whole 45 minutes of the "
        "session's length.",
    ),
]
CompletionShare = Annotated[
    int,
    Field(
        ge=0,
        le=100,
        description="Per cent of the teaching units a participant must attend for the outcome "
        "attended; null: all of them.",
    ),
]
CertificateContent = Annotated[
    list[
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=150),
            AfterValidator(single_line),
        ]
    ],
    Field(
        max_length=8,
        description="What the course covers, one line each (at most 8 of 150 characters), "
        "printed on its certificates of attendance.",
    ),
]
OfferWorkingDays = Annotated[
    int,
    Field(
        ge=1,
        le=10,
        description="A freed seat is offered to the first waiting member, to accept within "
        "this many working days (Monday to Friday without the public holidays of NRW; until "
        "23:59 Berlin time of the last one, at the latest the event's start); on decline or "
        "expiry the next one gets the offer. null: waiting members move up at once.",
    ),
]
ReminderDays = Annotated[
    int,
    Field(
        ge=0,
        le=30,
        description="Days before the first session that confirmed participants get a "
        "reminder; 0: none.",
    ),
]
TrainerEmails = Annotated[
    list[
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=3, max_length=320),
            AfterValidator(single_line),
        ]
    ],
    Field(max_length=20, description="Addresses of members with the trainer role."),
]


class SessionIn(Input):
    """One sitting: a day of a training, a slot of a conference."""

    starts_at: Moment
    ends_at: Moment
    teaching_units: TeachingUnits | None = None


class EventIn(Input):
    """A new event (organisers only). Sessions must end after they start."""

    title: Title
    kind: Kind
    capacity: Capacity
    sessions: Annotated[list[SessionIn], Field(min_length=1, max_length=100)]
    summary: Summary = ""
    description: Description = ""
    booking_opens_at: Moment | None = None
    registration_deadline: Moment | None = None
    cancellation_deadline: Moment | None = None
    seats_per_organisation: SeatsPerOrganisation | None = None
    target_sectors: Annotated[list[Sector], Field(max_length=20)] = Field(
        default_factory=list,
        description="Open only to these sectors; empty means open to every sector.",
    )
    parent_id: Id | None = Field(
        default=None, description="The conference or meeting a workshop belongs to."
    )
    venue_id: Id | None = Field(default=None, description="Where it takes place (GET /venues).")
    room_id: Id | None = Field(default=None, description="A room of that venue.")
    online_room_id: Id | None = Field(
        default=None, description="The online room whose link confirmed participants get."
    )
    course_code: CourseCode | None = None
    prerequisite_code: CourseCode | None = Field(
        default=None, description="course_code of a course the member must have attended."
    )
    status: Literal["draft", "published"] = "published"
    trainers: TrainerEmails = Field(default_factory=list)
    completion_share: CompletionShare | None = None
    certificate_content: CertificateContent = Field(default_factory=list)
    reminder_days: ReminderDays = 2
    requires_release: bool = Field(
        default=False,
        description="Bookings are requests until the member's organisation releases them.",
    )
    release_deadline: Moment | None = Field(
        default=None,
        description="Requests not released by then lapse; null: the registration deadline.",
    )
    offer_working_days: OfferWorkingDays | None = None
    allocation: Allocation = Field(
        default="first_come",
        description="first_come: a seat while one is free. draw: bookings are requests until "
        "the registration deadline (required), then a recorded draw spreads the seats across "
        "organisations; the rest go onto the waiting list in draw order.",
    )

    def to_new_event(self) -> NewEvent:
        return NewEvent(
            title=self.title,
            kind=self.kind,
            capacity=self.capacity,
            sessions=[(s.starts_at, s.ends_at) for s in self.sessions],
            summary=self.summary,
            description=self.description,
            booking_opens_at=self.booking_opens_at,
            registration_deadline=self.registration_deadline,
            cancellation_deadline=self.cancellation_deadline,
            seats_per_organisation=self.seats_per_organisation,
            target_sectors=list(self.target_sectors),
            parent_id=self.parent_id,
            venue_id=self.venue_id,
            room_id=self.room_id,
            online_room_id=self.online_room_id,
            course_code=self.course_code,
            prerequisite_code=self.prerequisite_code,
            status=self.status,
            session_units=[s.teaching_units for s in self.sessions],
            trainers=list(self.trainers),
            completion_share=self.completion_share,
            certificate_content=list(self.certificate_content),
            reminder_days=self.reminder_days,
            requires_release=self.requires_release,
            release_deadline=self.release_deadline,
            offer_working_days=self.offer_working_days,
            allocation=self.allocation,
        )


class SessionChangeIn(Input):
    """A session moved to a new time; ``id`` is one of the event's sessions."""

    id: Id
    starts_at: Moment
    ends_at: Moment
    teaching_units: TeachingUnits | None = Field(
        default=None, description="Left out: unchanged; null: from the session's length."
    )


class EventChanges(Input):
    """What organisers change on an existing event. Fields left out stay as they are;
    ``seats_per_organisation: null`` lifts the limit."""

    # None only stands for "not sent" (read only when in model_fields_set); a client's
    # explicit null is refused like any other non-integer.
    capacity: Capacity = Field(  # type: ignore[assignment]
        default=None,
        description="Raising it moves waiting members up at once.",
        json_schema_extra=without_default,
    )
    seats_per_organisation: SeatsPerOrganisation | None = None
    sessions: Annotated[list[SessionChangeIn], Field(min_length=1, max_length=100)] = Field(
        default=None,  # type: ignore[arg-type]
        description="Sessions to move. Confirmed participants get an updated invitation.",
        json_schema_extra=without_default,
    )
    trainers: TrainerEmails = Field(
        default=None,  # type: ignore[arg-type]
        description="Replaces the event's trainers.",
        json_schema_extra=without_default,
    )
    completion_share: CompletionShare | None = None
    certificate_content: CertificateContent = Field(
        default=None,  # type: ignore[arg-type]
        description="Replaces the content printed on certificates issued from now on.",
        json_schema_extra=without_default,
    )
    venue_id: Id | None = Field(
        default=None,
        description="A new place (null: none) raises SEQUENCE and mails participants the "
        "updated invitation saying what changed.",
    )
    room_id: Id | None = Field(default=None, description="A room of the event's venue; null: none.")
    online_room_id: Id | None = None
    title: Title = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    summary: Summary = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    description: Description = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    booking_opens_at: Moment | None = None
    registration_deadline: Moment | None = None
    cancellation_deadline: Moment | None = None
    target_sectors: Annotated[list[Sector], Field(max_length=20)] = Field(
        default=None,  # type: ignore[arg-type]
        description="Replaces the sectors; empty: open to every sector.",
        json_schema_extra=without_default,
    )
    course_code: CourseCode | None = None
    prerequisite_code: CourseCode | None = None
    reminder_days: ReminderDays = Field(
        default=None,  # type: ignore[assignment]
        json_schema_extra=without_default,
    )
    requires_release: bool = Field(
        default=None,  # type: ignore[assignment]
        json_schema_extra=without_default,
    )
    release_deadline: Moment | None = None
    offer_working_days: OfferWorkingDays | None = Field(
        default=None,
        description="null: waiting members move up at once. Offers already made keep their "
        "deadline.",
    )
    allocation: Allocation = Field(
        default=None,  # type: ignore[arg-type]
        description="Changes only while the event has no bookings and has not been drawn.",
        json_schema_extra=without_default,
    )
    status: Literal["published"] = Field(
        default=None,  # type: ignore[arg-type]
        description="published: a draft goes into the programme.",
        json_schema_extra=without_default,
    )
    add_sessions: Annotated[list[SessionIn], Field(min_length=1, max_length=100)] = Field(
        default=None,  # type: ignore[arg-type]
        description="Sessions to add; each must begin in the future. Participants get the "
        "updated invitation.",
        json_schema_extra=without_default,
    )
    remove_sessions: Annotated[list[Id], Field(min_length=1, max_length=100)] = Field(
        default=None,  # type: ignore[arg-type]
        description="Ids of sessions to remove: not begun, without attendance marks, never "
        "every session (409 otherwise). Participants get the updated invitation, in which "
        "a removed session stands as cancelled.",
        json_schema_extra=without_default,
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> EventChanges:
        if not self.model_fields_set:
            raise PydanticCustomError("nothing_to_change", MESSAGES["nothing_to_change"])
        return self

    def limits(self) -> dict[str, Any]:
        """Keyword arguments for booking.bookings.changes.change_limits: only what was sent."""
        sent = self.model_fields_set
        changes: dict[str, Any] = {}
        if "capacity" in sent:
            changes["capacity"] = self.capacity
        if "seats_per_organisation" in sent:
            changes["seats_per_organisation"] = self.seats_per_organisation
        if "completion_share" in sent:
            changes["completion_share"] = self.completion_share
        if "trainers" in sent:
            changes["trainers"] = list(self.trainers)
        if "certificate_content" in sent:
            changes["certificate_content"] = list(self.certificate_content)
        place = {k: getattr(self, k) for k in PLACE_FIELDS if k in sent}
        if place:
            changes["place"] = Place(**place)
        details = {k: getattr(self, k) for k in DETAIL_FIELDS if k in sent}
        if "target_sectors" in details:
            details["target_sectors"] = list(self.target_sectors)
        if details:
            changes["details"] = details
        if "status" in sent:
            changes["publish"] = True
        if "add_sessions" in sent:
            changes["added"] = [
                NewSession(a.starts_at, a.ends_at, a.teaching_units) for a in self.add_sessions
            ]
        if "remove_sessions" in sent:
            changes["removed"] = list(self.remove_sessions)
        return changes


PLACE_FIELDS = ("venue_id", "room_id", "online_room_id")
DETAIL_FIELDS = tuple(f.name for f in fields(EventDetails))


class SessionOut(BaseModel):
    id: int
    starts_at: Instant
    ends_at: Instant
    title: str
    teaching_units: int = Field(description="As set, or whole 45 minutes of the length.")


class VenueOut(BaseModel):
    name: str
    street: str
    postal_code: str = Field(description="Five digits, as in /api/v1/venues.")
    postcode: str = Field(description="The same as postal_code (kept for existing clients).")
    city: str
    region: str
    step_free: bool
    hearing_loop: bool
    accessible_toilet: bool = Field(description="A barrier-free toilet reachable step-free.")
    accessibility_notes: str


class EventRef(BaseModel):
    id: int
    title: str


class WorkshopOut(BaseModel):
    id: int
    title: str
    starts_at: Instant | None
    ends_at: Instant | None
    capacity: int
    seats_left: int
    waitlist_length: int
    booking_open: bool


class EventSummary(BaseModel):
    id: int
    kind: Kind
    status: Literal["draft", "published", "cancelled"]
    title: str
    starts_at: Instant | None
    ends_at: Instant | None
    capacity: int
    seats_left: int
    waitlist_length: int
    booking_open: bool = Field(
        description="Whether the event takes bookings right now; in an event's details with a "
        "token: whether the caller may book it (or holds a booking) by the event page's rules."
    )
    url: str = Field(description="The event's page for people.")


class EventDetail(EventSummary):
    """An event with everything its page shows, except the meeting link of an online event:
    that goes to confirmed participants only, by mail and on the page."""

    summary: str
    description: str
    sessions: list[SessionOut]
    venue: VenueOut | None
    parent: EventRef | None
    workshops: list[WorkshopOut]
    target_sectors: list[str] = Field(description="Open only to these sectors; empty: to all.")
    seats_per_organisation: int | None
    booking_opens_at: Instant | None
    registration_deadline: Instant | None = Field(
        description="When booking closes: the set deadline, else the start of the first session."
    )
    cancellation_deadline: Instant | None = Field(
        description="Until when members may cancel a confirmed seat themselves: the set "
        "deadline, else the start of the first session."
    )
    trainers: list[str] = Field(default_factory=list, description="The trainers' names.")
    completion_share: int = Field(
        default=100, description="Per cent of the teaching units that make 'attended'."
    )
    certificate_content: list[str] = Field(
        default_factory=list, description="The content printed on its certificates."
    )
    reminder_days: int = Field(
        default=2, description="Days before the first session of the reminder; 0: none."
    )
    sign_in_sheet_url: str | None = Field(
        default=None,
        description="The printable sign-in sheet (PDF), for organisers and the event's trainers.",
    )
    series_id: int | None = Field(
        default=None, description="The series the event is a date of (GET /series/{id})."
    )
    requires_release: bool = Field(
        default=False, description="Bookings wait for the release by the member's organisation."
    )
    release_deadline: Instant | None = Field(
        default=None,
        description="When unreleased requests lapse (null: at the registration deadline).",
    )
    offer_working_days: int | None = Field(
        default=None,
        description="Working days to accept an offered seat; null: waiting members move up "
        "at once.",
    )
    allocation: Allocation = Field(
        default="first_come", description="first_come, or draw at the registration deadline."
    )
    draw_commitment: str | None = Field(
        default=None,
        description="draw: the SHA-256 of the draw's seed, published before the draw; the "
        "protocol (GET /events/{id}/draw) shows the seed afterwards.",
    )


class EventChanged(EventDetail):
    promoted: list[int] = Field(description="Ids of the bookings moved up from the waiting list.")


class EventListQuery(PageQuery):
    from_: QueryMoment | None = Field(
        None,
        alias="from",
        description="Events not over before this moment (ISO 8601 with offset, or a day "
        "such as 2027-03-01 for its start in Berlin); default: now.",
    )
    to: QueryMoment | None = Field(None, description="Events that start before this moment.")
    kind: Kind | None = None
    sector: Sector | None = Field(None, description="Events open to this sector.")
    region: Region | None = Field(None, description="Events at a venue in this region.")
