"""The people and places of the large benchmark database: organisations with their sectors
and mail domains, members, venues with rooms, online rooms.

Rows are plain dicts with explicit ids, written in bulk by ``large_seed``. Every name is
invented and every address uses the reserved ``.example`` domain.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from booking.demo.programme import email_part

Row = dict[str, Any]

CITIES = [  # city, Regierungsbezirk
    ("Arnsberg", "Arnsberg"),
    ("Bochum", "Arnsberg"),
    ("Dortmund", "Arnsberg"),
    ("Hagen", "Arnsberg"),
    ("Hamm", "Arnsberg"),
    ("Herne", "Arnsberg"),
    ("Iserlohn", "Arnsberg"),
    ("Siegen", "Arnsberg"),
    ("Soest", "Arnsberg"),
    ("Bielefeld", "Detmold"),
    ("Detmold", "Detmold"),
    ("Gütersloh", "Detmold"),
    ("Herford", "Detmold"),
    ("Minden", "Detmold"),
    ("Paderborn", "Detmold"),
    ("Duisburg", "Düsseldorf"),
    ("Düsseldorf", "Düsseldorf"),
    ("Essen", "Düsseldorf"),
    ("Krefeld", "Düsseldorf"),
    ("Mönchengladbach", "Düsseldorf"),
    ("Mülheim an der Ruhr", "Düsseldorf"),
    ("Neuss", "Düsseldorf"),
    ("Oberhausen", "Düsseldorf"),
    ("Solingen", "Düsseldorf"),
    ("Wuppertal", "Düsseldorf"),
    ("Aachen", "Köln"),
    ("Bergisch Gladbach", "Köln"),
    ("Bonn", "Köln"),
    ("Düren", "Köln"),
    ("Euskirchen", "Köln"),
    ("Köln", "Köln"),
    ("Leverkusen", "Köln"),
    ("Siegburg", "Köln"),
    ("Bottrop", "Münster"),
    ("Borken", "Münster"),
    ("Coesfeld", "Münster"),
    ("Gelsenkirchen", "Münster"),
    ("Münster", "Münster"),
    ("Recklinghausen", "Münster"),
    ("Steinfurt", "Münster"),
    ("Warendorf", "Münster"),
]

SECTOR_ORGANISATIONS = {  # sector: (weight, kinds of organisation)
    "verwaltung": (30, ("Stadt", "Kreis", "Bürgeramt", "Ordnungsamt", "Ausländerbehörde")),
    "soziales": (8, ("Jobcenter", "Sozialamt", "Jugendamt", "Familienkasse")),
    "schule": (15, ("Gesamtschule", "Gymnasium", "Realschule", "Berufskolleg", "Schulamt")),
    "hochschule": (4, ("Universität", "Hochschule", "Studierendenwerk")),
    "gesundheit": (12, ("Klinikum", "Krankenhaus", "Gesundheitsamt", "LWL-Klinik")),
    "polizei": (7, ("Polizeipräsidium", "Kreispolizeibehörde")),
    "feuerwehr": (8, ("Feuerwehr", "Freiwillige Feuerwehr")),
    "rettungsdienst": (5, ("Rettungsdienst", "Rettungswache")),
    "thw": (4, ("THW Ortsverband",)),
    "justiz": (7, ("Amtsgericht", "Landgericht", "Staatsanwaltschaft", "Justizvollzugsanstalt")),
}
DISTRICTS = ("Mitte", "Nord", "Süd", "Ost", "West")

FIRST_NAMES = (  # noqa: SIM905 (a list of names reads best as one text)
    "Anna Andreas Aylin Birgit Christian Claudia Daniel Dennis Elif Emma Felix Frank "
    "Hannah Ines Jan Jana Jonas Julia Jörg Katharina Kevin Laura Lea Lukas Maria Markus "
    "Mehmet Melanie Michael Miriam Nadine Nicole Niklas Oliver Paul Petra Sabine Sandra "
    "Sebastian Sophie Stefan Susanne Thomas Tobias Ulrike Yusuf Zeynep"
).split()
LAST_NAMES = (  # noqa: SIM905 (a list of names reads best as one text)
    "Bauer Becker Berg Brinkmann Çelik Demir Fischer Hartmann Hoffmann Jansen Kaya Klein "
    "Koch Kowalski Krämer Krüger Lange Lücke Meier Müller Neumann Peters Pohl Richter "
    "Schäfer Schmidt Schmitz Scholz Schröder Schulte Schulz Sommer Vogt Wagner Weber Wolff "
    "Wübbeling Yılmaz Zimmermann"
).split()
FUNCTIONS = (
    "Sachbearbeitung",
    "Teamleitung",
    "Personalentwicklung",
    "Arbeitsschutz",
    "Kommunaler Ordnungsdienst",
    "Pflege",
    "Lehrkraft",
    "Schulsozialarbeit",
    "Notfallsanitäter",
    "Wachtmeisterei",
    "Sicherheitsbeauftragte",
    "Abteilungsleitung",
)
VENUE_KINDS = (
    "Bezirksregierung",
    "Kreishaus",
    "Rathaus",
    "Fortbildungsakademie",
    "Bildungszentrum",
    "Polizeipräsidium",
    "Klinikum",
    "Schulamt",
)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", email_part(text)).strip("-")


@dataclass
class People:
    """The rows, and what the programme and the bookings need to know about them."""

    organisations: list[Row] = field(default_factory=list)
    domains: list[Row] = field(default_factory=list)
    members: list[Row] = field(default_factory=list)
    venues: list[Row] = field(default_factory=list)
    rooms: list[Row] = field(default_factory=list)
    online_rooms: list[Row] = field(default_factory=list)
    member_org: dict[int, int] = field(default_factory=dict)
    member_email: dict[int, str] = field(default_factory=dict)
    org_sector: dict[int, str] = field(default_factory=dict)
    by_sector: dict[str, list[int]] = field(default_factory=dict)
    """Member ids by their organisation's sector."""
    trainers: list[int] = field(default_factory=list)
    rooms_of_venue: dict[int, list[Row]] = field(default_factory=dict)
    venue_region: dict[int, str] = field(default_factory=dict)


def build_people(rng: random.Random, organisations: int, members: int, since: datetime) -> People:
    people = People()
    _organisations(rng, people, organisations, since)
    _members(rng, people, members, since)
    _venues(rng, people, since)
    return people


def _organisations(rng: random.Random, people: People, count: int, since: datetime) -> None:
    sectors = list(SECTOR_ORGANISATIONS)
    weights = [SECTOR_ORGANISATIONS[s][0] for s in sectors]
    names: set[str] = set()
    taken_domains: set[str] = set()
    for org_id in range(1, count + 1):
        sector = rng.choices(sectors, weights)[0]
        city, region = rng.choice(CITIES)
        base = f"{rng.choice(SECTOR_ORGANISATIONS[sector][1])} {city}"
        candidates = [base, *(f"{base}-{d}" for d in DISTRICTS)]
        name = next((c for c in candidates if c not in names), None)
        number = 2
        while name is None:
            name = f"{base} {number}" if f"{base} {number}" not in names else None
            number += 1
        names.add(name)
        created = since + timedelta(days=rng.uniform(0, 3000))
        people.organisations.append(
            {"id": org_id, "name": name, "sector": sector, "region": region, "created_at": created}
        )
        people.org_sector[org_id] = sector
        domains = [f"{slug(name)}.example"]
        if rng.random() < 0.25:
            domains.append(f"{slug(name)}.nrw.example")
        for domain in domains:
            if domain not in taken_domains:
                taken_domains.add(domain)
                people.domains.append({"domain": domain, "organisation_id": org_id})


def _members(rng: random.Random, people: People, count: int, since: datetime) -> None:
    org_ids = [o["id"] for o in people.organisations]
    size = [rng.paretovariate(1.3) for _ in org_ids]  # a few large authorities, many small
    domain_of: dict[int, str] = {}
    for row in people.domains:
        domain_of.setdefault(row["organisation_id"], row["domain"])
    emails: set[str] = set()
    for member_id, org_id in enumerate(rng.choices(org_ids, size, k=count), start=1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local_part, number = f"{email_part(first)}.{email_part(last)}", 1
        email = f"{local_part}@{domain_of[org_id]}"
        while email in emails:
            number += 1
            email = f"{local_part}{number}@{domain_of[org_id]}"
        emails.add(email)
        created = since + timedelta(days=rng.uniform(0, 365))
        role = "member"
        if member_id <= 5:
            role = "organiser"
        elif member_id <= 45:
            role = "trainer"
            people.trainers.append(member_id)
        people.members.append(
            {
                "id": member_id,
                "email": email,
                "first_name": first,
                "last_name": last,
                "function": "Geschäftsstelle #sicherimDienst"
                if role == "organiser"
                else rng.choice(FUNCTIONS),
                "organisation_id": org_id,
                "organisation_name_given": "",
                "status": "active",
                "role": role,
                "created_at": created,
                "approved_at": created,
                "calendar_token": None,
            }
        )
        people.member_org[member_id] = org_id
        people.member_email[member_id] = email
        people.by_sector.setdefault(people.org_sector[org_id], []).append(member_id)


def _accessibility(step_free: bool, hearing_loop: bool) -> dict[str, object]:
    """Facts that agree with each other (venues.checks): the notes claim only what is set."""
    if step_free:
        notes = "Stufenloser Zugang über den Haupteingang, Aufzug zu allen Etagen, "
        notes += "barrierefreies WC im Erdgeschoss."
    else:
        notes = "Nicht stufenlos: drei Stufen am Eingang, kein Aufzug."
    if hearing_loop:
        notes += " Induktionsschleife im großen Saal."
    return {
        "step_free": step_free,
        "hearing_loop": hearing_loop,
        "accessible_toilet": step_free,
        "accessibility_notes": notes,
    }


def _venues(rng: random.Random, people: People, since: datetime) -> None:
    room_id = 0
    for venue_id, (city, region) in enumerate(CITIES * 2, start=1):
        kind = VENUE_KINDS[(venue_id - 1) % len(VENUE_KINDS)]
        people.venues.append(
            {
                "id": venue_id,
                "name": f"{kind} {city}",
                "street": f"{rng.choice(('Domplatz', 'Hauptstraße', 'Ring', 'Markt'))} "
                f"{rng.randint(1, 80)}",
                "postcode": f"{rng.randint(32000, 59999)}",
                "city": city,
                "region": region,
                **_accessibility(rng.random() < 0.8, rng.random() < 0.4),
            }
        )
        people.venue_region[venue_id] = region
        hall = 400 if venue_id == 1 else rng.choice((90, 120, 150, 200))
        sizes = [hall, *(rng.choice((16, 20, 24, 32, 40)) for _ in range(rng.randint(2, 5)))]
        rooms = []
        for n, capacity in enumerate(sizes):
            room_id += 1
            name = "Großer Saal" if n == 0 else f"Seminarraum {n}"
            rooms.append({"id": room_id, "venue_id": venue_id, "name": name, "capacity": capacity})
        people.rooms.extend(rooms)
        people.rooms_of_venue[venue_id] = rooms
    for n in range(1, 11):
        people.online_rooms.append(
            {
                "id": n,
                "name": f"Online-Raum {n} #sicherimDienst",
                "meeting_url": f"https://meet.sicherimdienst.example/raum-{n}",
                "dial_in": f"+49 251 000{n:02d} 00",
            }
        )
