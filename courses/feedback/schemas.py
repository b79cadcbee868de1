"""What the JSON API gives for an event's feedback."""

from __future__ import annotations

from pydantic import BaseModel, Field


class QuestionOut(BaseModel):
    key: str = Field(description="Stable key of the question, e.g. usefulness.")
    label: str = Field(description="The question as the form asks it.")
    count: int = Field(description="How many rated it (1 to 5).")
    average: float | None = Field(description="Average rating, one decimal; null: no ratings.")
    distribution: list[int] = Field(description="How many chose 1, 2, 3, 4 and 5 (five numbers).")


class FeedbackOut(BaseModel):
    event_id: int
    invited: int = Field(description="Attendees who got the feedback link.")
    answered: int = Field(description="Answers given.")
    hidden: bool = Field(
        description="Fewer answers than min_answers: questions and comments are withheld."
    )
    min_answers: int
    comments: int = Field(description="Answers with a free text (read them on the event's page).")
    questions: list[QuestionOut]
