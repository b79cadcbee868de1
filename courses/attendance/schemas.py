"""What the JSON API takes and gives for attendance."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from booking.core.schemas import Id, Input

MarkName = Literal["present", "late", "excused", "absent"]
"""courses.attendance.models.Mark (a test keeps them equal)."""


class MarkIn(Input):
    booking_id: Id
    status: MarkName


class MarksIn(Input):
    marks: Annotated[list[MarkIn], Field(min_length=1, max_length=2000)]


class AttendanceLine(BaseModel):
    booking_id: int
    member_name: str
    organisation: str | None
    booking_status: str = Field(
        description="confirmed, or the outcome once the last session is marked: attended, "
        "partially_attended or no_show."
    )
    added_on_site: bool
    status: MarkName | None = Field(description="The mark for this session; null: not marked.")


class Attendance(BaseModel):
    event_id: int
    session_id: int
    lines: list[AttendanceLine]
