"""Series: dates from a rule in Berlin wall time, created all at once, changed from one date
on, extended by the rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import services
from booking.bookings.models import Booking
from booking.core.errors import InvalidState, ValidationFailed
from booking.core.formatting import BERLIN
from booking.mail.models import OutboxMessage
from courses import messages
from courses.models import Event, EventSession, Series
from courses.series import (
    MAX_DATES,
    Rule,
    Schedule,
    change_following,
    create_series,
    extend_series,
    rule_of,
    schedule_dates,
)
from courses.services import NewEvent, Place
from tests import factories
from tests.factories import NOW
from venues.models import OnlineRoom

FIRST_WEDNESDAY = Rule("monthly", weekday=2, week_of_month=1)
QA = NewEvent(title="Frag doch mal das Netzwerk", kind="online_qa", capacity=300, sessions=[])


def berlin(moment: datetime) -> tuple[date, time]:
    local = moment.astimezone(BERLIN)
    return local.date(), local.time()


def test_a_monthly_rule_keeps_its_wall_clock_time_across_summer_time() -> None:
    schedule = Schedule(FIRST_WEDNESDAY, date(2030, 1, 1), time(17), time(18, 30), count=12)

    dates = schedule_dates(schedule, NOW)

    assert [berlin(s)[0] for s, _ in dates] == [
        date(2030, 1, 2), date(2030, 2, 6), date(2030, 3, 6), date(2030, 4, 3),
        date(2030, 5, 1), date(2030, 6, 5), date(2030, 7, 3), date(2030, 8, 7),
        date(2030, 9, 4), date(2030, 10, 2), date(2030, 11, 6), date(2030, 12, 4),
    ]  # fmt: skip
    assert {berlin(s)[1] for s, _ in dates} == {time(17)}
    assert {berlin(e)[1] for _, e in dates} == {time(18, 30)}
    # 17:00 in Berlin is 16:00 UTC in winter and 15:00 UTC in summer
    assert [s.hour for s, _ in dates] == [16, 16, 16, 15, 15, 15, 15, 15, 15, 15, 16, 16]
    assert all(s.tzinfo is UTC for s, _ in dates)


@pytest.mark.parametrize(
    ("rule", "first_day", "expected"),
    [
        (Rule("monthly", 4, week_of_month=-1), date(2030, 3, 1), [date(2030, 3, 29),
         date(2030, 4, 26), date(2030, 5, 31)]),
        (Rule("monthly", 0, interval=2, week_of_month=2), date(2030, 1, 1), [date(2030, 1, 14),
         date(2030, 3, 11), date(2030, 5, 13)]),
        (Rule("weekly", 1), date(2030, 3, 20), [date(2030, 3, 26), date(2030, 4, 2),
         date(2030, 4, 9)]),
        (Rule("weekly", 1, interval=2), date(2030, 3, 20), [date(2030, 3, 26),
         date(2030, 4, 9), date(2030, 4, 23)]),
    ],
)  # fmt: skip
def test_rules_in_words_give_the_days_an_organiser_expects(
    rule: Rule, first_day: date, expected: list[date]
) -> None:
    schedule = Schedule(rule, first_day, time(9), time(10), count=3)
    assert [berlin(s)[0] for s, _ in schedule_dates(schedule, NOW)] == expected
    assert rule_of(rule.rrule) == rule


def test_rules_read_back_in_german() -> None:
    assert FIRST_WEDNESDAY.words == "monatlich am ersten Mittwoch"
    assert Rule("monthly", 4, 3, -1).words == "alle drei Monate am letzten Freitag"
    assert Rule("weekly", 1, 2).words == "alle zwei Wochen am Dienstag"
    assert Rule("weekly", 6).words == "wöchentlich am Sonntag"
    assert rule_of("FREQ=MONTHLY;BYDAY=1WE") == FIRST_WEDNESDAY
    assert rule_of("FREQ=DAILY;COUNT=3") is None


def test_an_end_date_bounds_the_dates_and_too_many_are_refused() -> None:
    until = Schedule(
        Rule("weekly", 2), date(2030, 1, 1), time(17), time(18), until=date(2030, 1, 31)
    )
    assert [berlin(s)[0].day for s, _ in schedule_dates(until, NOW)] == [2, 9, 16, 23, 30]
    longer = Schedule(
        Rule("weekly", 2), date(2030, 1, 1), time(17), time(18), until=date(2032, 1, 1)
    )
    with pytest.raises(ValidationFailed) as refused:
        schedule_dates(longer, NOW)
    assert refused.value.fields == {"until": messages.SERIES_UNTIL_TOO_MANY.format(most=MAX_DATES)}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"count": 0}, "count"),
        ({"count": 10_000}, "count"),
        ({"count": None}, "count"),
        ({"until": date(2030, 2, 1)}, "count"),
        ({"count": None, "until": date(2029, 12, 1)}, "until"),
        ({"count": None, "until": date(2030, 1, 3)}, "until"),
        ({"ends": time(16)}, "ends"),
        ({"ends": time(17)}, "ends"),
        ({"rule": Rule("monthly", 7, week_of_month=1)}, "weekday"),
        ({"rule": Rule("monthly", -1, week_of_month=1)}, "weekday"),
        ({"rule": Rule("monthly", 2, week_of_month=5)}, "week_of_month"),
        ({"rule": Rule("monthly", 2)}, "week_of_month"),
        ({"rule": Rule("weekly", 2, week_of_month=1)}, "week_of_month"),
        ({"rule": Rule("daily", 2)}, "freq"),
        ({"rule": Rule("weekly", 2, interval=0)}, "interval"),
        ({"rule": Rule("weekly", 2, interval=13)}, "interval"),
        ({"first_day": date(2001, 1, 1)}, "first_day"),
    ],
)
def test_a_broken_schedule_is_refused_naming_the_field_in_german(
    changes: dict[str, object], field: str
) -> None:
    good = {"rule": Rule("weekly", 4), "first_day": date(2030, 1, 1), "starts": time(17),
            "ends": time(18), "count": 3}  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        schedule_dates(Schedule(**{**good, **changes}), NOW)  # type: ignore[arg-type]
    assert field in refused.value.fields


async def counts(db: AsyncSession) -> tuple[int | None, ...]:
    await db.commit()
    return tuple(
        [
            await db.scalar(select(func.count()).select_from(t))
            for t in (Series, Event, EventSession)
        ]
    )


async def test_saving_creates_the_series_and_one_event_per_date(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    room = OnlineRoom(name="Netzwerkraum", meeting_url="https://konferenz.example/netzwerk")
    db.add(room)
    await db.commit()
    schedule = Schedule(FIRST_WEDNESDAY, date(2030, 1, 1), time(17), time(18, 30), count=12)
    event = NewEvent(
        **{**QA.__dict__, "online_room_id": room.id, "target_sectors": ["schule"],
           "reminder_days": 1, "status": "draft"}
    )  # fmt: skip

    series = await create_series(db, schedule=schedule, event=event, actor=organiser, now=NOW)

    assert await counts(db) == (1, 12, 12)
    assert (series.rrule, series.duration_minutes) == ("FREQ=MONTHLY;INTERVAL=1;BYDAY=1WE", 90)
    events = list(
        await db.scalars(select(Event).where(Event.series_id == series.id).order_by(Event.id))
    )
    for e in events:
        await db.refresh(e, ["sessions", "sectors"])
    assert series.first_starts_at == events[0].sessions[0].starts_at
    assert {(e.title, e.kind, e.status, e.capacity, e.online_room_id, e.reminder_days)
            for e in events} == {(QA.title, "online_qa", "draft", 300, room.id, 1)}  # fmt: skip
    assert {tuple(e.target_sectors) for e in events} == {("schule",)}
    assert [berlin(e.sessions[0].starts_at) for e in events] == [
        berlin(s) for s, _ in schedule_dates(schedule, NOW)
    ]


async def test_a_refused_series_writes_nothing(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    schedule = Schedule(FIRST_WEDNESDAY, date(2030, 1, 1), time(17), time(18), count=5)
    for event, field in (
        (NewEvent(**{**QA.__dict__, "online_room_id": 999_999}), "online_room_id"),
        (NewEvent(**{**QA.__dict__, "kind": "workshop"}), "kind"),
        (NewEvent(**{**QA.__dict__, "trainers": ["niemand@example.org"]}), "trainers"),
        (NewEvent(**{**QA.__dict__, "target_sectors": ["mond"]}), "target_sectors"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            await create_series(db, schedule=schedule, event=event, actor=organiser, now=NOW)
        assert field in refused.value.fields
    past = Schedule(FIRST_WEDNESDAY, date(2020, 1, 1), time(17), time(18), count=5)
    with pytest.raises(ValidationFailed):
        await create_series(db, schedule=past, event=QA, actor=organiser, now=NOW)
    assert await counts(db) == (0, 0, 0)


async def planned(db: AsyncSession, count: int = 4, first: date | None = None) -> Series:
    organiser = await factories.member(db, role="organiser")
    first = first or (NOW + timedelta(days=2)).astimezone(BERLIN).date()
    schedule = Schedule(Rule("weekly", first.weekday()), first, time(17), time(18), count=count)
    return await create_series(db, schedule=schedule, event=QA, actor=organiser, now=NOW)


async def dates_of(db: AsyncSession, series: Series) -> list[Event]:
    await db.commit()
    db.expunge_all()
    events = list(await db.scalars(select(Event).where(Event.series_id == series.id)))
    for e in events:
        await db.refresh(e, ["sessions"])
    return sorted(events, key=lambda e: e.sessions[0].starts_at)


async def test_all_following_changes_only_later_dates_that_have_not_begun_and_mails_once(
    db: AsyncSession,
) -> None:
    series = await planned(db, count=4)
    organiser = await factories.member(db, role="organiser")
    first, second, third, fourth = await dates_of(db, series)
    people = {}
    for e in (first, second, third, fourth):
        person = await factories.member(db)
        await services.book(db, event_id=e.id, member_id=person.id, now=NOW)
        people[e.id] = person
    room = OnlineRoom(name="Neuer Raum", meeting_url="https://konferenz.example/neu")
    db.add(room)
    await db.commit()
    mails_before = await db.scalar(select(func.max(OutboxMessage.id)))
    later = NOW + timedelta(days=10)  # the first two dates have begun by then

    with pytest.raises(InvalidState):
        await change_following(
            db, series_id=series.id, event_id=second.id, starts=time(18), ends=time(19, 30),
            place=None, actor=organiser, now=later,
        )  # fmt: skip
    changed = await change_following(
        db, series_id=series.id, event_id=third.id, starts=time(18), ends=time(19, 30),
        place=Place(online_room_id=room.id), actor=organiser, now=later,
    )  # fmt: skip

    assert [e.id for e in changed] == [third.id, fourth.id]
    after = await dates_of(db, series)
    assert [berlin(e.sessions[0].starts_at)[1] for e in after] == [
        time(17), time(17), time(18), time(18)
    ]  # fmt: skip
    assert [berlin(e.sessions[0].ends_at)[1] for e in after] == [
        time(18), time(18), time(19, 30), time(19, 30)
    ]  # fmt: skip
    assert [e.sequence for e in after] == [0, 0, 1, 1]
    assert [e.online_room_id for e in after] == [None, None, room.id, room.id]
    mails = list(
        await db.scalars(
            select(OutboxMessage).where(OutboxMessage.id > (mails_before or 0))
            .order_by(OutboxMessage.id)
        )
    )  # fmt: skip
    assert [(m.recipient, m.template) for m in mails] == [
        (people[third.id].email, "event_changed"),
        (people[fourth.id].email, "event_changed"),
    ]
    assert {m.context["sequence"] for m in mails} == {1}
    assert [c["what"] for c in mails[0].context["changes"]] == ["Termin", "Ort"]
    stored = await db.get(Series, series.id)
    assert stored is not None
    assert berlin(stored.first_starts_at) == berlin(after[2].sessions[0].starts_at)
    assert stored.duration_minutes == 90


async def test_all_following_leaves_called_off_dates_and_refuses_an_end_before_start(
    db: AsyncSession,
) -> None:
    from booking.bookings import changes

    series = await planned(db, count=3)
    organiser = await factories.member(db, role="organiser")
    first, second, third = await dates_of(db, series)
    await changes.cancel_event(db, event_id=second.id, actor=organiser, now=NOW)
    with pytest.raises(ValidationFailed):
        await change_following(
            db, series_id=series.id, event_id=first.id, starts=time(18), ends=time(17),
            place=None, actor=organiser, now=NOW,
        )  # fmt: skip
    changed = await change_following(
        db, series_id=series.id, event_id=first.id, starts=time(9), ends=time(10),
        place=None, actor=organiser, now=NOW,
    )  # fmt: skip
    assert [e.id for e in changed] == [first.id, third.id]
    assert [berlin(e.sessions[0].starts_at)[1] for e in await dates_of(db, series)] == [
        time(9), time(17), time(9)
    ]  # fmt: skip


async def test_extending_adds_dates_by_the_rule_after_the_last_one(db: AsyncSession) -> None:
    series = await planned(db, count=2)
    organiser = await factories.member(db, role="organiser")
    before = await dates_of(db, series)

    added = await extend_series(
        db, series_id=series.id, count=3, status="published", actor=organiser, now=NOW
    )

    assert len(added) == 3
    after = await dates_of(db, series)
    starts = [e.sessions[0].starts_at for e in after]
    assert [e.id for e in after[:2]] == [e.id for e in before]
    assert [berlin(s)[0] - berlin(starts[0])[0] for s in starts] == [
        timedelta(days=7 * n) for n in range(5)
    ]
    assert {berlin(s)[1] for s in starts} == {time(17)}
    assert [e.status for e in after] == ["published"] * 5
    for wrong in (0, MAX_DATES + 1):
        with pytest.raises(ValidationFailed):
            await extend_series(
                db, series_id=series.id, count=wrong, status="draft", actor=organiser, now=NOW
            )
    assert len(await dates_of(db, series)) == 5
    booked = await db.scalar(select(func.count()).select_from(Booking))
    assert booked == 0
