"""``sid jobs list`` and ``sid jobs run NAME`` on every database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import services
from booking.bookings.models import Booking
from booking.cli import main
from booking.jobs.models import JobRun
from courses.models import Event
from tests import factories
from tests.booking.jobs.recording import SECRET_MESSAGE
from tests.factories import NOW

Sid = Callable[..., Awaitable[tuple[int, str, str]]]


@pytest.fixture
def sid(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Sid:
    """Runs ``sid ARGS`` in this process; returns the exit code, stdout and stderr."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "test-secret-" + "x" * 32)
    monkeypatch.setenv("MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.delenv("JOBS_MODULE", raising=False)

    async def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = await asyncio.to_thread(main, list(args))  # asyncio.run needs a thread of its own
        out, err = capsys.readouterr()
        return code, out, err

    return run


async def test_list_run_list(db: AsyncSession, sid: Sid) -> None:
    event = await factories.event(db, capacity=1)
    first, second = await factories.member(db), await factories.member(db)
    for person in (first, second):
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await db.execute(update(Event).where(Event.id == event.id).values(capacity=2))
    await db.commit()

    code, out, _ = await sid("jobs", "list")
    assert code == 0
    line, reminders, feedback, lapse, draw, stock, retention, offers, newsletter = out.splitlines()
    assert line.startswith("promotion-sweep  zuletzt: noch nie  nächster Lauf: ")
    assert line.endswith("Uhr (fällig)")
    assert reminders.startswith("booking-reminders  zuletzt: noch nie  nächster Lauf: ")
    assert feedback.startswith("feedback-invitations  zuletzt: noch nie  nächster Lauf: ")
    assert lapse.startswith("release-lapse  zuletzt: noch nie  nächster Lauf: ")
    assert draw.startswith("draw-allocation  zuletzt: noch nie  nächster Lauf: ")
    assert stock.startswith("low-stock-alerts  zuletzt: noch nie  nächster Lauf: ")
    assert retention.startswith("privacy-retention  zuletzt: noch nie  nächster Lauf: ")
    assert offers.startswith("offer-expiry  zuletzt: noch nie  nächster Lauf: ")
    assert newsletter.startswith("newsletter-sending  zuletzt: noch nie  nächster Lauf: ")

    code, out, err = await sid("jobs", "run", "promotion-sweep")
    assert (code, err) == (0, "")
    assert out == (
        "promotion-sweep: 1 Veranstaltung(en) mit Warteliste geprüft, 1 Platz/Plätze vergeben.\n"
    )
    await db.commit()
    statuses = await db.scalars(
        select(Booking.status).where(Booking.event_id == event.id).order_by(Booking.id)
    )
    assert list(statuses) == ["confirmed", "confirmed"]

    code, out, _ = await sid("jobs", "list")
    line, *_others = out.splitlines()
    assert line.startswith("promotion-sweep  zuletzt: ")
    assert "(erfolgreich)  nächster Lauf: " in line


async def test_run_with_an_unknown_name_says_so_in_german(db: AsyncSession, sid: Sid) -> None:
    code, out, err = await sid("jobs", "run", "aufraeumen")
    assert code == 2 and out == ""
    assert err == (
        "Fehler: Unbekannter Job „aufraeumen“. Bekannt sind: promotion-sweep, booking-reminders, "
        "feedback-invitations, release-lapse, draw-allocation, low-stock-alerts, "
        "privacy-retention, offer-expiry, newsletter-sending.\n"
    )
    await db.commit()
    assert list(await db.scalars(select(JobRun))) == []


async def test_a_failing_run_is_reported_and_listed_without_its_message(
    db: AsyncSession, sid: Sid, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JOBS_MODULE", "tests.booking.jobs.recording")
    monkeypatch.setenv("RECORDING_LOG", str(tmp_path / "runs.log"))
    monkeypatch.setenv("RECORDING_FAIL", "1")

    code, out, err = await sid("jobs", "run", "recording")
    assert code == 1 and out == ""
    assert err.startswith(
        "Fehler: Der Job „recording“ ist fehlgeschlagen (RuntimeError in "
        "tests/booking/jobs/recording.py:"
    )
    assert SECRET_MESSAGE not in err

    code, out, _ = await sid("jobs", "list")
    assert "(fehlgeschlagen: RuntimeError in tests/booking/jobs/recording.py:" in out
    assert SECRET_MESSAGE not in out
