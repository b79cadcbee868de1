"""The demo's fixed data: organisations, members, topics, material and the BIUS courses.

Every address uses a reserved ``.example`` domain, so nothing here can reach a real person.
"""

from __future__ import annotations

ORGANISER_EMAIL = "geschaeftsstelle@polizei-muenster.example"
TRAINER_EMAIL = "trainerin@polizei-recklinghausen.example"
COORDINATOR_EMAIL = "schulleitung@gesamtschule-dortmund.example"
"""Releases the school's staff for trainings that need it (the school training does)."""
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
    ("Jobcenter Wuppertal", "soziales", "Düsseldorf", "jobcenter-wuppertal.example"),
    ("Uniklinik Köln", "gesundheit", "Köln", "uk-koeln.example"),
    ("Berufskolleg Bonn-Duisdorf", "schule", "Köln", "bk-bonn.example"),
    ("Feuerwehr Aachen", "feuerwehr", "Köln", "feuerwehr-aachen.example"),
    ("Rettungsdienst Kreis Düren", "rettungsdienst", "Köln", "rettungsdienst-dueren.example"),
    ("THW Ortsverband Bielefeld", "thw", "Detmold", "thw-bielefeld.example"),
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

MATERIALS = [  # name, description, unit, picture, stock, Einsatzkräfte only, yearly limit, low
    (
        "Türkeil #sicherimDienst",
        "Robuster Türkeil für Einsatzkräfte von Polizei, Feuerwehr, Rettungsdienst und THW: "
        "hält Türen während eines Einsatzes offen und sichert den Rückzugsweg.",
        "Stück",
        "tuerkeil.svg",
        2400,
        True,
        200,
        300,
    ),
    (
        "Taschenkarte „Schule“",
        "Kompakte Karte für Lehrkräfte und Schulpersonal: Warnsignale erkennen, richtig "
        "handeln in Bedrohungslagen, wichtige Rufnummern.",
        "Stück",
        "taschenkarte.svg",
        6000,
        False,
        None,
        500,
    ),
    (
        "Taschenkarte für Mandatsträgerinnen und Mandatsträger",
        "Hinweise für kommunale Mandatsträgerinnen und Mandatsträger: Umgang mit Anfeindungen "
        "und Hass im Netz, Ansprechstellen bei der Polizei.",
        "Stück",
        "taschenkarte.svg",
        3500,
        False,
        None,
        300,
    ),
    (
        "Präventionsleitfaden #sicherimDienst",
        "Der Leitfaden des Netzwerks für Dienststellen: Gefährdungsbeurteilung, bauliche und "
        "organisatorische Maßnahmen, Meldewesen und Nachsorge. Gedruckt, DIN A4.",
        "Exemplar",
        "leitfaden.svg",
        900,
        False,
        25,
        100,
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
BIUS_CONTENT = {  # course code: what its certificate lists
    "BIUS-I": (
        "Entstehung von Konflikten und Warnsignale eines Übergriffs",
        "Eigensicherung: Abstand, Position, Fluchtwege",
        "Deeskalierende Sprache und Körpersprache",
        "Lösen aus Griffen und Umklammerungen",
    ),
    "BIUS-II": (
        "Gesprächsführung unter Druck",
        "Verhalten bei Bedrohungen und Drohschreiben",
        "Zusammenarbeit und Absprachen im Team",
    ),
    "BIUS-III": (
        "Schutz- und Fluchtmöglichkeiten in Gewaltsituationen",
        "Alarmierung und Zusammenarbeit mit Polizei und Rettungsdienst",
        "Nachsorge und Nachbereitung von Vorfällen",
    ),
}
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
