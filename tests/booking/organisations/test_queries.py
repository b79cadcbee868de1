"""Which organisation an organiser's entry names, the close matches offered instead, and the
suggestions for people waiting for approval."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from booking.organisations import queries
from booking.organisations.models import Organisation, OrganisationDomain


async def organisations(db: AsyncSession, *named: tuple[str, str]) -> dict[str, Organisation]:
    """Organisations by name, each with the one domain given."""
    made = {}
    for name, domain in named:
        made[name] = Organisation(name=name, sector="verwaltung", region="Münster")
        made[name].domains.append(OrganisationDomain(domain=domain))
    db.add_all(made.values())
    await db.commit()
    return made


async def test_an_entry_names_an_organisation_by_name_domain_or_address(db: AsyncSession) -> None:
    orgs = await organisations(
        db,
        ("Stadt Münster", "stadt-muenster.example"),
        ("Kreis Borken", "kreis-borken.example"),
    )
    münster = orgs["Stadt Münster"]
    for entry in (
        "Stadt Münster",
        "  stadt   Münster ",
        "STADT Münster",
        "STADT MÜNSTER",  # SQLite's lower() folds only A–Z
        "stadt-muenster.example",
        "@Stadt-Muenster.EXAMPLE",
        "jemand@stadt-muenster.example",
    ):
        match = await queries.find_organisation(db, entry)
        assert (match.organisation, match.candidates) == (münster, []), entry


async def test_the_exact_spelling_wins_and_case_alone_is_ambiguous(db: AsyncSession) -> None:
    orgs = await organisations(
        db, ("Amt Nord", "amt-nord.example"), ("AMT NORD", "amt-nord-2.example")
    )
    assert (await queries.find_organisation(db, "AMT NORD")).organisation == orgs["AMT NORD"]
    match = await queries.find_organisation(db, "amt nord")
    assert match.organisation is None and match.ambiguous
    assert [o.name for o in match.candidates] == ["AMT NORD", "Amt Nord"]


async def test_a_name_and_a_domain_of_two_organisations_is_ambiguous(db: AsyncSession) -> None:
    await organisations(db, ("polizei.example", "pp-a.example"), ("PP B", "polizei.example"))
    match = await queries.find_organisation(db, "Polizei.example")
    assert match.organisation is None and match.ambiguous
    assert {o.name for o in match.candidates} == {"polizei.example", "PP B"}


async def test_an_unknown_entry_offers_at_most_five_close_matches(db: AsyncSession) -> None:
    await organisations(
        db,
        *[(f"Stadt Beispiel {n}", f"beispiel{n}.example") for n in range(8)],
        ("Stadt Münster", "stadt-muenster.example"),
        ("Universitätsklinikum Münster", "ukm.example"),
        ("Bezirksregierung Köln", "brk.example"),
    )
    match = await queries.find_organisation(db, "Stadtverwaltung Münster")
    assert match.organisation is None and not match.ambiguous
    assert [o.name for o in match.candidates] == ["Stadt Münster", "Universitätsklinikum Münster"]
    # a domain nobody owns: its words, umlauts spelt out, find the names
    spelt = await queries.find_organisation(db, "rathaus.stadt-muenster.example")
    assert spelt.candidates[0].name == "Stadt Münster"
    assert len(spelt.candidates) == queries.CLOSE_MATCHES
    many = await queries.find_organisation(db, "Beispiel")
    assert len(many.candidates) == queries.CLOSE_MATCHES
    assert (await queries.find_organisation(db, "Nirgendwo")).candidates == []
    assert (await queries.find_organisation(db, "-1")).candidates == []
    assert (await queries.find_organisation(db, "100%_")).candidates == []
    assert (await queries.find_organisation(db, "KLINIKUM MÜNSTER")).candidates[0].name == (
        "Universitätsklinikum Münster"
    )


async def test_suggestions_come_from_the_domain_then_the_name_given(db: AsyncSession) -> None:
    await organisations(
        db,
        ("Kreis Borken", "kreis-borken.example"),
        ("Stadt Ahaus", "ahaus.example"),
        ("Kreis Düren", "kreis-dueren.example"),
        ("Amt Nord", "amt-nord.example"),
        ("AMT NORD", "amt-nord-2.example"),
    )
    found = await queries.suggestions(
        db,
        [
            ("kreis-borken.example", "Stadt Ahaus"),
            ("privat.example", " stadt  ahaus"),
            ("privat.example", "KREIS DÜREN"),
            ("privat.example", "Kreis D_ren"),
            ("privat.example", "amt nord"),
            ("privat.example", "AMT NORD"),
            ("privat.example", ""),
        ],
    )
    assert [(s.organisation.name, s.by_domain) if s else None for s in found] == [
        ("Kreis Borken", True),
        ("Stadt Ahaus", False),
        ("Kreis Düren", False),
        None,
        None,
        ("AMT NORD", False),
        None,
    ]
