"""The organisers' feedback pages: results per event (hidden below three answers), free texts
a page at a time, the overview by year or window; 403 for everyone else."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette

from booking.core.formatting import BERLIN
from courses.feedback import services
from courses.feedback.queries import COMMENTS_PAGE
from tests import factories
from tests.courses.feedback.test_invitations import invited_tokens
from tests.factories import NOW
from tests.web import sign_in


async def answer(db: AsyncSession, tokens: list[str], *values: int, text: str = "") -> None:
    for n, token in enumerate(tokens):
        await services.submit(
            db,
            token=token,
            ratings={"usefulness": values[n % len(values)], "confidence_before": 2,
                     "confidence_after": 4},
            comment=f"{text} {n}" if text else "",
            now=NOW,
        )  # fmt: skip


async def organiser_client(client: httpx.AsyncClient, app: Starlette, db: AsyncSession) -> None:
    org = await factories.organisation(db, domain="polizei.example")
    await factories.member(db, org, role="organiser", email="gs@polizei.example")
    await sign_in(client, app, "gs@polizei.example")


async def test_results_of_an_event_with_bars_and_free_texts(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, engine: AsyncEngine
) -> None:
    held, tokens = await invited_tokens(db, engine, COMMENTS_PAGE + 5)
    await organiser_client(client, app, db)
    url = f"/verwaltung/veranstaltungen/{held.id}/rueckmeldungen"
    await answer(db, tokens[:2], 5, text="Toll")
    hidden = await client.get(url)
    assert hidden.status_code == 200
    assert "Ergebnisse und Texte erscheinen ab 3 Antworten" in hidden.text
    assert "Toll" not in hidden.text and "Durchschnitt" not in hidden.text

    await answer(db, tokens[2:], 4, 3, text="Gut")
    shown = await client.get(url)
    assert f"<strong>{len(tokens)}</strong> von {len(tokens)}" in shown.text
    # 5 + 5 + 4, 3, 4, 3 …: 25 answers, average (10 + 12 * 4 + 11 * 3) / 25 = 3.64
    assert "Durchschnitt <strong>3,6</strong> von 5 · 25 Antworten" in shown.text
    assert "vorher <strong>2,0</strong>, nachher <strong>4,0</strong>" in shown.text
    assert 'class="bar-fill" width="48"' in shown.text  # 12 of 25 chose 4
    assert shown.text.count("<blockquote>") == COMMENTS_PAGE
    assert "Toll 0" in shown.text and "Weitere Texte" in shown.text
    more = await client.get(url + "?" + shown.text.split('href="' + url + "?", 1)[1].split('"')[0])
    assert more.status_code == 200 and more.text.count("<blockquote>") == 5
    assert "Zum Anfang der Texte" in more.text
    bad = await client.get(url + "?cursor=kaputt")
    assert bad.status_code == 422

    manage = await client.get(f"/verwaltung/veranstaltungen/{held.id}")
    assert f'href="{url}">Rückmeldungen</a>' in manage.text


async def test_the_overview_by_year_and_window(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, engine: AsyncEngine
) -> None:
    held, tokens = await invited_tokens(db, engine, 3)
    await answer(db, tokens, 5)
    await organiser_client(client, app, db)
    year = NOW.astimezone(BERLIN).year
    page = await client.get("/verwaltung/rueckmeldungen")
    assert page.status_code == 200 and held.title in page.text
    assert f"Veranstaltungen: {year} (1)" in page.text and "3 von 3" in page.text
    assert ">5,0</td>" in page.text
    day = held.sessions[-1].ends_at.astimezone(BERLIN)
    inside = await client.get(
        "/verwaltung/rueckmeldungen", params={"von": f"{day:%d.%m.%Y}", "bis": f"{day:%d.%m.%Y}"}
    )
    assert held.title in inside.text
    before = day - timedelta(days=3)
    outside = await client.get(
        "/verwaltung/rueckmeldungen", params={"bis": f"{before:%d.%m.%Y}", "jahr": str(year)}
    )
    assert held.title not in outside.text and "keine Veranstaltung" in outside.text
    for params in ({"jahr": "1999"}, {"jahr": "abc"}, {"von": "31.02.2026"},
                   {"von": "10.05.2026", "bis": "01.05.2026"}, {"nach": "kaputt"}):  # fmt: skip
        refused = await client.get("/verwaltung/rueckmeldungen", params=params)
        assert refused.status_code == 400 and "error-summary" in refused.text, params


async def test_only_organisers_see_feedback(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, engine: AsyncEngine
) -> None:
    held, _ = await invited_tokens(db, engine, 3)
    trainer = await factories.member(db, role="trainer")
    await sign_in(client, app, trainer.email)
    results = f"/verwaltung/veranstaltungen/{held.id}/rueckmeldungen"
    for url in (results, "/verwaltung/rueckmeldungen"):
        assert (await client.get(url)).status_code == 403
