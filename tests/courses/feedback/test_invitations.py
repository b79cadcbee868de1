"""Inviting attendees after an event: who counts as attended, once per booking, never for a
cancelled event or a workshop, and the mail with a link that works."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from booking.app import mail_renderer
from booking.bookings.models import Booking
from booking.core.db import session_factory
from booking.mail.models import OutboxMessage
from booking.settings import Settings
from courses.attendance import services as attendance
from courses.feedback.invitations import ANSWER_WITHIN, SEND_WITHIN, invite
from courses.feedback.models import FeedbackInvitation
from courses.feedback.services import token_hash
from courses.models import Event
from tests import factories
from tests.factories import NOW


async def ended_event(
    db: AsyncSession, count: int, *, ended: timedelta = timedelta(hours=2), **fields: object
) -> tuple[Event, list[Booking]]:
    """An event of one session that ended ``ended`` ago, with ``count`` confirmed bookings."""
    held = await factories.event(db, starts_in=-ended - timedelta(hours=7), **fields)
    return held, await factories.participants(db, held, count)


async def tokens(db: AsyncSession) -> dict[int, str]:
    """The token of each invitation mail, by booking id."""
    await db.commit()
    mails = await db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "feedback_invitation")
    )
    return {int(m.context["booking_id"]): str(m.context["token"]) for m in mails}


async def invited_tokens(
    db: AsyncSession, engine: AsyncEngine, count: int = 3
) -> tuple[Event, list[str]]:
    """An event that ended two hours ago whose ``count`` attendees are invited; their tokens."""
    held, booked = await ended_event(db, count)
    await invite(session_factory(engine), NOW)
    found = await tokens(db)
    return held, [found[b.id] for b in booked]


def sessions_of(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


async def test_confirmed_bookings_are_invited_once_when_nothing_was_marked(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    held, booked = await ended_event(db, 4)
    late = await factories.participants(db, held, 2)
    late[0].status, late[1].status = "cancelled", "waiting"
    await db.commit()

    done = await invite(sessions_of(engine), NOW)
    assert (done.events, done.invited) == (1, 4)
    found = await tokens(db)
    assert sorted(found) == sorted(b.id for b in booked)
    invitations = list(await db.scalars(select(FeedbackInvitation)))
    assert {i.token_hash for i in invitations} == {token_hash(t) for t in found.values()}
    assert all(i.token_hash not in found.values() for i in invitations)  # only the hash
    assert all(not i.used and i.sent_at == NOW for i in invitations)
    ends = held.sessions[-1].ends_at
    assert all(i.expires_at == ends + ANSWER_WITHIN for i in invitations)

    again = await invite(sessions_of(engine), NOW + timedelta(hours=1))
    assert (again.events, again.invited) == (1, 0)
    assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == 4


async def test_marked_attendance_invites_those_who_attended_or_partly(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    trainer = await factories.member(db, role="trainer")
    held = await factories.training(db, trainer, days=2)
    full, half, absent = await factories.participants(db, held, 3)
    first, last = held.sessions
    days = ((first, ("present", "present", "absent")), (last, ("late", "absent", "absent")))
    for sitting, marks in days:
        await attendance.mark(
            db, event_id=held.id, session_id=sitting.id, actor=trainer, now=NOW,
            marks=[(b.id, m) for b, m in zip((full, half, absent), marks, strict=True)],
        )  # fmt: skip
    # training() places the sessions in the last days; the second ends in the future
    await invite(sessions_of(engine), NOW + timedelta(days=1))
    assert sorted(await tokens(db)) == sorted([full.id, half.id])


async def test_marks_begun_but_not_settled_invite_no_one_yet(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    trainer = await factories.member(db, role="trainer")
    held = await factories.training(db, trainer, days=2)
    (booking,) = await factories.participants(db, held, 1)
    await attendance.mark(
        db, event_id=held.id, session_id=held.sessions[0].id, actor=trainer, now=NOW,
        marks=[(booking.id, "present")],
    )  # fmt: skip
    await invite(sessions_of(engine), NOW + timedelta(days=1))
    assert await tokens(db) == {}  # the last day is not marked: the outcome is still open


async def test_no_invitations_for_cancelled_draft_workshop_running_or_long_past_events(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    await ended_event(db, 2, status="cancelled")
    await ended_event(db, 2, status="draft")
    conference, _ = await ended_event(db, 2, kind="conference")
    await ended_event(db, 2, kind="workshop", parent_id=conference.id)
    await ended_event(db, 2, ended=SEND_WITHIN + timedelta(hours=1))
    running = await factories.event(db, starts_in=timedelta(days=-1), days=3)
    await factories.participants(db, running, 2)

    done = await invite(sessions_of(engine), NOW)
    assert (done.events, done.invited) == (1, 2)  # the conference, not its workshop
    invited_events = set(await db.scalars(select(FeedbackInvitation.event_id)))
    assert invited_events == {conference.id}


async def test_the_mail_names_the_event_and_carries_a_link_that_works(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    held, (token,) = await invited_tokens(db, engine, 1)
    message = await db.scalar(select(OutboxMessage))
    assert message is not None
    settings = Settings(base_url="https://buchung.example")
    rendered = await mail_renderer().render(db, settings, message)
    link = f"https://buchung.example/rueckmeldung/{token}"
    assert held.title in rendered.subject
    assert link in rendered.text and f'href="{link}"' in rendered.html
    assert "anonym" in rendered.text and "Guten Tag" in rendered.text
