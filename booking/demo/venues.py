"""The demo's venues: a district government, an academy, a training centre, a hospital and
a school office, with their rooms and accessibility."""

from __future__ import annotations

from venues.models import Room, Venue


def build_venues() -> dict[str, Venue]:
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
            accessible_toilet=True,
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
            accessible_toilet=True,
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
            accessible_toilet=True,
            accessibility_notes="Stufenloser Zugang, Aufzug, barrierefreies WC in jeder Etage. "
            "Mobile Höranlage auf Anfrage.",
            rooms=rooms(("Großer Seminarraum", 20)),
        ),
    }
