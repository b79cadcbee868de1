"""Ten years of the network's programme for the large benchmark database: meetings (some
with workshops), conferences with parallel workshops, webinars, trainings with course codes
and the monthly online Q&A as one series, with their sessions, sectors and trainers.

The network grows: past events get denser towards today, and the coming year holds a fixed
number of events. One "largest event" (a 300-seat meeting) is always among them.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from large_people import People, Row

from booking.core.formatting import BERLIN
from booking.demo.data import BIUS, BIUS_TEXT, QA_TOPICS
from courses.models import Series
from courses.services import series_dates

TOPICS = [
    *QA_TOPICS[:11],
    "Sicherheitskonzepte für Bürgerbüros",
    "Gewalt gegen Einsatzkräfte",
    "Bedrohungsmanagement an Schulen",
    "Hass im Netz",
    "Gewaltschutz im Krankenhaus",
    "Sicherheit im Jobcenter",
    "Amok- und Bedrohungslagen",
    "Zusammenarbeit mit der Polizei",
]
TRAININGS = [  # code, prerequisite, title, sectors, days, capacity, per organisation, units
    (BIUS[0][0], None, BIUS[0][2], (), 2, 14, 2, 16),
    (BIUS[1][0], BIUS[1][1], BIUS[1][2], (), 2, 14, 2, 16),
    (BIUS[2][0], BIUS[2][1], BIUS[2][2], (), 2, 14, 2, 16),
    (
        "DEESK-GES",
        None,
        "Deeskalationstraining für Beschäftigte im Gesundheitswesen",
        ("gesundheit",),
        1,
        12,
        None,
        8,
    ),
    (
        "SCHULE-DEESK",
        None,
        "Sicher im Schulalltag: Deeskalation für Lehrkräfte",
        ("schule",),
        1,
        16,
        None,
        8,
    ),
    (
        "EINSATZ-KOMM",
        None,
        "Kommunikation im Einsatz für Feuerwehr, Rettungsdienst und THW",
        ("feuerwehr", "rettungsdienst", "thw"),
        1,
        16,
        3,
        8,
    ),
    ("TEL-DEESK", None, "Deeskalation am Telefon und am Schalter", (), 1, 16, None, 8),
]
DESCRIPTION = (
    "Die Veranstaltung richtet sich an Beschäftigte aus allen Bereichen des öffentlichen "
    "Dienstes, die mit Bürgerinnen und Bürgern, Patientinnen und Patienten oder Schülerinnen "
    "und Schülern arbeiten. Fachleute aus dem Netzwerk berichten aus der Praxis; danach ist "
    "Zeit für Fragen und Austausch.\n\nBitte melden Sie sich rechtzeitig an. Wird ein Platz "
    "frei, rücken Personen von der Warteliste automatisch nach."
)
SUMMARY = (
    "Praxisbeispiele, kurze Impulse und Austausch über alle Sektoren hinweg – für alle, "
    "die Gewaltprävention in ihrer Dienststelle voranbringen."
)
Slot = tuple[datetime, datetime, str]
"""A session: starts, ends, title."""
BIUS_SUMMARIES = {code: summary for code, _, _, summary in BIUS}
KINDS = ("training", "network_meeting", "conference", "webinar")
KIND_WEIGHTS = (50, 27, 5, 18)
DEADLINES = {  # kind: (booking opens before, registration closes before, cancellation before)
    "training": (timedelta(days=120), timedelta(days=14), timedelta(days=7)),
    "network_meeting": (timedelta(days=90), timedelta(days=7), timedelta(days=3)),
    "conference": (timedelta(days=150), timedelta(days=21), timedelta(days=14)),
    "workshop": (timedelta(days=150), timedelta(days=21), timedelta(days=14)),
    "webinar": (timedelta(days=60), timedelta(hours=20), timedelta(hours=20)),
    "online_qa": (timedelta(weeks=10), timedelta(hours=2), timedelta(hours=2)),
}


@dataclass
class Programme:
    events: list[Row] = field(default_factory=list)
    sessions: list[Row] = field(default_factory=list)
    sectors: list[Row] = field(default_factory=list)
    trainers: list[Row] = field(default_factory=list)
    series: list[Row] = field(default_factory=list)
    event_sectors: dict[int, tuple[str, ...]] = field(default_factory=dict)
    starts: dict[int, datetime] = field(default_factory=dict)
    ends: dict[int, datetime] = field(default_factory=dict)
    workshops: dict[int, list[int]] = field(default_factory=dict)
    """Workshop ids by their parent."""
    largest: int = 0


@dataclass
class _Group:
    """A parent event and its workshops, before they get ids and dates."""

    kind: str
    workshops: int = 0
    day: date | None = None
    training: int = 0
    largest: bool = False
    qa: tuple[datetime, datetime] | None = None

    @property
    def size(self) -> int:
        return 1 + self.workshops


def build_programme(
    rng: random.Random, people: People, now: datetime, events: int, upcoming: int
) -> Programme:
    today = now.astimezone(BERLIN).date()
    qa = _qa_dates(today)
    groups = [_Group("online_qa", qa=d) for d in qa]
    groups.append(_Group("network_meeting", day=_workday(today + timedelta(days=30)), largest=True))
    total = sum(g.size for g in groups)
    while total < events:
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        workshops = 0
        if kind == "conference":
            workshops = rng.randint(3, 5)
        elif kind == "network_meeting" and rng.random() < 0.15:
            workshops = rng.randint(2, 4)
        workshops = min(workshops, events - total - 1)
        group = _Group(kind, workshops, training=rng.randrange(len(TRAININGS)))
        groups.append(group)
        total += group.size
    _spread(rng, groups, today, upcoming)
    groups.sort(key=lambda g: (g.qa[0].date() if g.qa else g.day) or today)
    programme = Programme()
    programme.series.append(
        {
            "id": 1,
            "title": "Frag doch mal das Netzwerk",
            "rrule": "FREQ=MONTHLY;BYDAY=1WE",
            "first_starts_at": qa[0][0].astimezone(UTC),
            "duration_minutes": 90,
        }
    )
    for group in groups:
        _add_group(rng, programme, people, group, now)
    return programme


def _qa_dates(today: date) -> list[tuple[datetime, datetime]]:
    """Monthly from nine years ago to a year ahead, as the demo's series rule says."""
    first = date(today.year - 9, today.month, 1)
    start = datetime.combine(first, time(14, 0), tzinfo=BERLIN)
    series = Series(
        rrule="FREQ=MONTHLY;BYDAY=1WE", first_starts_at=start.astimezone(UTC), duration_minutes=90
    )
    return series_dates(series, 120)


def _spread(rng: random.Random, groups: list[_Group], today: date, upcoming: int) -> None:
    """Dates: enough groups in the coming year for ``upcoming`` events, the rest in the nine
    years before, denser towards today."""
    ahead = sum(g.size for g in groups if (g.qa and g.qa[0].date() > today) or g.largest)
    free = [g for g in groups if g.day is None and g.qa is None]
    rng.shuffle(free)
    for group in free:
        if ahead < upcoming:
            offset = rng.randint(2, 365)
            ahead += group.size
        else:
            u = rng.random()  # density rising linearly: F(t) = (t + t²) / 2
            offset = -int((1 - (-1 + math.sqrt(1 + 8 * u)) / 2) * 9 * 365) - 1
        group.day = _workday(today + timedelta(days=offset))


def _workday(day: date) -> date:
    """Monday to Thursday: trainings and conferences may run a few days."""
    while day.weekday() > 3:
        day += timedelta(days=1)
    return day


def _at(day: date, clock: str) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


@dataclass
class _Shape:
    """What one parent event is: its row's fields, sessions, sectors and trainers."""

    title: str
    capacity: int
    slots: list[Slot]
    fields: Row = field(default_factory=dict)
    sectors: tuple[str, ...] = ()
    trainers: list[int] = field(default_factory=list)
    description: str = DESCRIPTION
    summary: str = SUMMARY


def _days(day: date, count: int, start: str, end: str) -> list[Slot]:
    slots = [
        (_at(day + timedelta(days=n), start), _at(day + timedelta(days=n), end), "")
        for n in range(count)
    ]
    if count > 1:
        slots = [(s, e, f"Tag {n}") for n, (s, e, _) in enumerate(slots, start=1)]
    return slots


def _shape(rng: random.Random, people: People, group: _Group, day: date) -> _Shape:
    if group.qa is not None:
        topic = QA_TOPICS[(day.month - 1) % len(QA_TOPICS)]
        slot = (group.qa[0].astimezone(UTC), group.qa[1].astimezone(UTC), "")
        return _Shape(
            f"Frag doch mal das Netzwerk: {topic}",
            300,
            [slot],
            {"series_id": 1, "online_room_id": 1},
        )
    if group.kind == "training":
        code, prereq, title, sectors, days, capacity, per_org, units = TRAININGS[group.training]
        venue = rng.randrange(1, len(people.venues) + 1)
        shape = _Shape(
            title,
            capacity,
            _days(day, days, "08:30", "16:30"),
            {
                "seats_per_organisation": per_org,
                "course_code": code,
                "prerequisite_code": prereq,
                "teaching_units": units,
                "venue_id": venue,
                "room_id": people.rooms_of_venue[venue][-1]["id"],
            },
            sectors,
            rng.sample(people.trainers, rng.randint(1, 2)),
        )
        if code in BIUS_SUMMARIES:
            shape.description, shape.summary = BIUS_TEXT, BIUS_SUMMARIES[code]
        return shape
    if group.kind == "webinar":
        start, end = rng.choice((("10:00", "11:30"), ("14:00", "15:30")))
        restricted = rng.random() < 0.3
        return _Shape(
            f"Webinar: {rng.choice(TOPICS)}",
            rng.choice((150, 250, 500)),
            _days(day, 1, start, end),
            {"online_room_id": rng.randint(2, 10)},
            (rng.choice(list(people.by_sector)),) if restricted else (),
        )
    venue = 1 if group.largest else rng.randrange(1, len(people.venues) + 1)
    hall = people.rooms_of_venue[venue][0]
    place = {"venue_id": venue, "room_id": hall["id"]}
    topic = rng.choice(TOPICS)
    if group.kind == "conference":
        return _Shape(
            f"Fachtagung #sicherimDienst {day.year}: {topic}",
            min(hall["capacity"], rng.choice((100, 120, 150, 200))),
            _days(day, rng.randint(1, 3), "09:00", "17:00"),
            place,
        )
    if group.largest:
        return _Shape(
            "Netzwerktreffen NRW: Jahresversammlung des Netzwerks",
            300,
            _days(day, 1, "09:30", "16:00"),
            place,
        )
    return _Shape(
        f"Netzwerktreffen {people.venue_region[venue]}: {topic}",
        min(hall["capacity"], rng.choice((60, 80, 120))),
        _days(day, 1, "09:30", "16:00"),
        place,
    )


def _add_group(
    rng: random.Random, p: Programme, people: People, group: _Group, now: datetime
) -> None:
    day = group.day or (group.qa[0].date() if group.qa else now.date())
    shape = _shape(rng, people, group, day)
    status = _status(rng, shape.slots[0][0], now)
    parent_id = _add_event(p, group.kind, status, shape, now)
    if group.largest:
        p.largest = parent_id
    p.sectors.extend({"event_id": parent_id, "sector": s} for s in shape.sectors)
    p.event_sectors[parent_id] = shape.sectors
    p.trainers.extend({"event_id": parent_id, "member_id": t} for t in shape.trainers)
    venue = shape.fields.get("venue_id")
    _add_workshops(rng, p, people, group, parent_id, venue, shape.slots, status, now)


def _add_workshops(
    rng: random.Random,
    p: Programme,
    people: People,
    group: _Group,
    parent_id: int,
    venue: int | None,
    slots: list[Slot],
    status: str,
    now: datetime,
) -> None:
    """Parallel workshops in the afternoon of the second day (or the only one)."""
    if not group.workshops or venue is None:
        return
    day = slots[min(1, len(slots) - 1)][0].astimezone(BERLIN).date()
    slot = [(_at(day, "13:30"), _at(day, "15:30"), "")]
    rooms = people.rooms_of_venue[venue][1:] or people.rooms_of_venue[venue]
    word = "Forum" if group.kind == "conference" else "Workshop"
    ids = []
    for n, topic in enumerate(rng.sample(TOPICS, group.workshops), start=1):
        room = rooms[(n - 1) % len(rooms)]
        place = {"parent_id": parent_id, "venue_id": venue, "room_id": room["id"]}
        shape = _Shape(f"{word} {n}: {topic}", min(room["capacity"], 40), slot, place)
        shape.description = ""
        ids.append(_add_event(p, "workshop", status, shape, now))
        p.event_sectors[ids[-1]] = ()
    p.workshops[parent_id] = ids


def _status(rng: random.Random, starts: datetime, now: datetime) -> str:
    roll = rng.random()
    if roll < 0.03:
        return "cancelled"
    if starts > now and roll < 0.08:
        return "draft"
    return "published"


def _add_event(p: Programme, kind: str, status: str, shape: _Shape, now: datetime) -> int:
    event_id = len(p.events) + 1
    slots = shape.slots
    starts = slots[0][0]
    opens, deadline, cancel = DEADLINES[kind]
    created = min(starts - opens - timedelta(days=30), now - timedelta(days=1))
    p.events.append(
        {
            "id": event_id,
            "kind": kind,
            "status": status,
            "title": shape.title,
            "summary": shape.summary,
            "description": shape.description,
            "capacity": shape.capacity,
            "booking_opens_at": starts - opens,
            "registration_deadline": starts - deadline,
            "cancellation_deadline": starts - cancel,
            "parent_id": None,
            "venue_id": None,
            "room_id": None,
            "online_room_id": None,
            "sequence": 0,
            "created_at": created,
            "updated_at": created,
            "seats_per_organisation": None,
            "course_code": None,
            "prerequisite_code": None,
            "teaching_units": None,
            "series_id": None,
        }
        | shape.fields
    )
    for s, e, session_title in slots:
        p.sessions.append(
            {
                "id": len(p.sessions) + 1,
                "event_id": event_id,
                "starts_at": s,
                "ends_at": e,
                "title": session_title,
                "sequence": 0,
            }
        )
    p.starts[event_id], p.ends[event_id] = starts, slots[-1][1]
    return event_id
