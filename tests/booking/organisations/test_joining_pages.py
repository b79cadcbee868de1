"""The joining pages through the ASGI client, on both databases: the public form (refused
input, CSRF, the same answer for known domains, the rate limit), the confirmation link, the
organisers' queue and answers, the partner list, the Urkunde's verification page and PDF,
and the coordinators' page."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.mail.models import OutboxMessage
from booking.organisations import urkunden
from booking.organisations.models import JoiningApplication, JoiningCertificate, Organisation
from tests import factories
from tests.booking.organisations.test_manage import as_organiser
from tests.web import csrf_token, post_form, sign_in

FORM = "/netzwerkpartner-werden"
GOOD = {
    "name": "Kreis Borken",
    "sector": "verwaltung",
    "region": "Münster",
    "street": "Burloer Straße 93",
    "postal_code": "46325",
    "city": "Borken",
    "head_name": "Dr. Kai Zwicker",
    "head_function": "Landrat",
    "contact_first_name": "Łucja",
    "contact_last_name": "Kowalska",
    "contact_email": "l.kowalska@kreis-borken.example",
    "domains": "kreis-borken.example, @Schulen.Kreis-Borken.example",
    "listed": "y",
}


async def count(db: AsyncSession, model: type) -> int:
    await db.commit()
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def confirm_link(db: AsyncSession) -> str:
    await db.commit()
    mail = await db.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.template == "joining_confirm")
        .order_by(OutboxMessage.id.desc())
    )
    assert mail is not None
    return str(mail.context["link"]).removeprefix("http://testserver")


async def apply_and_confirm(client: httpx.AsyncClient, db: AsyncSession, **changes: str) -> int:
    response = await post_form(client, FORM, FORM, {**GOOD, **changes})
    assert response.status_code == 303, response.text
    page = await client.get(await confirm_link(db))
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text)
    assert token
    response = await client.post(
        f"{FORM}/bestaetigen", data={"csrf_token": csrf_token(page.text), "token": token[1]}
    )
    assert response.status_code == 200, response.text
    await db.commit()
    application_id = await db.scalar(select(func.max(JoiningApplication.id)))
    assert application_id is not None
    return application_id


async def test_the_form_sends_the_link_and_says_what_happens_next(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    page = await client.get(FORM)
    assert page.status_code == 200
    assert 'name="listed"' in page.text and "checked" not in page.text
    response = await post_form(client, FORM, FORM, GOOD)
    assert response.status_code == 303 and response.headers["location"] == f"{FORM}/gesendet"
    sent = await client.get(f"{FORM}/gesendet")
    assert "Bitte bestätigen Sie Ihre Adresse" in sent.text
    [application] = list(await db.scalars(select(JoiningApplication)))
    assert application.domains == ["kreis-borken.example", "schulen.kreis-borken.example"]
    assert application.listed and application.status == "unconfirmed"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Bitte geben Sie den Namen der Organisation an."),
        ({"postal_code": "4632"}, "Postleitzahl aus fünf Ziffern"),
        ({"postal_code": "463251"}, "höchstens 5 Zeichen"),
        ({"domains": "gmail.com", "contact_email": "x@gmail.com"}, "allgemeiner E-Mail-Anbieter"),
        ({"contact_email": "x@anderswo.example"}, "muss zu einer der angegebenen Domains"),
        ({"domains": "kreis borken"}, "gültige E-Mail-Domain"),
        ({"sector": "marine"}, "Keine gültige Auswahl."),
        ({"city": "Bor\x00ken"}, "Steuerzeichen"),
        ({"head_name": "x" * 201}, "höchstens 200 Zeichen"),
    ],
)
async def test_refused_input_is_named_beside_the_field_and_writes_nothing(
    client: httpx.AsyncClient, db: AsyncSession, changes: dict[str, str], message: str
) -> None:
    response = await post_form(client, FORM, FORM, {**GOOD, **changes})
    assert response.status_code == 422
    assert message in response.text and "error-summary" in response.text
    assert await count(db, JoiningApplication) == 0
    assert await count(db, OutboxMessage) == 0


async def test_without_csrf_token_400(client: httpx.AsyncClient, db: AsyncSession) -> None:
    response = await client.post(FORM, data=GOOD)
    assert response.status_code == 400
    assert await count(db, JoiningApplication) == 0


async def test_a_known_domain_gets_the_same_answer(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="kreis-borken.example")
    response = await post_form(client, FORM, FORM, GOOD)
    assert response.status_code == 303 and response.headers["location"] == f"{FORM}/gesendet"


async def test_the_form_is_rate_limited_per_address(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    for _ in range(5):
        assert (await post_form(client, FORM, FORM, GOOD)).status_code == 303
    refused = await post_form(client, FORM, FORM, GOOD)
    assert refused.status_code == 429 and "Zu viele Anfragen" in refused.text
    assert await count(db, JoiningApplication) == 5


async def test_the_link_asks_for_a_click_and_works_once(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await apply_and_confirm(client, db)
    assert (await db.scalar(select(JoiningApplication.status))) == "confirmed"
    link = await confirm_link(db)
    page = await client.get(link)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text)
    assert token
    again = await client.post(
        f"{FORM}/bestaetigen", data={"csrf_token": csrf_token(page.text), "token": token[1]}
    )
    assert again.status_code == 409 and "bereits verwendet" in again.text
    bad = await client.get(f"{FORM}/bestaetigen?token=kaputt")
    assert bad.status_code == 400 and "ungültig oder abgelaufen" in bad.text
    forged = await client.post(
        f"{FORM}/bestaetigen", data={"csrf_token": csrf_token(page.text), "token": "x"}
    )
    assert forged.status_code == 400


async def test_only_organisers_see_the_queue(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    application_id = await apply_and_confirm(client, db)
    anonymous = await client.get("/verwaltung/aufnahmen", follow_redirects=False)
    assert anonymous.status_code in (303, 401)
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, email="person@amt.example", role="coordinator")
    await sign_in(client, app, "person@amt.example")
    token = csrf_token((await client.get("/meine-buchungen")).text)
    for path in ("/verwaltung/aufnahmen", f"/verwaltung/aufnahmen/{application_id}"):
        assert (await client.get(path)).status_code == 403
    for action in ("aufnehmen", "zuordnen", "rueckfrage", "ablehnen"):
        response = await client.post(
            f"/verwaltung/aufnahmen/{application_id}/{action}",
            data={"csrf_token": token, "organisation": "amt.example", "question": "?",
                  "reason": "Nein"},
        )  # fmt: skip
        assert response.status_code == 403, action
    assert (await db.scalar(select(JoiningApplication.status))) == "confirmed"
    assert await count(db, JoiningCertificate) == 0


async def test_an_organiser_accepts_and_the_contact_downloads_the_urkunde(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    application_id = await apply_and_confirm(client, db)
    await as_organiser(client, app, db)
    queue = await client.get("/verwaltung/aufnahmen")
    assert queue.status_code == 200 and "Kreis Borken" in queue.text
    page_url = f"/verwaltung/aufnahmen/{application_id}"
    page = await client.get(page_url)
    assert "Burloer Straße 93" in page.text and "Landrat" in page.text
    response = await post_form(client, page_url, f"{page_url}/aufnehmen")
    assert response.status_code == 303
    flashed = await client.get(response.headers["location"])
    assert "ist aufgenommen, Urkunde Nr." in flashed.text
    assert "Zurzeit wartet keine Anfrage" in flashed.text

    certificate = await db.scalar(select(JoiningCertificate))
    assert certificate is not None
    mail = await db.scalar(
        select(OutboxMessage).where(OutboxMessage.template == "joining_accepted")
    )
    assert mail is not None and mail.recipient == "l.kowalska@kreis-borken.example"
    settings = app.state.app.settings
    token = urkunden.download_token(urkunden.download_serializer(settings.secret_key), certificate)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as stranger:
        pdf_url = f"/urkunden/{certificate.number}.pdf"
        pdf = await stranger.get(f"{pdf_url}?zugang={token}")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        refused = await stranger.get(f"{pdf_url}?zugang={token}x", follow_redirects=False)
        assert refused.status_code in (303, 401)
        verify = await stranger.get(f"/urkunden/pruefen/{certificate.code}")
        assert verify.status_code == 200 and "Gültig." in verify.text
        assert "Kreis Borken" in verify.text
        unknown = await stranger.get("/urkunden/pruefen/erfunden-und-falsch")
        assert unknown.status_code == 404
        partners = await stranger.get("/netzwerkpartner?region=M%C3%BCnster")
        assert "Kreis Borken" in partners.text
    organiser_pdf = await client.get(pdf_url)
    assert organiser_pdf.status_code == 200


async def test_asking_back_and_declining_answer_on_the_page(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    application_id = await apply_and_confirm(client, db)
    await as_organiser(client, app, db)
    page_url = f"/verwaltung/aufnahmen/{application_id}"
    empty = await post_form(client, page_url, f"{page_url}/rueckfrage", {"question": ""})
    assert empty.status_code == 422 and "Bitte schreiben Sie Ihre Rückfrage" in empty.text
    unknown = await post_form(
        client, page_url, f"{page_url}/zuordnen", {"organisation": "Gibt es nicht"}
    )
    assert unknown.status_code == 422 and "Keine eindeutige Organisation" in unknown.text
    asked = await post_form(
        client, page_url, f"{page_url}/rueckfrage", {"question": "Wer ist Ihre Leitung?"}
    )
    assert asked.status_code == 303
    shown = await client.get(page_url)
    assert "Rückfrage vom" in shown.text and "Wer ist Ihre Leitung?" in shown.text
    declined = await post_form(
        client, page_url, f"{page_url}/ablehnen", {"reason": "Keine Behörde."}
    )
    assert declined.status_code == 303
    await db.commit()
    assert (await db.scalar(select(JoiningApplication.status))) == "declined"
    templates = list(await db.scalars(select(OutboxMessage.template).order_by(OutboxMessage.id)))
    assert templates[-2:] == ["joining_question", "joining_declined"]
    again = await post_form(client, page_url, f"{page_url}/aufnehmen")
    assert again.status_code == 409


async def test_accept_into_an_existing_organisation_by_its_domain(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    existing = await factories.organisation(db, domain="kreis-borken.example")
    application_id = await apply_and_confirm(client, db)
    await as_organiser(client, app, db)
    page_url = f"/verwaltung/aufnahmen/{application_id}"
    page = await client.get(page_url)
    assert "Die Domain kreis-borken.example gehört zu" in page.text
    refused = await post_form(client, page_url, f"{page_url}/aufnehmen")
    assert refused.status_code == 422 and "gehört bereits zur Organisation" in refused.text
    assert await count(db, JoiningCertificate) == 0
    response = await post_form(
        client, page_url, f"{page_url}/zuordnen", {"organisation": "kreis-borken.example"}
    )
    assert response.status_code == 303
    await db.commit()
    certificate = await db.scalar(select(JoiningCertificate))
    assert certificate is not None and certificate.organisation_id == existing.id


async def test_coordinators_see_their_organisation_and_download_the_urkunde(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    application_id = await apply_and_confirm(client, db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 40100)),
        base_url="http://testserver",
    ) as office:
        await as_organiser(office, app, db)
        page_url = f"/verwaltung/aufnahmen/{application_id}"
        assert (await post_form(office, page_url, f"{page_url}/aufnehmen")).status_code == 303
    await db.commit()
    organisation = await db.scalar(select(Organisation).where(Organisation.name == "Kreis Borken"))
    assert organisation is not None
    await factories.member(
        db, organisation, email="koordination@kreis-borken.example", role="coordinator"
    )
    await factories.member(db, organisation, email="kollegin@kreis-borken.example")
    await sign_in(client, app, "kollegin@kreis-borken.example")
    assert (await client.get("/organisation")).status_code == 403
    certificate = await db.scalar(select(JoiningCertificate))
    assert certificate is not None
    assert (await client.get(f"/urkunden/{certificate.number}.pdf")).status_code == 404
    await client.post("/abmelden", data={"csrf_token": csrf_token((await client.get("/")).text)})
    await sign_in(client, app, "koordination@kreis-borken.example")
    page = await client.get("/organisation")
    assert page.status_code == 200 and certificate.number in page.text
    requests = (await client.get("/organisation/anfragen")).text  # "Meine Organisation"
    assert 'href="/organisation"' in requests
    pdf = await client.get(f"/urkunden/{certificate.number}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_reissue_from_the_organisation_page_after_a_name_change(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    application_id = await apply_and_confirm(client, db)
    await as_organiser(client, app, db)
    page_url = f"/verwaltung/aufnahmen/{application_id}"
    assert (await post_form(client, page_url, f"{page_url}/aufnehmen")).status_code == 303
    await db.commit()
    organisation = await db.scalar(select(Organisation).where(Organisation.name == "Kreis Borken"))
    assert organisation is not None
    edit = f"/verwaltung/organisationen/{organisation.id}"
    assert "Urkunde neu ausstellen" not in (await client.get(edit)).text
    unchanged = await post_form(client, edit, f"{edit}/urkunde")
    assert unchanged.status_code == 409
    renamed = await post_form(
        client, edit, edit, {"name": "Kreis Borken (Westmünsterland)", "sector": "verwaltung",
                             "region": "Münster"},
    )  # fmt: skip
    assert renamed.status_code == 303
    assert "Urkunde neu ausstellen" in (await client.get(edit)).text
    response = await post_form(client, edit, f"{edit}/urkunde")
    assert response.status_code == 303
    await db.commit()
    old, new = list(await db.scalars(select(JoiningCertificate).order_by(JoiningCertificate.id)))
    verify = await client.get(f"/urkunden/pruefen/{old.code}")
    assert "Ersetzt" in verify.text and new.number in verify.text
    assert "Kreis Borken (Westmünsterland)" in verify.text


async def test_the_partner_list_shows_consenting_organisations_by_filter_and_page(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    db.add_all(
        Organisation(name=f"Schule {n:03}", sector="schule", region="Köln", listed=True)
        for n in range(55)
    )
    db.add(Organisation(name="Schule ohne Zustimmung", sector="schule", region="Köln"))
    db.add(Organisation(name="Feuerwehr Köln", sector="feuerwehr", region="Köln", listed=True))
    await db.commit()
    first = await client.get("/netzwerkpartner", params={"sector": "schule"})
    assert first.status_code == 200
    assert "Schule 000" in first.text and "Schule 050" not in first.text
    assert "ohne Zustimmung" not in first.text and "Feuerwehr Köln" not in first.text
    link = re.search(r'class="button button-secondary" href="([^"]+)"', first.text)
    assert link
    second = await client.get(link[1].replace("&amp;", "&"))
    assert "Schule 050" in second.text and "Schule 049" not in second.text
    assert "Zum Anfang der Liste" in second.text
    refused = await client.get("/netzwerkpartner", params={"region": "Bayern"})
    assert refused.status_code == 400
    broken = await client.get("/netzwerkpartner", params={"nach": "kaputt"})
    assert broken.status_code == 400
    empty = await client.get("/netzwerkpartner", params={"sector": "justiz"})
    assert "nennt die Liste noch keine Organisation" in empty.text
