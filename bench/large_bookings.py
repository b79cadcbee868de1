"""Bookings and sent mail for the large benchmark database.

Each event's bookings are drawn in the order they were made and given the status the
booking rules would have left them in: the first ones that fit (capacity, and the
per-organisation limit) are confirmed, the rest wait, about one in ten cancelled on their
own; a called-off event's bookings are all cancelled. One member holds at most one active
booking per event; workshops are booked by the conference's confirmed participants, one
each (they run in parallel); a course with a prerequisite is booked by people who attended
the prerequisite before; sector-restricted events by members of those sectors. Past
trainings record attendance. The total comes out exact: the webinars take what is left.
"""

from __future__ import annotations

import bisect
import random
from collections import Counter
from datetime import datetime, timedelta

from large_people import People, Row
from large_programme import Programme

CANCEL_SHARE = 0.1
DEMAND = {  # kind: share of the capacity that asks for a seat (low, high)
    "training": (1.0, 2.0),
    "network_meeting": (0.4, 1.2),
    "conference": (0.6, 1.2),
    "webinar": (0.15, 0.6),
    "online_qa": (0.1, 0.4),
}


class _Builder:
    def __init__(self, rng: random.Random, people: People, p: Programme, now: datetime) -> None:
        self.rng, self.people, self.p, self.now = rng, people, p, now
        self.rows: list[Row] = []
        self.everyone = [m["id"] for m in people.members]
        self.attended: dict[str, list[tuple[datetime, int]]] = {}
        self.seated: dict[int, list[int]] = {}
        self.sector_pools: dict[tuple[str, ...], list[int]] = {}

    def demand(self, event: Row) -> float:
        """Seats asked for, before scaling: none before booking opens, fewer while it is open."""
        if event["status"] == "draft" or event["booking_opens_at"] > self.now:
            return 0.0
        opened = self.now - event["booking_opens_at"]
        window = event["registration_deadline"] - event["booking_opens_at"]
        share = min(1.0, opened / window) if window > timedelta(0) else 1.0
        return float(event["capacity"] * self.rng.uniform(*DEMAND[event["kind"]]) * share)

    def pool(self, event: Row) -> list[int]:
        sectors = self.p.event_sectors.get(event["id"], ())
        if sectors and sectors not in self.sector_pools:
            self.sector_pools[sectors] = sorted(
                {m for s in sectors for m in self.people.by_sector.get(s, [])}
            )
        pool = self.sector_pools[sectors] if sectors else self.everyone
        if event["prerequisite_code"]:
            done = self.attended.get(event["prerequisite_code"], [])
            cut = bisect.bisect_left(done, (self.p.starts[event["id"]], 0))
            allowed = set(pool)
            pool = sorted({member for _, member in done[:cut] if member in allowed})
        return pool

    def book(self, event: Row, members: list[int], cancel_share: float = CANCEL_SHARE) -> None:
        """Rows for ``members`` booking ``event`` in this order."""
        if not members:
            return
        rng, now, event_id = self.rng, self.now, event["id"]
        opens = event["booking_opens_at"]
        closes = min(event["registration_deadline"], now - timedelta(minutes=1))
        span = max((closes - opens).total_seconds(), 1.0)
        times = sorted(opens + timedelta(seconds=rng.uniform(0, span)) for _ in members)
        training_done = event["kind"] == "training" and self.p.ends[event_id] < now
        seated, per_org = 0, Counter[int]()
        limit, seated_members = event["seats_per_organisation"], []
        for member, at in zip(members, times, strict=True):
            org = self.people.member_org[member]
            row: Row = {
                "event_id": event_id,
                "member_id": member,
                "organisation_id": org,
                "created_at": at,
                "waitlisted_at": None,
                "confirmed_at": None,
                "cancelled_at": None,
                "cancelled_by": None,
            }
            last_cancel = min(now, max(event["cancellation_deadline"], at + timedelta(hours=1)))
            if event["status"] == "cancelled" or rng.random() < cancel_share:
                by = "organiser" if event["status"] == "cancelled" else "member"
                moment = at + (last_cancel - at) * rng.random()
                row |= {"status": "cancelled", "cancelled_at": moment, "cancelled_by": by}
            elif seated < event["capacity"] and (limit is None or per_org[org] < limit):
                seated += 1
                per_org[org] += 1
                seated_members.append(member)
                status = "confirmed"
                if training_done:
                    status = "attended" if rng.random() < 0.9 else "no_show"
                    if status == "attended" and event["course_code"]:
                        done = self.attended.setdefault(event["course_code"], [])
                        done.append((self.p.ends[event_id], member))
                row |= {"status": status, "confirmed_at": at}
            else:
                row |= {"status": "waiting", "waitlisted_at": at}
            self.rows.append(row)
        self.seated[event_id] = seated_members

    def workshops(self, parent: Row) -> None:
        """The parent's confirmed participants choose one of its parallel workshops each."""
        ids = self.p.workshops.get(parent["id"], [])
        seated = self.seated.get(parent["id"], [])
        if not ids or not seated:
            return
        choosing = self.rng.sample(seated, int(len(seated) * self.rng.uniform(0.6, 0.95)))
        chosen: dict[int, list[int]] = {w: [] for w in ids}
        for member in choosing:
            chosen[self.rng.choice(ids)].append(member)
        events = {e["id"]: e for e in self.p.events[ids[0] - 1 : ids[-1]]}
        for workshop_id, members in chosen.items():
            self.book(events[workshop_id], members)


def build_bookings(
    rng: random.Random, people: People, p: Programme, now: datetime, total: int
) -> list[Row]:
    """``total`` booking rows with ids in the order they were made."""
    b = _Builder(rng, people, p, now)
    largest = p.events[p.largest - 1]
    b.book(largest, rng.sample(b.everyone, 800), cancel_share=0.0)  # 300 seated, 500 waiting
    parents = [e for e in p.events if e["kind"] != "workshop" and e["id"] != p.largest]
    raw = {e["id"]: b.demand(e) for e in parents}
    # Trainings fill up (and have waiting lists); the other formats share what is left.
    full = sum(raw[e["id"]] for e in parents if e["kind"] == "training")
    rest = sum(raw.values()) - full
    # About a tenth more comes from the workshops, which follow their conference's seats.
    scale = max(0.0, total - len(b.rows) - full) / (rest * 1.12 or 1.0)
    for e in parents:
        if e["kind"] != "training":
            raw[e["id"]] *= scale
    order = sorted(parents, key=lambda e: (e["kind"] == "webinar", p.starts[e["id"]]))
    webinars = [e for e in order if e["kind"] == "webinar"]
    for phase in (None, "BIUS-I", "BIUS-II"):
        for done in b.attended.values():
            done.sort()
        for event in order:
            if event["kind"] == "webinar" or event["prerequisite_code"] != phase:
                continue
            pool = b.pool(event)
            b.book(event, rng.sample(pool, min(len(pool), round(raw[event["id"]]))))
            b.workshops(event)
    left = total - len(b.rows)
    if left < 0:
        raise RuntimeError(f"{-left} bookings too many before the webinars; lower the scale")
    want = _share(left, [raw[e["id"]] for e in webinars])
    pools = [b.pool(e) for e in webinars]
    over = 0
    for n, pool in enumerate(pools):  # a sector's webinar cannot have more than its sector
        over += max(0, want[n] - len(pool))
        want[n] = min(want[n], len(pool))
    for n in range(len(want)):  # what did not fit goes to the open ones
        room = len(pools[n]) - want[n]
        if over and room > 0 and raw[webinars[n]["id"]] > 0:
            extra = min(over, room)
            want[n] += extra
            over -= extra
    if over:
        raise RuntimeError(f"{over} bookings did not fit into the webinars")
    for event, pool, count in zip(webinars, pools, want, strict=True):
        b.book(event, rng.sample(pool, count))
    b.rows.sort(key=lambda r: r["created_at"])
    for booking_id, row in enumerate(b.rows, start=1):
        row["id"] = booking_id
    return b.rows


def _share(total: int, weights: list[float]) -> list[int]:
    """``total`` split by ``weights`` into whole numbers (largest remainder)."""
    whole = sum(weights)
    if not weights or whole <= 0:
        return [total] + [0] * (len(weights) - 1) if weights else []
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def build_mails(
    rng: random.Random, people: People, bookings: list[Row], total: int, now: datetime
) -> list[Row]:
    """``total`` sent outbox rows: sign-in links and the mails of the bookings."""
    about_bookings = min(len(bookings), total - total // 10)
    template = {"waiting": "booking_waitlisted", "cancelled": "booking_cancelled"}
    rows: list[Row] = [
        {
            "recipient": people.member_email[b["member_id"]],
            "template": template.get(b["status"], "booking_confirmed"),
            "context": {"booking_id": b["id"]},
            "created_at": b["created_at"],
        }
        for b in rng.sample(bookings, about_bookings)
    ]
    first = min((m["created_at"] for m in people.members), default=now)
    span = (now - first).total_seconds()
    for _ in range(total - about_bookings):
        member = rng.randrange(1, len(people.members) + 1)
        token = f"{rng.getrandbits(128):032x}"
        rows.append(
            {
                "recipient": people.member_email[member],
                "template": "sign_in_link",
                "context": {
                    "link": f"https://buchung.sicherimdienst.example/anmelden/link?token={token}"
                },
                "created_at": first + timedelta(seconds=rng.uniform(0, span)),
            }
        )
    rows.sort(key=lambda r: r["created_at"])
    for message_id, row in enumerate(rows, start=1):
        sent = row["created_at"] + timedelta(seconds=rng.uniform(1, 60))
        row |= {
            "id": message_id,
            "attempts": 1,
            "next_attempt_at": row["created_at"],
            "locked_until": None,
            "last_error": "",
            "sent_at": min(sent, now),
            "failed_at": None,
            "message_key": f"{rng.getrandbits(64):016x}",
        }
    return rows
