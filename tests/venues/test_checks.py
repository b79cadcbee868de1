"""The accessibility rule and the checks of what organisers enter (no database)."""

from __future__ import annotations

import pytest

from venues import checks, messages


def facts(notes: str = "", **ticked: bool) -> dict[str, str]:
    return checks.check_accessibility(
        step_free=ticked.get("step_free", False),
        hearing_loop=ticked.get("hearing_loop", False),
        accessible_toilet=ticked.get("accessible_toilet", False),
        notes=notes,
    )


def test_a_barrier_free_toilet_needs_step_free_access() -> None:
    assert facts(accessible_toilet=True) == {"accessible_toilet": messages.TOILET_NEEDS_STEP_FREE}
    assert facts(accessible_toilet=True, step_free=True) == {}
    assert facts(step_free=True, hearing_loop=True) == {}
    assert facts() == {}


@pytest.mark.parametrize(
    ("notes", "word"),
    [
        ("Stufenloser Zugang über den Seiteneingang.", "Stufenloser"),
        ("Der Eingang ist ebenerdig.", "ebenerdig"),
        ("Das Haus ist barrierefrei.", "barrierefrei"),
        ("Rollstuhlgerechter Eingang am Hof", "Rollstuhlgerechter"),
        # a negation in an earlier clause does not reach over the full stop
        ("Einen Aufzug gibt es nicht. Stufenlos über die Rampe.", "Stufenlos"),
    ],
)
def test_notes_may_not_claim_step_free_access_alone(notes: str, word: str) -> None:
    assert facts(notes) == {"accessibility_notes": messages.NOTES_CLAIM_STEP_FREE.format(word=word)}
    assert facts(notes, step_free=True) == {}


@pytest.mark.parametrize(
    "notes",
    [
        "Der Zugang ist nicht stufenlos: drei Stufen am Eingang.",
        "Kein stufenloser Zugang, keine Induktionsschleife, kein barrierefreies WC.",
        "Leider nicht barrierefrei; ohne Induktionsschleife.",
        "Die Trainingshalle ist über eine Rampe erreichbar; die Umkleiden liegen im "
        "Untergeschoss und sind nur über eine Treppe zugänglich.",
        "",
    ],
)
def test_negations_and_plain_descriptions_claim_nothing(notes: str) -> None:
    assert facts(notes) == {}


@pytest.mark.parametrize(
    ("notes", "word"),
    [
        ("Induktionsschleife im Plenarsaal", "Induktionsschleife"),
        ("Eine induktive Höranlage ist vorhanden.", "induktive"),
        ("Hörschleife in Raum 2", "Hörschleife"),
    ],
)
def test_notes_may_not_claim_a_hearing_loop_alone(notes: str, word: str) -> None:
    claim = {"accessibility_notes": messages.NOTES_CLAIM_HEARING_LOOP.format(word=word)}
    assert facts(notes, step_free=True) == claim
    assert facts(notes, step_free=True, hearing_loop=True) == {}


@pytest.mark.parametrize(
    ("notes", "word"),
    [
        ("Aufzug, barrierefreies WC im Erdgeschoss.", "barrierefreies WC"),
        ("Behinderten-WC im Keller", "Behinderten-WC"),
        ("Eine rollstuhlgerechte Toilette gibt es.", "rollstuhlgerechte Toilette"),
        ("Behindertentoilette im 1. OG", "Behindertentoilette"),
    ],
)
def test_notes_may_not_claim_a_barrier_free_toilet_alone(notes: str, word: str) -> None:
    claim = {"accessibility_notes": messages.NOTES_CLAIM_TOILET.format(word=word)}
    assert facts(notes, step_free=True) == claim
    assert facts(notes, step_free=True, accessible_toilet=True) == {}


def test_both_contradictions_are_named_at_once() -> None:
    found = facts("Barrierefreies WC im Erdgeschoss", accessible_toilet=True)
    assert set(found) == {"accessible_toilet", "accessibility_notes"}


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://konferenz.example/raum-4711", True),
        ("https://meet.example:8443/a?b=c", True),
        ("http://konferenz.example/raum", False),
        ("https://", False),
        ("https://konferenz.example/raum 1", False),
        ("https://konferenz.example/\x00", False),
        ("javascript:alert(1)", False),
        ("https://[::1", False),
        ("https://x.example/" + "a" * 500, False),
    ],
)
def test_meeting_urls(url: str, ok: bool) -> None:
    errors: dict[str, str] = {}
    checks.clean_meeting_url(url, errors)
    assert (errors == {}) is ok, errors


@pytest.mark.parametrize(
    ("code", "ok"),
    [("48143", True), (" 48143 ", True), ("4814", False), ("481433", False), ("4814a", False),
     ("٤٨١٤٣", False), ("48\x0043", False)],
)  # fmt: skip
def test_postal_codes_are_five_ascii_digits(code: str, ok: bool) -> None:
    errors: dict[str, str] = {}
    checks.clean_postal_code(code, errors)
    assert (errors == {}) is ok
