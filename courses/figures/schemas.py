"""What the JSON API gives for the year in figures."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from booking.core.formatting import FIRST_YEAR, LAST_YEAR
from booking.core.schemas import Instant, Query, without_default


class FiguresQuery(Query):
    year: Annotated[
        int | None,
        Field(
            ge=FIRST_YEAR,
            le=LAST_YEAR,
            description=f"The calendar year ({FIRST_YEAR} to {LAST_YEAR}); default: this "
            "year in Europe/Berlin.",
            json_schema_extra=without_default,
        ),
    ] = None


Rate = Annotated[
    float | None,
    Field(description="A share from 0 to 1; null when there is nothing to divide by."),
]


class FormatFiguresOut(BaseModel):
    kind: str | None = Field(
        description="The format (network_meeting, conference, workshop, online_qa, webinar, "
        "training); null for the sum of all formats but workshops."
    )
    label: str
    events: int = Field(description="Published events whose first session lies in the year.")
    seats_offered: int = Field(description="Their capacity.")
    seats_taken: int = Field(description="Confirmed participants and those with an outcome.")
    utilisation: Rate
    waitlisted_ever: int = Field(description="Bookings that were ever on the waiting list.")
    still_waiting: int = Field(description="Bookings still on the waiting list.")
    settled: int = Field(description="Participants whose outcome is set.")
    attended: int
    partial: int
    no_show: int
    attendance_rate: Rate = Field(description="(attended + partial) / settled.")
    no_show_rate: Rate = Field(description="no_show / settled.")


class GroupFiguresOut(BaseModel):
    key: str | None = Field(
        description="The sector key or the Regierungsbezirk; null: bookings without an "
        "organisation."
    )
    label: str
    participants: int = Field(description="Bookings holding a seat (confirmed or an outcome).")
    bookings: int = Field(description="Bookings of any status, cancelled ones included.")


class FeedbackQuestionOut(BaseModel):
    question: str
    average: float | None
    count: int


class FiguresOut(BaseModel):
    year: int
    starts_at: Instant = Field(description="1 January, 00:00 in Berlin, in UTC.")
    ends_at: Instant = Field(description="1 January of the next year (excluded).")
    formats: list[FormatFiguresOut] = Field(description="Every format, zeros included.")
    total: FormatFiguresOut = Field(description="All formats but workshops.")
    sectors: list[GroupFiguresOut] = Field(
        description="Bookings of events other than workshops by the sector of the booking's "
        "organisation."
    )
    regions: list[GroupFiguresOut] = Field(
        description="The same by the organisation's Regierungsbezirk."
    )
    feedback: list[FeedbackQuestionOut] | None = Field(
        description="Average and number of answers per question; null while there is no feedback."
    )
