"""What ``bench/scale.py`` measures against a running server: sequential requests per
endpoint as a browser, a calendar client and an API client would send them.

The pages are found by their addresses only; which event is which (an ordinary meeting, a
conference, the one with the longest participant list, one to book) is read from the
database before the server starts.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from scale_server import Server, read_page, sign_in
from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import create_async_engine

from booking.tables import metadata

ACTIVE = ("requested", "confirmed", "waiting")
BROWSER = {"Accept-Encoding": "gzip"}
CANCEL_LINK = re.compile(r"/buchungen/([0-9]+)/stornieren")


@dataclass
class Targets:
    organiser: str
    member: str
    member_bookings: int
    largest: int
    largest_active: int
    event: int | None
    conference: int | None
    bookable: int | None


@dataclass
class Measured:
    label: str
    times: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    size: int | None = None
    gzip_size: int | None = None
    note: str = ""

    def percentile(self, p: float) -> float | None:
        if not self.times:
            return None
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "n": len(self.times),
            "p50_ms": _ms(self.percentile(50)),
            "p95_ms": _ms(self.percentile(95)),
            "max_ms": _ms(max(self.times, default=None)),
            "mean_ms": _ms(statistics.fmean(self.times) if self.times else None),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "bytes": self.size,
            "bytes_gzip": self.gzip_size,
            "note": self.note,
        }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


async def find_targets(url: str) -> Targets:
    t = metadata.tables
    events, sessions, bookings = t["events"], t["event_sessions"], t["bookings"]
    members, sectors = t["members"], t["event_sectors"]
    now = datetime.now(UTC)
    starts = (
        select(sessions.c.event_id, func.min(sessions.c.starts_at).label("starts"))
        .group_by(sessions.c.event_id)
        .subquery()
    )
    upcoming = (
        select(events.c.id)
        .join(starts, starts.c.event_id == events.c.id)
        .where(events.c.status == "published", starts.c.starts > now)
        .order_by(starts.c.starts, events.c.id)
    )
    active = func.count(bookings.c.id)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as db:
            organiser = await db.scalar(
                select(members.c.email)
                .where(members.c.role == "organiser", members.c.status == "active")
                .order_by(members.c.id)
            )
            member_row = (
                await db.execute(
                    select(members.c.email, members.c.id, func.count(bookings.c.id))
                    .join(bookings, bookings.c.member_id == members.c.id)
                    .where(members.c.role == "member", members.c.status == "active")
                    .group_by(members.c.id, members.c.email)
                    .order_by(func.count(bookings.c.id).desc(), members.c.id)
                    .limit(1)
                )
            ).one()
            largest_row = (
                await db.execute(
                    select(bookings.c.event_id, active)
                    .where(bookings.c.status.in_(ACTIVE))
                    .group_by(bookings.c.event_id)
                    .order_by(active.desc(), bookings.c.event_id)
                    .limit(1)
                )
            ).one()
            event = await db.scalar(
                upcoming.where(
                    events.c.kind == "network_meeting", events.c.id != largest_row[0]
                ).limit(1)
            )
            child = events.alias("child")
            conference = await db.scalar(
                upcoming.where(
                    events.c.kind == "conference",
                    exists().where(child.c.parent_id == events.c.id),
                ).limit(1)
            )
            seated = (
                select(func.count(bookings.c.id))
                .where(bookings.c.event_id == events.c.id, bookings.c.status == "confirmed")
                .scalar_subquery()
            )
            soon = now + timedelta(days=1)
            bookable = await db.scalar(
                upcoming.where(
                    events.c.kind.in_(("network_meeting", "online_qa", "webinar")),
                    events.c.parent_id.is_(None),
                    events.c.prerequisite_code.is_(None),
                    events.c.seats_per_organisation.is_(None),
                    events.c.booking_opens_at.is_(None) | (events.c.booking_opens_at <= now),
                    events.c.registration_deadline.is_(None)
                    | (events.c.registration_deadline > soon),
                    events.c.cancellation_deadline.is_(None)
                    | (events.c.cancellation_deadline > soon),
                    starts.c.starts > soon,
                    seated < events.c.capacity - 5,
                    ~exists().where(sectors.c.event_id == events.c.id),
                    ~exists().where(
                        and_(
                            bookings.c.event_id == events.c.id,
                            bookings.c.member_id == member_row[1],
                            bookings.c.status.in_(ACTIVE),
                        )
                    ),
                ).limit(1)
            )
    finally:
        await engine.dispose()
    if organiser is None:
        raise RuntimeError("the database has no organiser")
    return Targets(
        organiser=organiser,
        member=member_row[0],
        member_bookings=member_row[2],
        largest=largest_row[0],
        largest_active=largest_row[1],
        event=event,
        conference=conference,
        bookable=bookable,
    )


def timed(
    client: httpx.Client,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    data: dict[str, str] | None = None,
) -> tuple[int, float, int, httpx.Headers]:
    """One request, read to the end: status, seconds, bytes of the body as sent, headers."""
    started = time.perf_counter()
    with client.stream(method, path, headers=headers, data=data) as answer:
        size = sum(len(chunk) for chunk in answer.iter_raw())
    return answer.status_code, time.perf_counter() - started, size, answer.headers


class Run:
    """One server's measurements, in the order they are taken."""

    def __init__(self, server: Server, n: int, warmup: int) -> None:
        self.server, self.n, self.warmup = server, n, warmup
        self.results: list[Measured] = []
        self.anonymous = self.client()

    def client(self, token: str | None = None) -> httpx.Client:
        headers = dict(BROWSER)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.server.base, headers=headers, timeout=300)

    def measure(
        self,
        label: str,
        client: httpx.Client,
        path: str,
        headers: dict[str, str] | None = None,
        expect: int = 200,
        n: int | None = None,
    ) -> Measured:
        result = Measured(label)
        for count in range(self.warmup + (n or self.n)):
            status, seconds, _, _ = timed(client, "GET", path, headers)
            if count >= self.warmup:
                result.times.append(seconds)
                result.statuses[status] += 1
        if expect == 200:
            self.sizes(result, client, path, headers)
        self.results.append(result)
        return result

    def sizes(
        self,
        result: Measured,
        client: httpx.Client,
        path: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        _, _, plain, _ = timed(
            client, "GET", path, {**(headers or {}), "Accept-Encoding": "identity"}
        )
        _, _, packed, answer = timed(client, "GET", path, {**(headers or {}), **BROWSER})
        result.size = plain
        if answer.get("content-encoding") == "gzip":
            result.gzip_size = packed

    def health_during_feed(self, label: str, rounds: int) -> Measured:
        """``/healthz`` again and again while ``/programm.ics`` is being answered: how long
        the feed keeps the event loop from other requests. The first round is the first feed
        request of the process."""
        result = Measured(label)
        feed_client, longest_feed = self.client(), 0.0
        for _ in range(rounds):
            done, feed = threading.Event(), list[float]()
            worker = threading.Thread(target=_fetch_feed, args=(feed_client, feed, done))
            worker.start()
            time.sleep(0.005)
            while not done.is_set():
                status, seconds, _, _ = timed(self.anonymous, "GET", "/healthz")
                result.times.append(seconds)
                result.statuses[status] += 1
            worker.join()
            longest_feed = max([longest_feed, *feed])
        result.note = (
            f"{len(result.times)} samples, max {_ms(max(result.times, default=0))} ms; "
            f"slowest feed answer {_ms(longest_feed)} ms"
        )
        feed_client.close()
        self.results.append(result)
        return result

    def programme(self) -> None:
        self.measure("programme /", self.anonymous, "/")
        self.measure("programme /?kind=training", self.anonymous, "/?kind=training")
        page = read_page(self.anonymous.get("/").text)
        following = next(
            (
                href
                for href, rel, text in page.links
                if "weitere veranstaltungen" in text.lower() or "next" in rel.split()
            ),
            None,
        )
        if following is None:
            self.results.append(Measured("programme next page", note="no next-page link"))
        else:
            self.measure("programme next page", self.anonymous, following).note = following

    def feed(self) -> None:
        plain = self.measure("/programm.ics", self.anonymous, "/programm.ics")
        tag = self.anonymous.get("/programm.ics").headers.get("etag")
        if tag is None:
            plain.note = "no ETag"
            return
        self.measure(
            "/programm.ics If-None-Match",
            self.anonymous,
            "/programm.ics",
            headers={"If-None-Match": tag},
            expect=304,
        )

    def book_and_cancel(self, member: httpx.Client, event_id: int, cycles: int) -> None:
        """Book a seat with the event page's form, cancel it after the confirmation page;
        again and again (a cancelled booking does not stop a new one)."""
        book = Measured("book (POST, form)")
        ask = Measured("cancel: confirmation page")
        cancel = Measured("cancel (POST, form)")
        self.results += [book, ask, cancel]
        page_path = f"/veranstaltungen/{event_id}"
        for count in range(self.warmup + cycles):
            keep = count >= self.warmup
            form = read_page(member.get(page_path).text).form(f"{page_path}/buchen")
            if form is None:
                book.note = f"no booking form on {page_path}"
                return
            status, seconds, _, _ = timed(member, "POST", f"{page_path}/buchen", data=form.fields)
            _keep(book, keep, status, seconds)
            booking_id = self._booking_id(member, page_path, event_id)
            if booking_id is None:
                cancel.note = "booking not found"
                return
            path = f"/buchungen/{booking_id}/stornieren"
            status, seconds, _, _ = timed(member, "GET", path)
            _keep(ask, keep, status, seconds)
            form = read_page(member.get(path).text).form(path)
            if form is None:
                cancel.note = f"no cancel form on {path}"
                return
            status, seconds, _, _ = timed(member, "POST", path, data=form.fields)
            _keep(cancel, keep, status, seconds)

    @staticmethod
    def _booking_id(member: httpx.Client, page_path: str, event_id: int) -> int | None:
        found = CANCEL_LINK.search(member.get(page_path).text)
        if found:
            return int(found.group(1))
        return None


def _fetch_feed(client: httpx.Client, seconds: list[float], done: threading.Event) -> None:
    try:
        seconds.append(timed(client, "GET", "/programm.ics")[1])
    finally:
        done.set()


def _keep(result: Measured, keep: bool, status: int, seconds: float) -> None:
    if keep:
        result.times.append(seconds)
        result.statuses[status] += 1


def run_all(
    server: Server, targets: Targets, api_token: str, n: int, warmup: int, cycles: int
) -> tuple[list[Measured], dict[str, dict[str, int]]]:
    """Every measurement against ``server``; and its memory after start and after the run."""
    memory = {"after start": server.memory()}
    run = Run(server, n, warmup)
    run.health_during_feed("/healthz while /programm.ics runs", rounds=3)
    run.measure("/healthz", run.anonymous, "/healthz")
    run.programme()
    api = run.client(api_token)
    run.measure("API GET /api/v1/events", api, "/api/v1/events")
    run.feed()
    member, organiser = run.client(), run.client()
    sign_in(member, server, targets.member)
    sign_in(organiser, server, targets.organiser)
    if targets.event is not None:
        run.measure("event page", member, f"/veranstaltungen/{targets.event}")
    if targets.conference is not None:
        run.measure("conference page", member, f"/veranstaltungen/{targets.conference}")
    run.measure(
        "Meine Buchungen", member, "/meine-buchungen"
    ).note = f"{targets.member_bookings} bookings of {targets.member}"
    detail = targets.conference or targets.event or targets.largest
    run.measure("API GET /api/v1/events/{id}", api, f"/api/v1/events/{detail}")
    run.measure(
        "participant list (largest event)",
        organiser,
        f"/verwaltung/veranstaltungen/{targets.largest}",
    ).note = f"event {targets.largest}, {targets.largest_active} active bookings"
    run.measure(
        "waiting list (largest event)",
        organiser,
        f"/verwaltung/veranstaltungen/{targets.largest}?liste=warteliste",
    ).note = "first 100 by position, with a move form per row"
    run.measure(
        "audit log (largest event)",
        organiser,
        f"/verwaltung/veranstaltungen/{targets.largest}/protokoll",
    )
    run.measure("back-office home", organiser, "/verwaltung")
    if targets.bookable is not None:
        run.book_and_cancel(member, targets.bookable, cycles)
    else:
        run.results.append(Measured("book (POST, form)", note="no bookable event found"))
    memory["after the run"] = server.memory()
    for client in (run.anonymous, api, member, organiser):
        client.close()
    return run.results, memory
