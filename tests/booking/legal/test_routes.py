"""The legal pages render the operator's settings and the retention periods the job applies;
every page links them in its footer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from booking.app import create_app
from booking.privacy.rules import rules
from booking.settings import Operator, Retention
from tests import conftest

OPERATOR = Operator(
    name="Polizeipräsidium Beispielstadt",
    address=("Beispielweg 1", "12345 Beispielstadt"),
    phone="0123 4567-0",
    email="poststelle@beispiel.example",
    responsible="Die Polizeipräsidentin",
    dpo_name="Max Datenschutz",
    dpo_email="datenschutz@beispiel.example",
    accessibility_checked="01.12.2025",
    accessibility_gaps=("Die Diagramme der Kennzahlen haben keine Textalternative.",),
)


@pytest.fixture
async def legal_client(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    settings = conftest.test_settings(database_url, tmp_path).with_changes(
        operator=OPERATOR, retention=Retention(sent_mail_days=45, audit_months=18)
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.app.engine.dispose()


async def test_the_imprint_shows_the_operator(legal_client: httpx.AsyncClient) -> None:
    page = (await legal_client.get("/impressum")).text
    expected = ("Polizeipräsidium Beispielstadt", "Beispielweg 1", "12345 Beispielstadt",
                "0123 4567-0", "poststelle@beispiel.example", "Die Polizeipräsidentin")  # fmt: skip
    for text in expected:
        assert text in page
    assert "eintragen]" not in page


async def test_the_privacy_page_names_every_period_from_the_settings(
    legal_client: httpx.AsyncClient,
) -> None:
    page = (await legal_client.get("/datenschutz")).text
    assert "45 Tage nach dem Versand" in page and "90 Tage nach dem Versand" not in page
    assert "18 Monate nach dem Eintrag" in page
    for rule in rules(Retention(sent_mail_days=45, audit_months=18)):
        assert rule.period.replace("„", "&#34;") in page or rule.period in page
    assert "Max Datenschutz" in page and "datenschutz@beispiel.example" in page
    assert "LDI NRW" in page and "Kavalleriestraße 2–4" in page


async def test_the_accessibility_statement(legal_client: httpx.AsyncClient) -> None:
    page = (await legal_client.get("/barrierefreiheit")).text
    assert "teilweise mit den Anforderungen vereinbar" in page
    assert "Die Diagramme der Kennzahlen haben keine Textalternative." in page
    assert "Letzte Überprüfung: 01.12.2025" in page
    assert "Ombudsstelle für barrierefreie Informationstechnik" in page


async def test_the_demo_shows_placeholders_and_every_page_links_the_legal_pages(
    client: httpx.AsyncClient,
) -> None:
    imprint = (await client.get("/impressum")).text
    assert "[Name der Behörde – in OPERATOR_NAME eintragen]" in imprint
    for path in ("/", "/anmelden", "/gibt-es-nicht"):
        page = (await client.get(path)).text
        for link in ('href="/impressum"', 'href="/datenschutz"', 'href="/barrierefreiheit"'):
            assert link in page, (path, link)


def test_operator_settings_from_the_environment() -> None:
    operator = Operator.from_env(
        {"OPERATOR_NAME": "PP Münster", "OPERATOR_ADDRESS": "Friesenring 43 | 48147 Münster",
         "OPERATOR_ACCESSIBILITY_GAPS": ""}
    )  # fmt: skip
    assert operator.name == "PP Münster"
    assert operator.address == ("Friesenring 43", "48147 Münster")
    assert operator.accessibility_gaps == ()
    assert operator.phone == "[Telefonnummer – in OPERATOR_PHONE eintragen]"
