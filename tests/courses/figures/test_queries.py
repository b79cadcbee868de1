"""The year's figures from data whose right answer is known, on every database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.errors import Forbidden, ValidationFailed
from booking.core.formatting import BERLIN
from booking.organisations.models import Sector
from courses.feedback.models import FeedbackAnswer, FeedbackRating
from courses.feedback.questions import QUESTIONS, VERSION
from courses.figures import queries
from courses.figures.queries import FormatFigures
from courses.models import KINDS
from tests import factories
from tests.courses.figures.world import (
    FORMATS_2024,
    REGIONS_2024,
    SECTORS_2024,
    TOTAL_2024,
    YEAR,
    at,
    book,
    event_at,
    known_year,
)


def numbers(f: FormatFigures) -> tuple[int, ...]:
    return (
        f.events,
        f.seats_offered,
        f.seats_taken,
        f.waitlisted_ever,
        f.still_waiting,
        f.attended,
        f.partial,
        f.no_show,
    )


async def test_the_figures_of_a_known_year(db: AsyncSession) -> None:
    year = await known_year(db)
    figures = await queries.year_figures(db, year=YEAR, actor=year.organiser)

    assert figures.starts == datetime(2023, 12, 31, 23, tzinfo=UTC)
    assert figures.ends == datetime(2024, 12, 31, 23, tzinfo=UTC)
    assert [f.kind for f in figures.formats] == list(KINDS)
    assert {f.kind: numbers(f) for f in figures.formats} == FORMATS_2024
    assert figures.total.kind is None
    assert numbers(figures.total) == TOTAL_2024
    assert figures.total.utilisation == pytest.approx(6 / 153)
    assert figures.total.attendance_rate == pytest.approx(2 / 3)
    assert figures.total.no_show_rate == pytest.approx(1 / 3)
    assert figures.formats[0].attendance_rate is None  # nothing settled: no rate

    sectors = {g.key: (g.participants, g.bookings) for g in figures.sectors}
    assert [g.key for g in figures.sectors] == [*(s.value for s in Sector), None]
    assert {k: v for k, v in sectors.items() if v != (0, 0)} == SECTORS_2024
    assert {g.key: (g.participants, g.bookings) for g in figures.regions} == REGIONS_2024
    assert [g.key for g in figures.regions][-1] is None
    assert figures.feedback is None


async def test_neighbouring_years_take_the_events_at_their_edges(db: AsyncSession) -> None:
    year = await known_year(db)
    before = await queries.year_figures(db, year=2023, actor=year.organiser)
    after = await queries.year_figures(db, year=2025, actor=year.organiser)
    # The meeting that began at 23:30 on New Year's Eve (Berlin) with a day in 2024.
    assert numbers(before.total)[:3] == (1, 16, 1)
    assert [f.kind for f in before.formats if f.events] == ["network_meeting"]
    # The webinar at 00:30 on 1 January 2025 in Berlin.
    assert numbers(after.total)[:3] == (1, 500, 1)
    assert [f.kind for f in after.formats if f.events] == ["webinar"]
    empty = await queries.year_figures(db, year=2000, actor=year.organiser)
    assert numbers(empty.total) == (0,) * 8
    assert empty.total.utilisation is None and empty.total.attendance_rate is None
    assert all(g.participants == g.bookings == 0 for g in empty.sectors)
    assert [g.key for g in empty.regions] == [
        "Arnsberg",
        "Detmold",
        "Düsseldorf",
        "Köln",
        "Münster",
    ]


async def test_an_organisations_unknown_region_gets_a_line_of_its_own(db: AsyncSession) -> None:
    year = await known_year(db)
    odd = await factories.organisation(db, sector="justiz", region="Ausland")
    await book(db, year.conference, odd, "confirmed")
    figures = await queries.year_figures(db, year=YEAR, actor=year.organiser)
    regions = [(g.key, g.participants) for g in figures.regions]
    assert regions[-2:] == [("Ausland", 1), (None, 1)]
    assert ("justiz", 1, 1) in [(g.key, g.participants, g.bookings) for g in figures.sectors]


async def test_only_organisers_see_the_figures(db: AsyncSession) -> None:
    year = await known_year(db)
    now = at(2026, 5, 1)
    with pytest.raises(Forbidden):
        await queries.year_figures(db, year=YEAR, actor=year.member)
    with pytest.raises(Forbidden):
        await queries.year_choices(db, year.member, now)


@pytest.mark.parametrize("bad", [1999, 2101, 0, -2024, 10**9])
async def test_years_out_of_range_are_refused(db: AsyncSession, bad: int) -> None:
    year = await known_year(db)
    with pytest.raises(ValidationFailed) as refused:
        await queries.year_figures(db, year=bad, actor=year.organiser)
    assert refused.value.message == "Bitte wählen Sie ein Jahr zwischen 2000 und 2100."


async def test_the_years_to_choose_from(db: AsyncSession) -> None:
    year = await known_year(db)
    now = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already 2027 in Berlin
    years = await queries.year_choices(db, year.organiser, now)
    # From the earliest session (2023) to the latest (the factories' relative dates lie
    # around today), and this year in Berlin.
    assert years[-1] == 2023 and years == sorted(years, reverse=True)
    assert 2027 in years and 2024 in years
    assert 2031 in await queries.year_choices(db, year.organiser, now, 2031)


@dataclass(frozen=True)
class Answer:
    question: str
    average: float | None
    count: int


def test_the_feedback_section_takes_what_the_feedback_room_gives() -> None:
    assert queries.feedback_section(None) is None
    assert queries.feedback_section([]) is None
    found = queries.feedback_section([Answer("Wie hilfreich?", 4.25, 12), Answer("Ort?", None, 0)])
    assert found == [
        queries.FeedbackQuestion("Wie hilfreich?", 4.25, 12),
        queries.FeedbackQuestion("Ort?", None, 0),
    ]


async def test_feedback_handed_in_is_part_of_the_figures(db: AsyncSession) -> None:
    year = await known_year(db)
    figures = await queries.year_figures(
        db, year=YEAR, actor=year.organiser, feedback=[Answer("Wie hilfreich?", 4.5, 8)]
    )
    assert figures.feedback == [queries.FeedbackQuestion("Wie hilfreich?", 4.5, 8)]


async def test_a_walk_in_can_take_more_seats_than_offered(db: AsyncSession) -> None:
    year = await known_year(db)
    org = await factories.organisation(db)
    small = await event_at(db, at(2024, 2, 2, 8), kind="training", capacity=1)
    await book(db, small, org, "attended")
    walk_in = await book(db, small, org, "attended")
    walk_in.added_on_site = True
    await db.commit()
    figures = await queries.year_figures(db, year=YEAR, actor=year.organiser)
    training = next(f for f in figures.formats if f.kind == "training")
    assert (training.events, training.seats_offered, training.seats_taken) == (2, 4, 5)


async def test_the_years_feedback_comes_from_the_feedback_room(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    held = await factories.event(db, starts_in=timedelta(days=-3))
    this_year = held.sessions[0].ends_at.astimezone(BERLIN).year
    first = QUESTIONS[0]
    for value in (3, 4, 5):
        answer = FeedbackAnswer(event_id=held.id, version=VERSION)
        answer.ratings = [FeedbackRating(question=first.key, value=value)]
        db.add(answer)
    await db.commit()
    figures = await queries.year_figures(db, year=this_year, actor=organiser)
    assert figures.feedback is not None
    [asked] = [q for q in figures.feedback if q.count]
    assert (asked.question, asked.average, asked.count) == (first.label, 4.0, 3)
    empty = await queries.year_figures(db, year=this_year - 1, actor=organiser)
    assert empty.feedback is None
