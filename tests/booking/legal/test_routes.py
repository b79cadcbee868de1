"""The legal pages render the operator's settings and the retention periods the job applies;
every page links them in its footer."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.app import create_app
from booking.mail.models import OutboxMessage
from booking.privacy.rules import rules
from booking.settings import Operator, Retention
from tests import conftest, factories
from tests.mail import mail_settings, send
from tests.smtp import SmtpServer, text_body
from tests.web import csrf_token

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


# -- feedback on accessibility ------------------------------------------------------------------


async def test_feedback_reaches_the_organisers_and_the_sender_gets_a_receipt(
    legal_client: httpx.AsyncClient,
    db: AsyncSession,
    engine: AsyncEngine,
    smtp: SmtpServer,
    tmp_path: Path,
) -> None:
    organiser = await factories.member(db, role="organiser")
    page = await legal_client.get("/barrierefreiheit")
    assert page.status_code == 200 and 'name="message"' in page.text
    sent = await legal_client.post(
        "/barrierefreiheit",
        data={
            "csrf_token": csrf_token(page.text),
            "message": "Die Tabelle der Warteliste\nlässt sich mit dem Screenreader nicht lesen.",
            "page": "/verwaltung/veranstaltungen/1",
            "name": "Ute Beispiel",
            "email": "Ute@Beispiel.example",
        },
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/barrierefreiheit/danke"
    assert (await legal_client.get("/barrierefreiheit/danke")).status_code == 200
    assert await send(engine, mail_settings(engine, smtp.port, tmp_path)) == 2
    to_office, receipt = smtp.inbox.wait_for(2, timeout=15)
    assert to_office["To"] == organiser.email
    assert to_office["Subject"] == (
        "Rückmeldung zur Barrierefreiheit: /verwaltung/veranstaltungen/1"
    )
    assert "mit dem Screenreader nicht lesen" in text_body(to_office)
    assert "ute@beispiel.example" in text_body(to_office)
    assert receipt["To"] == "ute@beispiel.example"
    assert receipt["Subject"] == "Eingangsbestätigung: Ihre Rückmeldung zur Barrierefreiheit"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"message": ""}, "Bitte beschreiben Sie"),
        ({"message": "x" * 5001}, "Höchstens 5000 Zeichen"),
        ({"message": "a\x00b"}, "Steuerzeichen"),
        ({"message": "Kontrast", "email": "keine-adresse"}, "E-Mail-Adresse an"),
        ({"message": "Kontrast", "name": "Ute\nBeispiel"}, "eine Zeile"),
    ],
)
async def test_feedback_refuses_bad_input_in_german(
    legal_client: httpx.AsyncClient, db: AsyncSession, data: dict[str, str], message: str
) -> None:
    await factories.member(db, role="organiser")
    page = await legal_client.get("/barrierefreiheit")
    refused = await legal_client.post(
        "/barrierefreiheit", data={"csrf_token": csrf_token(page.text), **data}
    )
    assert refused.status_code == 422
    assert message in html.unescape(refused.text)
    await db.commit()
    assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    forged = await legal_client.post("/barrierefreiheit", data={"message": "Kontrast"})
    assert forged.status_code == 400
