"""The organisers' pages under /verwaltung/organisationen and the approval page's new
organisation, through the ASGI client."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.members.models import Member
from booking.organisations.models import Organisation, OrganisationDomain
from tests import factories
from tests.web import csrf_token, post_form, sign_in

BASE = "/verwaltung/organisationen"


async def as_organiser(client: httpx.AsyncClient, app: Starlette, db: AsyncSession) -> None:
    org = await factories.organisation(db, domain="pp-muenster.example")
    await factories.member(db, org, role="organiser", email="orga@pp-muenster.example")
    await sign_in(client, app, "orga@pp-muenster.example")
    await db.commit()  # a fresh snapshot: the app has written since


async def count(db: AsyncSession, model: type) -> int:
    await db.commit()
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_members_get_403_everywhere(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, email="person@amt.example")
    await sign_in(client, app, "person@amt.example")
    token = csrf_token((await client.get("/meine-buchungen")).text)
    for path in (BASE, f"{BASE}/neu", f"{BASE}/{org.id}", f"{BASE}/{org.id}/zusammenfuehren"):
        assert (await client.get(path)).status_code == 403, path
    for path in (f"{BASE}/neu", f"{BASE}/{org.id}", f"{BASE}/{org.id}/domains"):
        data = {
            "csrf_token": token,
            "name": "X",
            "sector": "schule",
            "region": "Köln",
            "domain": "x.example",
        }
        assert (await client.post(path, data=data)).status_code == 403, path
    assert (await client.get(BASE, follow_redirects=False)).status_code == 403
    assert await count(db, Organisation) == 1


async def test_create_edit_add_domain_and_list(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await as_organiser(client, app, db)
    response = await post_form(
        client,
        f"{BASE}/neu",
        f"{BASE}/neu",
        {
            "name": "Feuerwehr Bochum",
            "sector": "feuerwehr",
            "region": "Arnsberg",
            "domain": "FW-Bochum.example",
        },
    )
    assert response.status_code == 303, response.text
    page_url = response.headers["location"]
    page = await client.get(page_url)
    assert "Die Organisation „Feuerwehr Bochum“ ist angelegt." in page.text
    assert "fw-bochum.example" in page.text and "Einsatzkräfte" in page.text

    response = await post_form(
        client,
        page_url,
        page_url,
        {"name": "Feuerwehr Bochum", "sector": "rettungsdienst", "region": "Arnsberg"},
    )
    assert response.status_code == 303
    response = await post_form(
        client, page_url, f"{page_url}/domains", {"domain": "pp-muenster.example"}
    )
    assert response.status_code == 422
    assert "gehört bereits zur Organisation" in response.text
    response = await post_form(
        client, page_url, f"{page_url}/domains", {"domain": "rd-bochum.example"}
    )
    assert response.status_code == 303
    response = await post_form(
        client, page_url, f"{page_url}/domains/entfernen", {"domain": "fw-bochum.example"}
    )
    assert response.status_code == 303
    await db.commit()
    org = await db.scalar(select(Organisation).where(Organisation.name == "Feuerwehr Bochum"))
    assert org is not None and org.sector == "rettungsdienst"
    domains = await db.scalars(
        select(OrganisationDomain.domain).where(OrganisationDomain.organisation_id == org.id)
    )
    assert list(domains) == ["rd-bochum.example"]

    listing = await client.get(
        BASE, params={"q": "bochum", "sector": "rettungsdienst", "region": "Arnsberg"}
    )
    assert listing.status_code == 200
    assert "Feuerwehr Bochum" in listing.text and 'class="break">pp-muenster' not in listing.text
    empty = await client.get(BASE, params={"q": "gibtsnicht"})
    assert "Zu diesen Filtern gibt es keine Organisation" in empty.text


async def test_list_pages_with_a_next_link(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await as_organiser(client, app, db)
    db.add_all(
        Organisation(name=f"Schule {n:03}", sector="schule", region="Köln") for n in range(60)
    )
    await db.commit()
    first = await client.get(BASE, params={"sector": "schule"})
    assert "Schule 000" in first.text and "Schule 050" not in first.text
    assert "Weitere Organisationen" in first.text
    link = (
        first.text.split('class="button button-secondary" href="')[1]
        .split('"')[0]
        .replace("&amp;", "&")
    )
    second = await client.get(link)
    assert second.status_code == 200
    assert "Schule 050" in second.text and "Schule 049" not in second.text
    assert "Zum Anfang der Liste" in second.text


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "sector": "schule", "region": "Köln"},
        {"name": "A\x00B", "sector": "schule", "region": "Köln"},
        {"name": "X" * 201, "sector": "schule", "region": "Köln"},
        {"name": "Gut", "sector": "marine", "region": "Köln"},
        {"name": "Gut", "sector": "schule", "region": "Berlin\x00"},
        {"name": "Gut", "sector": "schule", "region": "Köln", "domain": "bad\x00.example"},
        {"name": "Gut", "sector": "schule", "region": "Köln", "domain": "kein domain"},
        {"name": "Gut", "sector": "schule", "region": "Köln", "domain": "pp-muenster.example"},
    ],
)
async def test_hostile_input_is_refused_in_german(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, data: dict[str, str]
) -> None:
    await as_organiser(client, app, db)
    before = await count(db, Organisation)
    response = await post_form(client, f"{BASE}/neu", f"{BASE}/neu", data)
    assert response.status_code == 422, response.text
    assert "Bitte korrigieren Sie" in response.text
    assert await count(db, Organisation) == before
    for query in ({"q": "a\x00"}, {"sector": "marine"}, {"nach": "kaputt"}, {"q": "x" * 300}):
        answer = await client.get(BASE, params=query)
        assert answer.status_code == 400, query
    assert (await client.post(f"{BASE}/neu", data={"name": "ohne Token"})).status_code == 400


async def test_merge_asks_then_moves_members(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await as_organiser(client, app, db)
    keep = await factories.organisation(db, domain="keep.example")
    dup = await factories.organisation(db, domain="dup.example")
    person = await factories.member(db, dup)
    keep_id, dup_id, dup_name, person_id = keep.id, dup.id, dup.name, person.id
    url = f"{BASE}/{keep_id}/zusammenfuehren"
    step = await post_form(client, url, url, {"remove_id": str(dup_id)})
    assert step.status_code == 200
    assert "Zusammenführen bestätigen" in step.text and "1 Mitglied(er)" in step.text
    assert await count(db, Organisation) == 3
    done = await client.post(
        url, data={"csrf_token": csrf_token(step.text), "remove_id": str(dup_id), "confirmed": "ja"}
    )
    assert done.status_code == 303
    assert f"„{dup_name}“ ist in" in (await client.get(done.headers["location"])).text
    await db.commit()
    db.expire_all()
    assert await db.get(Organisation, dup_id) is None
    assert (
        await db.scalar(select(Member.organisation_id).where(Member.id == person_id))
    ) == keep_id
    refused = await post_form(client, url, url, {"remove_id": str(keep_id)})
    assert refused.status_code == 422


async def test_approval_creates_the_organisation_on_the_spot(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await as_organiser(client, app, db)
    pending = await factories.member(db, status="pending", email="anna@gemeinde-neu.example")
    pending.organisation_name_given = "Gemeinde Neu"
    await db.commit()
    pending_id = pending.id
    page = await client.get("/verwaltung/freigaben")
    assert 'value="Gemeinde Neu"' in page.text and 'value="gemeinde-neu.example"' in page.text
    action = f"/verwaltung/freigaben/{pending_id}/neue-organisation"
    refused = await post_form(
        client,
        "/verwaltung/freigaben",
        action,
        {
            "name": "Gemeinde Neu",
            "sector": "verwaltung",
            "region": "Detmold",
            "domain": "pp-muenster.example",
        },
    )
    assert refused.status_code == 422
    assert "gehört bereits zur Organisation" in refused.text
    assert f'id="domain-{pending_id}"' in refused.text
    await db.commit()
    assert await db.scalar(select(Organisation).where(Organisation.name == "Gemeinde Neu")) is None
    await db.commit()
    done = await post_form(
        client,
        "/verwaltung/freigaben",
        action,
        {
            "name": "Gemeinde Neu",
            "sector": "verwaltung",
            "region": "Detmold",
            "domain": "gemeinde-neu.example",
        },
    )
    assert done.status_code == 303
    await db.commit()
    db.expire_all()
    member = await db.get(Member, pending_id)
    org = await db.scalar(select(Organisation).where(Organisation.name == "Gemeinde Neu"))
    assert member is not None and org is not None
    assert (member.status, member.organisation_id, org.region) == ("active", org.id, "Detmold")
