"""The organisers' approvals page (routes.py: approvals, approve, reject): pages of twenty
waiting people, the organisation named in a text field, and statements that do not grow with
the organisations or the people waiting."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.core.db import utcnow
from booking.core.paging import CURSOR_INVALID
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.organisations.models import Organisation, OrganisationDomain
from tests import factories
from tests.test_statements import counting
from tests.web import csrf_token, sign_in

PAGE = "/verwaltung/freigaben"
_ROW = re.compile(r'action="/verwaltung/freigaben/(\d+)/freigeben([^"]*)"')
_NEXT = re.compile(r'href="([^"]+)" rel="next"')


async def as_organiser(client: httpx.AsyncClient, app: Starlette, db: AsyncSession) -> Organisation:
    """Signed in as an organiser of the police in Münster (domain pp-muenster.example)."""
    org = await factories.organisation(db, domain="pp-muenster.example")
    await factories.member(db, org, role="organiser", email="orga@pp-muenster.example")
    await sign_in(client, app, "orga@pp-muenster.example")
    await db.commit()  # end the test session's read snapshot before it writes again
    return org


async def wait(db: AsyncSession, count: int, *, given: str = "Amt", start: int = 0) -> list[int]:
    """``count`` people waiting, signed up in pairs at the same moment; their ids in the
    order of the list."""
    moment = utcnow().replace(microsecond=0) - timedelta(days=10)
    people = [
        Member(
            email=f"wartend{n}@privat{n}.example",
            first_name="Vorname",
            last_name=f"Wartend{n}",
            organisation_name_given=given,
            status="pending",
            created_at=moment + timedelta(minutes=n // 2),
        )
        for n in range(start, start + count)
    ]
    db.add_all(people)
    await db.commit()
    return [m.id for m in sorted(people, key=lambda m: (m.created_at, m.id))]


async def grow_organisations(db: AsyncSession, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        org = Organisation(name=f"Behörde {n}", sector="verwaltung", region="Münster")
        org.domains.append(OrganisationDomain(domain=f"behoerde{n}.example"))
        db.add(org)
    await db.commit()


def field_value(page: str, member_id: int) -> str:
    match = re.search(rf'<input [^>]*id="organisation-{member_id}"[^>]*>', page)
    assert match, "no field"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def field_error(page: str, member_id: int) -> str:
    match = re.search(
        rf'<p class="error-message" id="organisation-{member_id}-error">(.*?)</p>', page
    )
    assert match, "no message beside the field"
    text = html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()
    return text.removeprefix("Fehler:").strip()


async def test_the_page_walks_every_waiting_person_once_in_order(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await as_organiser(client, app, db)
    expected = await wait(db, 45)
    seen: list[int] = []
    url: str | None = PAGE
    pages = 0
    while url:
        page = await client.get(html.unescape(url))
        assert page.status_code == 200
        assert "45 Personen warten auf eine Freigabe" in page.text
        assert ("Zum Anfang der Liste" in page.text) == (pages > 0)
        seen += [int(member_id) for member_id, _ in _ROW.findall(page.text)]
        found = _NEXT.search(page.text)
        url = found.group(1) if found else None
        pages += 1
    assert pages == 3
    assert seen == expected

    # the forms keep the page: an approval there leads back to it
    found = _NEXT.search((await client.get(PAGE)).text)
    assert found
    later = html.unescape(found.group(1))
    page_two = await client.get(later)
    member_id, query = _ROW.findall(page_two.text)[0]
    assert html.unescape(query) == later.removeprefix(PAGE)
    done = await client.post(
        f"{PAGE}/{member_id}/freigeben{html.unescape(query)}",
        data={"csrf_token": csrf_token(page_two.text), "organisation": "pp-muenster.example"},
    )
    assert (done.status_code, done.headers["location"]) == (303, later)
    after = await client.get(later)
    assert "44 Personen warten" in after.text and f"/{member_id}/freigeben" not in after.text


async def test_a_forged_cursor_gets_the_german_422(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await as_organiser(client, app, db)
    [person] = await wait(db, 1)
    for cursor in ("kaputt", "WyJ4IiwxXQ", "W10", "x" * 700):
        page = await client.get(PAGE, params={"cursor": cursor})
        assert page.status_code == 422, cursor
        assert CURSOR_INVALID in html.unescape(page.text)
    token = csrf_token((await client.get(PAGE)).text)
    refused = await client.post(
        f"{PAGE}/{person}/freigeben?cursor=kaputt",
        data={"csrf_token": token, "organisation": "pp-muenster.example"},
    )
    assert refused.status_code == 422
    await db.commit()
    assert await db.scalar(select(Member.status).where(Member.id == person)) == "pending"


async def test_approving_with_the_right_organisation(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await as_organiser(client, app, db)
    org = await factories.organisation(db, domain="kreis-borken.example")
    named, by_domain = await wait(db, 2, given=org.name.lower())
    page = await client.get(PAGE)
    # the name the person gave matches an organisation: it stands in the field
    assert [field_value(page.text, m) for m in (named, by_domain)] == [org.name, org.name]
    assert "Vorschlag, weil die Person diesen Namen angegeben hat." in page.text
    token = csrf_token(page.text)
    for member_id, entry in (
        (named, f"  {org.name.upper()} "),
        (by_domain, "x@kreis-borken.example"),
    ):
        done = await client.post(
            f"{PAGE}/{member_id}/freigeben", data={"csrf_token": token, "organisation": entry}
        )
        assert (done.status_code, done.headers["location"]) == (303, PAGE)
    await db.commit()
    rows = await db.execute(
        select(Member.status, Member.organisation_id).where(Member.id.in_([named, by_domain]))
    )
    assert sorted(rows) == [("active", org.id), ("active", org.id)]
    assert "Zurzeit wartet niemand auf eine Freigabe." in (await client.get(PAGE)).text


async def test_a_domain_added_since_the_sign_up_is_suggested(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await as_organiser(client, app, db)
    [person] = await wait(db, 1, given="Irgendwas")
    org = await factories.organisation(db, domain="privat0.example")
    page = await client.get(PAGE)
    assert field_value(page.text, person) == org.name
    assert "Vorschlag, weil ihr die Domain der Adresse gehört." in page.text


async def test_an_unknown_organisation_is_answered_beside_the_field(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    police = await as_organiser(client, app, db)
    near = Organisation(name="Stadt Münster", sector="verwaltung", region="Münster")
    db.add(near)
    await db.commit()
    [person] = await wait(db, 1)
    token = csrf_token((await client.get(PAGE)).text)
    refused = await client.post(
        f"{PAGE}/{person}/freigeben",
        data={"csrf_token": token, "organisation": "Stadtverwaltung Münster"},
    )
    assert refused.status_code == 422
    message = (
        "Keine Organisation heißt „Stadtverwaltung Münster“ oder hat diese E-Mail-Domain. "
        f"Ähnlich sind: „{police.name}“, „Stadt Münster“."  # the police by its domain
    )
    assert field_error(refused.text, person) == message
    summary = refused.text.split('class="error-summary"')[1].split("</div>")[0]
    assert f'href="#organisation-{person}"' in summary and "Stadt Münster" in summary
    assert field_value(refused.text, person) == "Stadtverwaltung Münster"  # as typed
    assert (
        f'aria-describedby="organisation-{person}-hint organisation-{person}-error"' in refused.text
    )
    await db.commit()
    db.expire_all()
    again = await db.get(Member, person)
    assert again is not None and (again.status, again.organisation_id) == ("pending", None)
    assert (
        await db.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.template == "member_approved")
        )
        == 0
    )


async def test_statements_do_not_grow_with_organisations_or_waiting_people(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await as_organiser(client, app, db)
    await grow_organisations(db, 3)
    await wait(db, 2)

    async def measure() -> dict[str, int]:
        page = await client.get(PAGE)
        token = csrf_token(page.text)
        first = f"{PAGE}/{_ROW.findall(page.text)[0][0]}/freigeben"
        counts = {}
        for name, url, entry, status in (
            ("page", PAGE, None, 200),
            ("unknown organisation, close matches", first, "Behörde Nord", 422),
            ("approval", first, "Behörde 1", 303),
        ):
            with counting(app) as statements:
                if entry is None:
                    response = await client.get(url)
                else:
                    data = {"csrf_token": token, "organisation": entry}
                    response = await client.post(url, data=data)
            assert response.status_code == status, (name, response.text)
            counts[name] = len(statements)
        await client.get(PAGE)  # the approval's flash message, shown once
        return counts

    small = await measure()
    await grow_organisations(db, 300, start=3)
    await wait(db, 45, start=100)
    large = await measure()
    assert large == small, (small, large)
