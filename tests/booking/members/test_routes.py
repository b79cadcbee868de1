from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.mail.models import OutboxMessage
from booking.members.models import Member, SignInLinkUse
from booking.privacy.models import AuditEntry
from tests import factories
from tests.web import csrf_token, last_sign_in_link, post_form, sign_in, use_link


async def count(db: AsyncSession, model: type) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


def body_without_tokens(html: str) -> str:
    return re.sub(r'value="[^"]*"', "", html)


async def test_sign_in_answers_the_same_for_known_and_unknown_addresses(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="stadt-muenster.example")
    await factories.member(db, org, email="bekannt@stadt-muenster.example")
    known = await post_form(
        client, "/anmelden", "/anmelden", {"email": "bekannt@stadt-muenster.example"}
    )
    unknown = await post_form(client, "/anmelden", "/anmelden", {"email": "fremd@anderswo.example"})
    assert known.status_code == unknown.status_code == 303
    assert known.headers["location"] == unknown.headers["location"] == "/anmelden/gesendet"
    page_known = await client.get(known.headers["location"])
    page_unknown = await client.get(unknown.headers["location"])
    assert body_without_tokens(page_known.text) == body_without_tokens(page_unknown.text)


async def test_known_domain_becomes_active_member_of_its_organisation(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="kreis-borken.example")
    await sign_in(client, app, "Neu.Person@Kreis-Borken.example", first="Nora", last="Neu")
    member = await db.scalar(
        select(Member).where(Member.email == "neu.person@kreis-borken.example")
    )
    assert member is not None
    assert (member.status, member.organisation_id, member.first_name) == ("active", org.id, "Nora")
    page = await client.get("/meine-buchungen")
    assert page.status_code == 200
    assert "Nora Neu" in page.text


async def test_unknown_domain_waits_for_approval_then_organiser_approves(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db)
    await sign_in(client, app, "person@privat.example")
    pending = await db.scalar(select(Member).where(Member.email == "person@privat.example"))
    assert pending is not None and pending.status == "pending"
    assert pending.organisation_name_given == "Testbehörde"
    page = await client.get(f"/veranstaltungen/{event.id}")
    assert "geprüft" in page.text and "Platz buchen" not in page.text

    organiser = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with organiser:
        await sign_in(organiser, app, "orga@amt.example")
        listing = await organiser.get("/verwaltung/freigaben")
        assert "person@privat.example" in listing.text
        response = await organiser.post(
            f"/verwaltung/freigaben/{pending.id}/freigeben",
            data={"csrf_token": csrf_token(listing.text), "organisation": org.name.upper()},
        )
        assert response.status_code == 303
    await db.commit()  # end the test session's read snapshot
    await db.refresh(pending)
    assert (pending.status, pending.organisation_id) == ("active", org.id)
    templates = [
        t
        for (t,) in (
            await db.execute(
                select(OutboxMessage.template).where(
                    OutboxMessage.recipient == "person@privat.example"
                )
            )
        ).all()
    ]
    assert templates == ["sign_in_link", "member_pending", "member_approved"]
    page = await client.get(f"/veranstaltungen/{event.id}")
    assert "Platz buchen" in page.text


async def test_members_cannot_see_or_use_approvals(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    waiting = await factories.member(db, status="pending", email="x@privat.example")
    await sign_in(client, app, "someone@amt.example")
    assert (await client.get("/verwaltung/freigaben")).status_code == 403
    page = await client.get("/meine-buchungen")
    response = await client.post(
        f"/verwaltung/freigaben/{waiting.id}/freigeben",
        data={"csrf_token": csrf_token(page.text), "organisation": org.name},
    )
    assert response.status_code == 403
    refused = await client.post(
        f"/verwaltung/freigaben/{waiting.id}/freigeben",
        data={"csrf_token": csrf_token(page.text), "organisation": ""},
    )
    assert refused.status_code == 403
    await db.commit()
    await db.refresh(waiting)
    assert waiting.status == "pending"


async def test_link_works_once(client: httpx.AsyncClient, app: Starlette, db: AsyncSession) -> None:
    await factories.organisation(db, domain="amt.example")
    await post_form(client, "/anmelden", "/anmelden", {"email": "a@amt.example"})
    link = await last_sign_in_link(app, "a@amt.example")
    assert (await use_link(client, link)).status_code == 303
    other = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with other:
        again = await use_link(other, link)
    assert again.status_code == 400
    assert "bereits verwendet" in again.text
    assert await count(db, SignInLinkUse) == 1


async def test_expired_and_forged_links_are_refused(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    await post_form(client, "/anmelden", "/anmelden", {"email": "a@amt.example"})
    link = await last_sign_in_link(app, "a@amt.example")
    with time_machine.travel(timedelta(minutes=21)):
        expired = await client.get(link)
    assert expired.status_code == 400
    assert "abgelaufen" in expired.text
    forged = await client.get(link[:-3] + "abc")
    assert forged.status_code == 400
    garbage = await client.get("/anmelden/link?token=%3Cscript%3E")
    assert garbage.status_code == 400
    assert "<script>" not in garbage.text
    page = await client.get("/anmelden")
    posted = await client.post(
        "/anmelden/link", data={"csrf_token": csrf_token(page.text), "token": "x" * 5000}
    )
    assert posted.status_code == 400
    assert await count(db, Member) == 0


async def test_sign_in_form_errors(client: httpx.AsyncClient, db: AsyncSession) -> None:
    for email in ("", "kein-at-zeichen", "a@b", "x" * 300 + "@amt.example", "a b@amt.example"):
        response = await post_form(client, "/anmelden", "/anmelden", {"email": email})
        assert response.status_code == 422, email
        assert "Bitte korrigieren Sie" in response.text
        assert 'aria-invalid="true"' in response.text
    no_csrf = await client.post("/anmelden", data={"email": "a@amt.example"})
    assert no_csrf.status_code == 400
    wrong_csrf = await client.post("/anmelden", data={"email": "a@amt.example", "csrf_token": "x"})
    assert wrong_csrf.status_code == 400
    assert await count(db, OutboxMessage) == 0


async def test_sign_in_is_rate_limited_per_address(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    statuses = []
    for _ in range(6):
        response = await post_form(client, "/anmelden", "/anmelden", {"email": "viel@amt.example"})
        statuses.append(response.status_code)
    assert statuses == [303] * 5 + [429]
    assert "Zu viele Anfragen" in response.text
    other = await post_form(client, "/anmelden", "/anmelden", {"email": "andere@amt.example"})
    assert other.status_code == 303
    assert await count(db, OutboxMessage) == 6


async def test_sign_in_is_rate_limited_per_client(client: httpx.AsyncClient) -> None:
    statuses = []
    for n in range(31):
        response = await post_form(client, "/anmelden", "/anmelden", {"email": f"p{n}@amt.example"})
        statuses.append(response.status_code)
    assert statuses[:30] == [303] * 30
    assert statuses[30] == 429


async def test_session_cookie_is_httponly_and_lax(client: httpx.AsyncClient) -> None:
    response = await client.get("/anmelden")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


async def test_profile_needs_names_and_sign_out_ends_session(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    await post_form(client, "/anmelden", "/anmelden", {"email": "p@amt.example"})
    response = await use_link(client, await last_sign_in_link(app, "p@amt.example"))
    assert response.headers["location"] == "/profil"
    bad = await post_form(client, "/profil", "/profil", {"first_name": "", "last_name": "x" * 101})
    assert bad.status_code == 422
    assert "Vornamen" in bad.text and "Höchstens 100 Zeichen" in bad.text
    out = await post_form(client, "/profil", "/abmelden")
    assert out.status_code == 303
    assert (await client.get("/meine-buchungen")).headers["location"].startswith("/anmelden")


@pytest.mark.parametrize(
    ("weiter", "location"),
    [
        ("/veranstaltungen/1", "/veranstaltungen/1"),  # back to the page that asked
        ("//evil.example/x", "/meine-buchungen"),  # never to another site
    ],
)
async def test_next_parameter_leads_back_to_a_local_page_only(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, weiter: str, location: str
) -> None:
    await factories.organisation(db, domain="amt.example")
    await factories.member(db, email="p@amt.example")
    page = await client.get(f"/anmelden?weiter={weiter}")
    await client.post(
        "/anmelden", data={"csrf_token": csrf_token(page.text), "email": "p@amt.example"}
    )
    response = await use_link(client, await last_sign_in_link(app, "p@amt.example"))
    assert response.headers["location"] == location


async def test_pages_wait_until_the_profile_has_a_name(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    event = await factories.event(db)
    await post_form(client, "/anmelden", "/anmelden", {"email": "neu@amt.example"})
    await use_link(client, await last_sign_in_link(app, "neu@amt.example"))
    response = await client.get("/meine-buchungen")
    assert (response.status_code, response.headers["location"]) == (303, "/profil")
    booking = await post_form(client, "/profil", f"/veranstaltungen/{event.id}/buchen")
    assert booking.status_code == 409
    assert "Vor- und Nachname" in booking.text
    done = await post_form(client, "/profil", "/profil", {"first_name": "A", "last_name": "B"})
    assert done.headers["location"] == "/meine-buchungen"


async def test_approval_form_refuses_hostile_input(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    waiting = await factories.member(db, status="pending", email="w@privat.example")
    active = await factories.member(db, org)
    await sign_in(client, app, "orga@amt.example")
    token = csrf_token((await client.get("/verwaltung/freigaben")).text)
    url = f"/verwaltung/freigaben/{waiting.id}/freigeben"
    hostile = ("", " ", "abc", "-1", "99999999999999", str(org.id), "<b>1</b>", "a\x00b", "x" * 300)
    for value in hostile:
        response = await client.post(url, data={"csrf_token": token, "organisation": value})
        assert response.status_code == 422, value
        assert 'lang="de"' in response.text
        assert f'id="organisation-{waiting.id}-error"' in response.text, value
        assert "<b>1</b>" not in response.text
    assert (await client.post(url, data={"organisation": org.name})).status_code == 400
    not_pending = f"/verwaltung/freigaben/{active.id}/ablehnen"
    assert (await client.post(not_pending, data={"csrf_token": token})).status_code == 409
    unknown = "/verwaltung/freigaben/999999/ablehnen"
    assert (await client.post(unknown, data={"csrf_token": token})).status_code == 404
    await db.commit()
    await db.refresh(waiting)
    await db.refresh(active)
    assert (waiting.status, active.status) == ("pending", "active")


@pytest.mark.parametrize(
    "address",
    [
        "x,attacker@stadt-muenster.example",
        'a"b@stadt-muenster.example',
        "<m@stadt-muenster.example",
        "a;b@stadt-muenster.example",
        "Erika <e@stadt-muenster.example>",
        "e@stadt-muenster.example, f@stadt-muenster.example",
        "e@[127.0.0.1]",
        "e\x00@stadt-muenster.example",
        "e@stadt-muenster.example\x00",
    ],
)
async def test_sign_in_refuses_anything_but_one_mailbox(
    client: httpx.AsyncClient, db: AsyncSession, address: str
) -> None:
    await factories.organisation(db, domain="stadt-muenster.example")
    response = await post_form(client, "/anmelden", "/anmelden", {"email": address})
    assert response.status_code == 422
    assert "genau eine dienstliche E-Mail-Adresse" in response.text
    assert await count(db, OutboxMessage) == 0
    assert await count(db, Member) == 0


async def test_sign_in_mails_exactly_the_normalised_address(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="stadt-muenster.example")
    response = await post_form(
        client, "/anmelden", "/anmelden", {"email": "  Max.Muster@Stadt-Muenster.EXAMPLE "}
    )
    assert response.status_code == 303
    await db.commit()
    assert list(await db.scalars(select(OutboxMessage.recipient))) == [
        "max.muster@stadt-muenster.example"
    ]
    await use_link(client, await last_sign_in_link(app, "max.muster@stadt-muenster.example"))
    await db.commit()
    assert list(await db.scalars(select(Member.email))) == ["max.muster@stadt-muenster.example"]


@pytest.mark.parametrize("field", ["first_name", "last_name", "function", "organisation_name"])
async def test_profile_refuses_control_characters_in_german(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, field: str
) -> None:
    await post_form(client, "/anmelden", "/anmelden", {"email": "p@unbekannt.example"})
    await use_link(client, await last_sign_in_link(app, "p@unbekannt.example"))
    data = {"first_name": "Erika", "last_name": "Muster", "organisation_name": "Amt"}
    data[field] = "Erika\x00Muster"
    response = await post_form(client, "/profil", "/profil", data)
    assert response.status_code == 422
    assert "keine Steuerzeichen" in response.text
    await db.commit()
    member = await db.scalar(select(Member))
    assert member is not None and member.first_name == "" and member.function == ""


async def test_a_nul_byte_in_the_next_page_is_ignored(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, email="p@amt.example")
    page = await client.get("/anmelden", params={"weiter": "/veranstaltungen/1\x00"})
    assert page.status_code == 200
    sent = await client.post(
        "/anmelden", data={"csrf_token": csrf_token(page.text), "email": "p@amt.example"}
    )
    assert sent.status_code == 303
    response = await use_link(client, await last_sign_in_link(app, "p@amt.example"))
    assert response.status_code == 303
    assert response.headers["location"] == "/meine-buchungen"


async def test_an_organiser_gives_roles_and_the_audit_log_keeps_them(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    person = await factories.member(db, org)
    loose = await factories.member(db, org)
    loose.organisation_id = None
    await db.commit()
    await sign_in(client, app, "orga@amt.example")
    page = "/verwaltung/rollen"
    shown = await client.get(page)
    assert shown.status_code == 200 and "orga@amt.example" in shown.text
    assert person.email not in shown.text

    done = await post_form(client, page, page, {"email": person.email, "role": "coordinator"})
    assert done.status_code == 303
    await db.commit()
    refreshed = await db.get(Member, person.id, populate_existing=True)
    assert refreshed is not None and refreshed.role == "coordinator"
    entry = await db.scalar(select(AuditEntry))
    assert entry is not None
    assert (entry.action, entry.member_id, entry.before, entry.after) == (
        "role_granted",
        person.id,
        {"role": "member"},
        {"role": "coordinator"},
    )
    assert person.email in (await client.get(page)).text

    for data, message in (
        ({"email": loose.email, "role": "coordinator"}, "Koordinieren kann nur"),
        ({"email": person.email, "role": "admin"}, "Keine gültige Auswahl"),
        ({"email": "niemand@amt.example", "role": "trainer"}, "niemand@amt.example"),
        ({"email": "orga@amt.example", "role": "member"}, "eigene Rolle"),
        ({"email": "a\x00b@amt.example", "role": "trainer"}, "error-summary"),
    ):
        refused = await post_form(client, page, page, data)
        assert refused.status_code == 422, data
        assert message in refused.text, data
    await db.commit()
    assert await db.scalar(select(func.count()).select_from(AuditEntry)) == 1


async def test_only_organisers_give_roles(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="coordinator", email="koord@amt.example")
    await db.commit()
    await sign_in(client, app, "koord@amt.example")
    assert (await client.get("/verwaltung/rollen")).status_code == 403
