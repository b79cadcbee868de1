"""The demo programme: the network's year relative to ``now``, so it always lies ahead.

``sid demo`` loads it into an empty database. Every address uses a reserved ``.example``
domain, so nothing here can reach a real person. Seats are taken through
:func:`booking.services.book`, as a member would; the confirmation mails this writes to the
outbox are removed again, because nobody is there to read them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.easter import easter
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.formatting import BERLIN
from booking.mail.models import OutboxMessage
from booking.members.models import Member, Organisation, OrganisationDomain
from booking.models import Booking
from booking.services import book
from courses.models import Event, EventSector, EventSession, Series
from courses.services import series_dates
from materials.models import MaterialItem
from venues.models import OnlineRoom, Room, Venue

ORGANISER_EMAIL = "geschaeftsstelle@polizei-muenster.example"
TRAINER_EMAIL = "trainerin@polizei-recklinghausen.example"
MONDAY, TUESDAY, WEDNESDAY, THURSDAY = 0, 1, 2, 3

ORGANISATIONS = [  # name, sector, Regierungsbezirk, e-mail domain
    ("Polizeipräsidium Münster", "polizei", "Münster", "polizei-muenster.example"),
    ("Polizeipräsidium Recklinghausen", "polizei", "Münster", "polizei-recklinghausen.example"),
    ("Stadt Münster", "verwaltung", "Münster", "stadt-muenster.example"),
    ("Stadt Gelsenkirchen", "verwaltung", "Münster", "gelsenkirchen.example"),
    ("Bezirksregierung Detmold", "verwaltung", "Detmold", "bezreg-detmold.example"),
    ("Kreis Gütersloh", "verwaltung", "Detmold", "kreis-guetersloh.example"),
    ("Universität Paderborn", "hochschule", "Detmold", "uni-paderborn.example"),
    ("Klinikum Bochum", "gesundheit", "Arnsberg", "klinikum-bochum.example"),
    ("Amtsgericht Hagen", "justiz", "Arnsberg", "ag-hagen.example"),
    ("Gesamtschule Dortmund-Nord", "schule", "Arnsberg", "gesamtschule-dortmund.example"),
    ("Feuerwehr Essen", "feuerwehr", "Düsseldorf", "feuerwehr-essen.example"),
    ("Landgericht Düsseldorf", "justiz", "Düsseldorf", "lg-duesseldorf.example"),
    ("Jobcenter Wuppertal", "verwaltung", "Düsseldorf", "jobcenter-wuppertal.example"),
    ("Uniklinik Köln", "gesundheit", "Köln", "uk-koeln.example"),
    ("Berufskolleg Bonn-Duisdorf", "schule", "Köln", "bk-bonn.example"),
    ("Feuerwehr Aachen", "feuerwehr", "Köln", "feuerwehr-aachen.example"),
]

MEMBERS = [  # first name, last name, function, e-mail domain of the organisation
    ("Jana", "Schulte", "Sachgebietsleitung Bürgerbüro", "stadt-muenster.example"),
    ("Thomas", "Wübbeling", "Kommunaler Ordnungsdienst", "stadt-muenster.example"),
    ("Dennis", "Kaya", "Notfallsanitäter", "feuerwehr-essen.example"),
    ("Mehmet", "Yılmaz", "Arbeitsvermittlung", "jobcenter-wuppertal.example"),
    ("Sabine", "Krämer", "Teamleitung Leistungsgewährung", "jobcenter-wuppertal.example"),
    ("Katharina", "Hoffmann", "Personalentwicklung", "bezreg-detmold.example"),
    ("Stefan", "Brinkmann", "Arbeitsschutz", "bezreg-detmold.example"),
    ("Anja", "Lücke", "Ausländerbehörde", "kreis-guetersloh.example"),
    ("Jörg", "Meier", "Sozialamt", "kreis-guetersloh.example"),
    ("Lea", "Becker", "Stabsstelle Sicherheit", "uni-paderborn.example"),
    ("Paul", "Neumann", "Studierendensekretariat", "uni-paderborn.example"),
    ("Miriam", "Çelik", "Pflegedirektion", "klinikum-bochum.example"),
    ("Tobias", "Schäfer", "Pflege, Zentrale Notaufnahme", "klinikum-bochum.example"),
    ("Nadine", "Kowalski", "Stationsleitung Psychiatrie", "klinikum-bochum.example"),
    ("Frank", "Wagner", "Wachtmeisterei", "ag-hagen.example"),
    ("Ulrike", "Sommer", "Geschäftsleitung", "ag-hagen.example"),
    ("Aylin", "Demir", "Schulsozialarbeit", "gesamtschule-dortmund.example"),
    ("Markus", "Lange", "Schulleitung", "gesamtschule-dortmund.example"),
    ("Christina", "Vogt", "Vorbeugender Brandschutz", "feuerwehr-essen.example"),
    ("Oliver", "Klein", "Justizwachtmeisterei", "lg-duesseldorf.example"),
    ("Petra", "Hartmann", "Verwaltungsleitung", "lg-duesseldorf.example"),
    ("Laura", "Fischer", "Ärztin, Zentrale Notaufnahme", "uk-koeln.example"),
    ("Johannes", "Weber", "Sicherheitsbeauftragter", "uk-koeln.example"),
    ("Hannah", "Richter", "Abteilungsleitung", "bk-bonn.example"),
    ("Sebastian", "Koch", "Beratungslehrkraft", "bk-bonn.example"),
    ("Nicole", "Schmitz", "Praxisanleitung Rettungsdienst", "feuerwehr-aachen.example"),
    ("Kevin", "Berg", "Brandmeister", "feuerwehr-aachen.example"),
    ("Julia", "Wolff", "Bürgerservice", "gelsenkirchen.example"),
    ("Andreas", "Pohl", "Kommunaler Ordnungsdienst", "gelsenkirchen.example"),
    ("Melanie", "Jansen", "Opferschutz", "polizei-muenster.example"),
    ("Michael", "Scholz", "Kriminalprävention", "polizei-recklinghausen.example"),
]

QA_TOPICS = [
    "Hausrecht und Hausverbot in der Dienststelle",
    "Gefährdungsbeurteilung bei Gewalt durch Dritte",
    "Alarmierung und Notrufsysteme am Arbeitsplatz",
    "Nachsorge – was Betroffene nach einem Übergriff brauchen",
    "Strafantrag durch die Dienststelle",
    "Sicher im Außendienst",
    "Bedrohungen per E-Mail und in sozialen Medien",
    "Beratungsräume sicher gestalten",
    "Deeskalation am Telefon",
    "Meldewesen – Vorfälle einfach erfassen",
    "Schutz von Mandatsträgerinnen und Mandatsträgern",
    "Jahresrückblick und Ihre Fragen an das Netzwerk",
]

MATERIALS = [  # name, description, stock, most per order
    (
        "Türkeil #sicherimDienst",
        "Robuster Türkeil für Einsatzkräfte von Polizei, Feuerwehr, Rettungsdienst und THW: "
        "hält Türen während eines Einsatzes offen und sichert den Rückzugsweg.",
        2400,
        200,
    ),
    (
        "Taschenkarte „Schule“",
        "Kompakte Karte für Lehrkräfte und Schulpersonal: Warnsignale erkennen, richtig "
        "handeln in Bedrohungslagen, wichtige Rufnummern.",
        6000,
        500,
    ),
    (
        "Taschenkarte für Mandatsträgerinnen und Mandatsträger",
        "Hinweise für kommunale Mandatsträgerinnen und Mandatsträger: Umgang mit Anfeindungen "
        "und Hass im Netz, Ansprechstellen bei der Polizei.",
        3500,
        300,
    ),
    (
        "Präventionsleitfaden #sicherimDienst",
        "Der Leitfaden des Netzwerks für Dienststellen: Gefährdungsbeurteilung, bauliche und "
        "organisatorische Maßnahmen, Meldewesen und Nachsorge. Gedruckt, DIN A4.",
        900,
        25,
    ),
]

BIUS_TEXT = (
    "BIUS – das Berufsspezifische Interventions- und Sicherheitstraining – wurde vom "
    "Polizeipräsidium Recklinghausen für Beschäftigte im öffentlichen Dienst entwickelt. Es "
    "besteht aus drei aufeinander aufbauenden Modulen mit je zwei Trainingstagen "
    "(16 Unterrichtseinheiten).\n\n"
    "Bitte bringen Sie bequeme Kleidung und Hallenschuhe mit. Die Anwesenheit wird an beiden "
    "Tagen erfasst; wer an beiden Tagen teilgenommen hat, erhält eine Teilnahmebescheinigung.\n\n"
    "Je Organisation können höchstens zwei Beschäftigte einen Platz erhalten."
)
BIUS = [  # course code, prerequisite, title, summary
    (
        "BIUS-I",
        None,
        "BIUS I: Grundlagen der Eigensicherung und Deeskalation",
        "Konflikte früh erkennen, Abstand wahren, deeskalierend sprechen und sich aus Griffen "
        "lösen – zwei Trainingstage in kleiner Gruppe.",
    ),
    (
        "BIUS-II",
        "BIUS-I",
        "BIUS II: Kommunikation in Bedrohungslagen",
        "Aufbaumodul: Gesprächsführung unter Druck, Verhalten bei Bedrohungen, Zusammenarbeit "
        "im Team. Voraussetzung ist die Teilnahme an BIUS I.",
    ),
    (
        "BIUS-III",
        "BIUS-II",
        "BIUS III: Handeln in Gewaltsituationen und Nachsorge",
        "Abschlussmodul: Schutz- und Fluchtmöglichkeiten, Alarmierung, Nachbereitung von "
        "Vorfällen. Voraussetzung ist die Teilnahme an BIUS II.",
    ),
]


class _Calendar:
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


def _sessions(*slots: tuple[date, str, str, str]) -> list[EventSession]:
    return [
        EventSession(starts_at=_at(d, start), ends_at=_at(d, end), title=title)
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


def _email_part(text: str) -> str:
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("ß", "ss").replace("ı", "i")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _venues() -> dict[str, Venue]:
    def rooms(*spec: tuple[str, int]) -> list[Room]:
        return [Room(name=name, capacity=capacity) for name, capacity in spec]

    return {
        "bezreg": Venue(
            name="Bezirksregierung Münster",
            street="Domplatz 1–3",
            postcode="48143",
            city="Münster",
            region="Münster",
            step_free=True,
            hearing_loop=True,
            accessibility_notes="Stufenloser Zugang über den Seiteneingang am Geisbergweg, "
            "Aufzug zu allen Etagen, barrierefreies WC im Erdgeschoss. Induktionsschleife im "
            "Plenarsaal.",
            rooms=rooms(
                ("Plenarsaal", 90),
                ("Sitzungsraum 101", 24),
                ("Sitzungsraum 102", 24),
                ("Sitzungsraum 201", 22),
                ("Sitzungsraum 202", 22),
            ),
        ),
        "akademie": Venue(
            name="Fortbildungsakademie Mont-Cenis",
            street="Mont-Cenis-Platz 1",
            postcode="44627",
            city="Herne",
            region="Arnsberg",
            step_free=True,
            hearing_loop=True,
            accessibility_notes="Ebenerdiger Eingang, Aufzüge, barrierefreie Gästezimmer. "
            "Induktionsschleife im Forum. Haltestelle „Mont-Cenis“ direkt vor dem Haus.",
            rooms=rooms(
                ("Forum", 150),
                ("Seminarraum 1", 32),
                ("Seminarraum 2", 32),
                ("Seminarraum 3", 32),
                ("Seminarraum 4", 32),
            ),
        ),
        "training": Venue(
            name="Polizeipräsidium Recklinghausen, Trainingszentrum",
            street="Westring 15",
            postcode="45659",
            city="Recklinghausen",
            region="Münster",
            step_free=False,
            accessibility_notes="Die Trainingshalle ist über eine Rampe erreichbar; die "
            "Umkleiden liegen im Untergeschoss und sind nur über eine Treppe zugänglich. "
            "Bitte sprechen Sie uns an, wir finden eine Lösung.",
            rooms=rooms(("Trainingshalle", 16), ("Seminarraum", 20)),
        ),
        "klinik": Venue(
            name="Bildungszentrum am Klinikum Bochum",
            street="Alexandrinenstraße 5",
            postcode="44791",
            city="Bochum",
            region="Arnsberg",
            step_free=True,
            accessibility_notes="Stufenloser Zugang, Aufzug, barrierefreies WC. "
            "Behindertenparkplätze im Parkhaus P2.",
            rooms=rooms(("Übungsraum 3", 14)),
        ),
        "schulamt": Venue(
            name="Schulamt für die Stadt Köln, Fortbildungszentrum",
            street="Willy-Brandt-Platz 3",
            postcode="50679",
            city="Köln",
            region="Köln",
            step_free=True,
            hearing_loop=True,
            accessibility_notes="Stufenloser Zugang, Aufzug, barrierefreies WC in jeder Etage. "
            "Mobile Höranlage auf Anfrage.",
            rooms=rooms(("Großer Seminarraum", 20)),
        ),
    }


@dataclass
class _Programme:
    meeting: Event
    conference: Event
    qa: list[Event]
    webinars: list[Event]
    bius: list[Event]
    past_bius: Event
    health_training: Event
    school_training: Event
    events: list[Event] = field(default_factory=list)


def _programme(cal: _Calendar, venues: dict[str, Venue], trainer: Member) -> _Programme:
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
                (first_day, "08:30", "16:30", "Tag 1"), (second_day, "08:30", "16:30", "Tag 2")
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
        _sessions((cal.day(40, THURSDAY), "09:00", "16:30", "")),
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
        _sessions((cal.day(50, MONDAY), "09:00", "15:30", "")),
        opens=open_now,
        deadline=timedelta(days=10),
        cancel=timedelta(days=7),
        sectors=("schule",),
        course_code="SCHULE-DEESK",
        teaching_units=8,
        venue=venues["schulamt"],
        room=venues["schulamt"].rooms[0],
        summary="Konflikte mit Schülerinnen, Schülern und Eltern entschärfen, Bedrohungen "
        "einschätzen, Hilfe organisieren. Nur für Beschäftigte an Schulen.",
        description="Das Training verbindet kurze Impulse mit Übungen aus dem Schulalltag. "
        "Sie erarbeiten, wie Ihre Schule bei Bedrohungen handelt und wer im Ernstfall was tut.",
    )
    programme = _Programme(meeting, conference, qa, webinars, courses, past, health, school)
    programme.events = [meeting, conference, *qa, *webinars, *courses, past, health, school]
    return programme


def _people(orgs: dict[str, Organisation]) -> tuple[Member, Member, list[Member]]:
    organiser = Member(
        email=ORGANISER_EMAIL,
        first_name="Birgit",
        last_name="Lammers",
        function="Geschäftsstelle #sicherimDienst",
        role="organiser",
        organisation=orgs["polizei-muenster.example"],
    )
    trainer = Member(
        email=TRAINER_EMAIL,
        first_name="Sandra",
        last_name="Terhorst",
        function="Trainerin BIUS",
        role="trainer",
        organisation=orgs["polizei-recklinghausen.example"],
    )
    members = [
        Member(
            email=f"{_email_part(first)}.{_email_part(last)}@{domain}",
            first_name=first,
            last_name=last,
            function=function,
            organisation=orgs[domain],
        )
        for first, last, function, domain in MEMBERS
    ]
    return organiser, trainer, members


async def load_demo(session: AsyncSession, now: datetime) -> bool:
    """Load the demo programme into a database without events; False if it had some."""
    if await session.scalar(select(Event.id).limit(1)) is not None:
        return False
    outbox_before = await session.scalar(select(func.max(OutboxMessage.id))) or 0
    orgs = {
        domain: Organisation(
            name=name, sector=sector, region=region, domains=[OrganisationDomain(domain=domain)]
        )
        for name, sector, region, domain in ORGANISATIONS
    }
    organiser, trainer, members = _people(orgs)
    programme = _programme(_Calendar(now), _venues(), trainer)
    session.add_all([*orgs.values(), organiser, trainer, *members, *programme.events])
    session.add_all(
        MaterialItem(name=name, description=text, stock=stock, max_per_order=most)
        for name, text, stock, most in MATERIALS
    )
    await session.flush()
    ids = [m.id for m in members]
    past = programme.past_bius
    booked_at = past.sessions[0].starts_at - timedelta(days=30)
    for member, status in zip(members[:3], ("attended", "attended", "no_show"), strict=True):
        session.add(
            Booking(
                event_id=past.id,
                member_id=member.id,
                organisation_id=member.organisation_id,
                status=status,
                created_at=booked_at,
                confirmed_at=booked_at,
            )
        )
    plan = _booking_plan(programme, ids)
    await session.commit()
    for event_id, member_id in plan:
        await book(session, event_id=event_id, member_id=member_id, now=now)
    # The invented members cannot read mail: drop what the bookings wrote to the outbox.
    await session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
    await session.commit()
    return True


def _booking_plan(p: _Programme, ids: list[int]) -> list[tuple[int, int]]:
    """Who books what, in order. ids[0] attended the past BIUS I and may book BIUS II."""
    health = [ids[i] for i in (11, 12, 13, 21, 22)]
    school = [ids[i] for i in (16, 17, 23, 24)]
    plan = [(p.meeting.id, m) for m in ids[2:24]]
    plan += [(p.meeting.workshops[n % 4].id, m) for n, m in enumerate(ids[2:24])]
    plan += [(p.conference.id, m) for m in ids[6:31]]
    plan += [(p.conference.workshops[n % 4].id, m) for n, m in enumerate(ids[6:31])]
    plan += [(p.bius[0].id, m) for m in ids[3:21]]  # 14 seats: the last ones wait
    plan += [(p.bius[1].id, ids[1])]
    plan += [(p.health_training.id, m) for m in health]
    plan += [(w.id, m) for w in p.webinars for m in health]
    plan += [(p.school_training.id, m) for m in school]
    plan += [(p.qa[0].id, m) for m in ids[::2]] + [(p.qa[1].id, m) for m in ids[1:12]]
    return plan
