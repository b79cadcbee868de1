"""The demo's programme: the network's year of events, relative to ``now``."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.easter import easter

from booking.core.formatting import BERLIN
from booking.demo.data import (
    BIUS,
    BIUS_CONTENT,
    BIUS_TEXT,
    MONDAY,
    QA_TOPICS,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
)
from booking.members.models import Member
from courses.models import Event, EventSector, EventSession, Series
from courses.services import ensure_draw_salt, series_dates
from venues.models import OnlineRoom, Venue


class Calendar:
    """Dates relative to today in Berlin; every stored time is aware UTC."""

    def __init__(self, now: datetime) -> None:
        self.today = now.astimezone(BERLIN).date()

    def day(self, offset: int, weekday: int, days: int = 1) -> date:
        """The first ``weekday`` on or after today plus ``offset`` days that starts ``days``
        working days in a row: no public holiday in NRW, nothing between Christmas and New Year."""
        start = self.today + timedelta(days=offset)
        start += timedelta(days=(weekday - start.weekday()) % 7)
        while not all(_working_day(start + timedelta(days=n)) for n in range(days)):
            start += timedelta(weeks=1)
        return start


def _working_day(day: date) -> bool:
    if (day.month, day.day) in ((1, 1), (5, 1), (10, 3), (11, 1)) or (
        day.month == 12 and day.day >= 22
    ):
        return False
    offset = (day - easter(day.year)).days
    return offset not in (-2, 1, 39, 50, 60)  # Good Friday … Corpus Christi


def _at(day: date, clock: str) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


def _sessions(*slots: tuple[date, str, str, str], units: int | None = None) -> list[EventSession]:
    """Sessions from (day, start, end, title); ``units``: the teaching units of each, where
    breaks make them fewer than the length gives."""
    return [
        EventSession(
            starts_at=_at(d, start), ends_at=_at(d, end), title=title, teaching_units=units
        )
        for d, start, end, title in slots
    ]


def _event(
    kind: str,
    title: str,
    capacity: int,
    sessions: list[EventSession],
    *,
    opens: datetime,
    deadline: timedelta,
    cancel: timedelta,
    sectors: tuple[str, ...] = (),
    **fields: Any,
) -> Event:
    start = sessions[0].starts_at
    return Event(
        kind=kind,
        status="published",
        title=title,
        capacity=capacity,
        sessions=sessions,
        sectors=[EventSector(sector=s) for s in sectors],
        booking_opens_at=min(opens, start - deadline - timedelta(days=1)),
        registration_deadline=start - deadline,
        cancellation_deadline=start - cancel,
        **fields,
    )


def email_part(text: str) -> str:
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("ß", "ss").replace("ı", "i")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@dataclass
class Programme:
    meeting: Event
    conference: Event
    qa: list[Event]
    webinars: list[Event]
    bius: list[Event]
    past_bius: Event
    health_training: Event
    school_training: Event
    lottery: Event
    """An extra date of BIUS I whose seats are drawn at the registration deadline."""
    events: list[Event] = field(default_factory=list)


def build_programme(cal: Calendar, venues: dict[str, Venue], trainer: Member) -> Programme:
    open_now = _at(cal.today - timedelta(days=14), "08:00")
    bezreg, akademie = venues["bezreg"], venues["akademie"]
    netzwerk = OnlineRoom(
        name="Netzwerkraum #sicherimDienst",
        meeting_url="https://meet.sicherimdienst.example/netzwerk",
    )
    webinar_room = OnlineRoom(
        name="Webinarraum Gesundheitswesen",
        meeting_url="https://meet.sicherimdienst.example/webinar",
    )

    day = cal.day(45, WEDNESDAY)
    meeting = _event(
        "network_meeting",
        "Netzwerktreffen: Meldewesen – Übergriffe erfassen, auswerten, vorbeugen",
        80,
        _sessions((day, "09:30", "16:00", "")),
        opens=open_now,
        deadline=timedelta(days=7),
        cancel=timedelta(days=3),
        venue=bezreg,
        room=bezreg.rooms[0],
        summary="Wie melden Beschäftigte Übergriffe, und was macht die Dienststelle daraus? "
        "Praxisbeispiele aus Behörden, Kommunen und Kliniken, dazu vier Workshops.",
        description="Ein funktionierendes Meldewesen ist die Grundlage jeder Gewaltprävention: "
        "Nur was gemeldet wird, kann ausgewertet und verbessert werden. Beim Netzwerktreffen "
        "zeigen Mitglieder, wie sie Vorfälle erfassen, Betroffene begleiten und aus Meldungen "
        "Maßnahmen ableiten.\n\nAm Nachmittag vertiefen Sie das Thema in einem von vier "
        "Workshops mit je eigenen Plätzen. Bitte wählen Sie Ihren Workshop nach der Anmeldung."
        "\n\nDie Teilnahme ist für Mitglieder kostenfrei; für Verpflegung ist gesorgt.",
    )
    for n, (title, summary) in enumerate(
        [
            (
                "Meldewege einrichten – vom Vorfall zur Meldung",
                "Welche Meldewege im Alltag funktionieren: Formulare, "
                "digitale Lösungen, Vorgesetzte.",
            ),
            (
                "Meldungen auswerten und Lagebilder erstellen",
                "Aus Einzelmeldungen ein Lagebild machen: Kategorien, Kennzahlen und Datenschutz.",
            ),
            (
                "Nachsorge für betroffene Beschäftigte",
                "Was Betroffene nach einem Übergriff brauchen: "
                "Erstbetreuung, Beratung, Unfallanzeige.",
            ),
            (
                "Strafantrag durch die Dienststelle",
                "Wann die Dienststelle Strafantrag stellt und wie sie "
                "Beschäftigte im Verfahren stützt.",
            ),
        ],
        start=1,
    ):
        meeting.workshops.append(
            _event(
                "workshop",
                f"Workshop {n}: {title}",
                20,
                _sessions((day, "13:30", "15:00", "")),
                opens=open_now,
                deadline=timedelta(days=7),
                cancel=timedelta(days=3),
                venue=bezreg,
                room=bezreg.rooms[n],
                summary=summary,
            )
        )

    first = cal.day(80, MONDAY, 3)
    conference = _event(
        "conference",
        "Fachtagung #sicherimDienst: Gewaltprävention gemeinsam gestalten",
        120,
        _sessions(
            (first, "10:00", "17:30", "Tag 1: Eröffnung und Fachvorträge"),
            (first + timedelta(days=1), "09:00", "17:00", "Tag 2: Foren"),
            (first + timedelta(days=2), "09:00", "13:00", "Tag 3: Ergebnisse und Ausblick"),
        ),
        opens=open_now,
        deadline=timedelta(days=21),
        cancel=timedelta(days=14),
        venue=akademie,
        room=akademie.rooms[0],
        summary="Drei Tage Fachvorträge, Praxisforen und Austausch über alle Sektoren hinweg – "
        "für alle, die Gewaltprävention in ihrer Organisation voranbringen.",
        description="Die Fachtagung bringt Beschäftigte aus Verwaltung, Schule, "
        "Gesundheitswesen, Polizei, Feuerwehr und Rettungsdienst, Justiz und Hochschulen "
        "zusammen. Am ersten Tag geben Fachvorträge einen Überblick über Lagebilder und "
        "Forschung, am zweiten Tag arbeiten Sie in einem von vier parallelen Foren, der dritte "
        "Tag bündelt die Ergebnisse.\n\nBitte wählen Sie nach der Anmeldung ein Forum. Die "
        "Akademie hält eine begrenzte Zahl an Gästezimmern bereit.",
    )
    for n, title in enumerate(
        [
            "Sicherheitskonzepte für Bürgerbüros und Leistungsbehörden",
            "Gewalt gegen Einsatzkräfte – Feuerwehr und Rettungsdienst",
            "Bedrohungsmanagement an Schulen und Hochschulen",
            "Hass im Netz – Schutz für Beschäftigte, Mandatsträgerinnen und Mandatsträger",
        ],
        start=1,
    ):
        conference.workshops.append(
            _event(
                "workshop",
                f"Forum {n}: {title}",
                30,
                _sessions((first + timedelta(days=1), "13:30", "16:30", "")),
                opens=open_now,
                deadline=timedelta(days=21),
                cancel=timedelta(days=14),
                venue=akademie,
                room=akademie.rooms[n],
            )
        )

    next_month = (cal.today.replace(day=1) + timedelta(days=32)).replace(day=1)
    series = Series(
        title="Frag doch mal das Netzwerk",
        rrule="FREQ=MONTHLY;BYDAY=1WE",
        first_starts_at=_at(next_month, "14:00"),
        duration_minutes=90,
    )
    dates = series_dates(series, len(QA_TOPICS))
    series.first_starts_at = dates[0][0].astimezone(UTC)
    qa = [
        _event(
            "online_qa",
            f"Frag doch mal das Netzwerk: {topic}",
            300,
            [EventSession(starts_at=s.astimezone(UTC), ends_at=e.astimezone(UTC))],
            opens=s.astimezone(UTC) - timedelta(weeks=10),
            deadline=timedelta(hours=2),
            cancel=timedelta(hours=2),
            series=series,
            online_room=netzwerk,
            summary="Ein kurzer fachlicher Impuls, danach beantworten Fachleute aus dem "
            "Netzwerk Ihre Fragen. Live, ohne Aufzeichnung, nur für Mitglieder.",
            description="Jeden ersten Mittwoch im Monat lädt die Geschäftsstelle von 14:00 bis "
            "15:30 Uhr zur offenen Fragestunde ein. Nach einem Impuls von etwa 15 Minuten ist "
            "Zeit für Ihre Fragen und den Austausch mit anderen Mitgliedern.\n\nDie Runde wird "
            "nicht aufgezeichnet, damit offen gesprochen werden kann. Den Zugangslink sehen Sie "
            "nach Ihrer Anmeldung.",
        )
        for topic, (s, e) in zip(QA_TOPICS, dates, strict=True)
    ]

    webinars = [
        _event(
            "webinar",
            f"Webinar: Gewaltschutz im Krankenhaus – für {audience}",
            250,
            _sessions((cal.day(offset, weekday), start, end, "")),
            opens=open_now,
            deadline=timedelta(hours=20),
            cancel=timedelta(hours=20),
            sectors=("gesundheit",),
            online_room=webinar_room,
            summary=summary,
            description="Das Webinar entstand mit Kliniken aus dem Netzwerk. Es richtet sich "
            "an Beschäftigte des Gesundheitswesens. Fragen können Sie während des Webinars im "
            "Chat stellen; eine Aufzeichnung gibt es nicht.",
        )
        for audience, offset, weekday, start, end, summary in [
            (
                "Führungskräfte",
                19,
                TUESDAY,
                "10:00",
                "11:30",
                "Was Klinikleitungen, Pflegedirektionen und Stationsleitungen für den Schutz ihrer "
                "Beschäftigten tun können: Gefährdungsbeurteilung, Sicherheitskonzept, Nachsorge.",
            ),
            (
                "Beschäftigte",
                33,
                THURSDAY,
                "14:00",
                "15:30",
                "Für Pflege, Ärzteschaft, Notaufnahme und Verwaltung: Warnzeichen erkennen, "
                "Situationen entschärfen, Hilfe holen.",
            ),
        ]
    ]

    def bius(index: int, first_day: date, opens: datetime) -> Event:
        code, prerequisite, title, summary = BIUS[index]
        second_day = first_day + timedelta(days=1)
        return _event(
            "training",
            title,
            14,
            _sessions(
                (first_day, "08:30", "16:30", "Tag 1"),
                (second_day, "08:30", "16:30", "Tag 2"),
                units=8,
            ),
            opens=opens,
            deadline=timedelta(days=14),
            cancel=timedelta(days=7),
            seats_per_organisation=2,
            course_code=code,
            prerequisite_code=prerequisite,
            teaching_units=16,
            venue=venues["training"],
            room=venues["training"].rooms[0],
            trainers=[trainer],
            summary=summary,
            description=BIUS_TEXT,
            certificate_content="\n".join(BIUS_CONTENT[code]),
        )

    courses = [
        bius(i, cal.day(offset, TUESDAY, 2), open_now) for i, offset in enumerate((28, 63, 98))
    ]
    past_day = cal.day(-70, TUESDAY, 2)
    past = bius(0, past_day, _at(past_day - timedelta(days=60), "08:00"))

    health = _event(
        "training",
        "Deeskalationstraining für Beschäftigte im Gesundheitswesen",
        12,
        _sessions((cal.day(40, THURSDAY), "09:00", "16:30", ""), units=8),
        opens=open_now,
        deadline=timedelta(days=10),
        cancel=timedelta(days=7),
        sectors=("gesundheit",),
        course_code="DEESK-GES",
        teaching_units=8,
        venue=venues["klinik"],
        room=venues["klinik"].rooms[0],
        trainers=[trainer],
        summary="Praxisnahes Training für Pflege, Ärzteschaft und Notaufnahme, entwickelt mit "
        "den Ärztekammern und einem Klinikum. Nur für Beschäftigte des Gesundheitswesens.",
        description="Schwerpunkte sind Warnsignale, Sprache und Haltung in angespannten "
        "Situationen, sichere Positionierung im Patientenzimmer, Absprachen im Team und die "
        "Alarmierung. Die Anerkennung als ärztliche Fortbildung ist beantragt; bitte halten Sie "
        "Ihre Fortbildungsnummer bereit.",
    )
    school = _event(
        "training",
        "Sicher im Schulalltag: Deeskalation für Lehrkräfte und Schulsozialarbeit",
        16,
        _sessions((cal.day(50, MONDAY), "09:00", "15:30", ""), units=8),
        opens=open_now,
        deadline=timedelta(days=10),
        cancel=timedelta(days=7),
        sectors=("schule",),
        requires_release=True,
        course_code="SCHULE-DEESK",
        teaching_units=8,
        venue=venues["schulamt"],
        room=venues["schulamt"].rooms[0],
        summary="Konflikte mit Schülerinnen, Schülern und Eltern entschärfen, Bedrohungen "
        "einschätzen, Hilfe organisieren. Nur für Beschäftigte an Schulen, mit Freigabe durch "
        "die eigene Schule.",
        description="Das Training verbindet kurze Impulse mit Übungen aus dem Schulalltag. "
        "Sie erarbeiten, wie Ihre Schule bei Bedrohungen handelt und wer im Ernstfall was tut.",
    )
    # The popular BIUS I once more, its seats drawn after the deadline and spread across the
    # organisations instead of going to the fastest clickers.
    lottery = bius(0, cal.day(84, TUESDAY, 2), open_now)
    lottery.title += " (Zusatztermin, Plätze per Los)"
    lottery.allocation = "draw"
    ensure_draw_salt(lottery)
    programme = Programme(meeting, conference, qa, webinars, courses, past, health, school, lottery)
    programme.events = [
        meeting, conference, *qa, *webinars, *courses, past, health, school, lottery
    ]  # fmt: skip
    return programme
