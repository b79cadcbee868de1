"""Facts and German texts of the legal pages that are the same for every operator."""

from __future__ import annotations

SUPERVISORY_AUTHORITY = (
    "Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen (LDI NRW)",
    "Kavalleriestraße 2–4",
    "40213 Düsseldorf",
    "https://www.ldi.nrw.de",
)
"""The supervisory authority for public bodies in NRW (a public fact)."""

OMBUDSSTELLE = (
    "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen",
    "erreichbar über ihre offizielle Website (Suche nach „Ombudsstelle barrierefreie "
    "Informationstechnik NRW“)",
)
