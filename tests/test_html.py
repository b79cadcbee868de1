"""Every page a visitor, a member and an organiser can reach passes the Nu HTML checker
(vnu.jar, installed by ``make vnu``, which ``make test`` runs) with no error: the demo year,
forms refused with errors, error pages, confirmation pages. The pages are fetched through
the ASGI client, written to files and checked in one run of the checker."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload
from starlette.applications import Starlette

from booking.app import create_app
from booking.bookings import draw
from booking.bookings.models import Booking
from booking.core.db import session_factory, utcnow
from booking.demo import COORDINATOR_EMAIL, ORGANISER_EMAIL, TRAINER_EMAIL, load_demo
from booking.demo.joining import JOINED_EMAIL
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from courses.feedback.invitations import invite
from courses.feedback.models import FeedbackInvitation
from courses.models import Event
from tests import conftest
from tests.factories import NOW
from tests.web import csrf_token, last_sign_in_link, post_form, sign_in, use_link

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = Path(
    os.environ.get("VNU_JAR", ROOT / ".venv/vnu/node_modules/vnu-jar/build/dist/vnu.jar")
)
MEMBER = "stefan.brinkmann@bezreg-detmold.example"  # demo: conference, workshops, BIUS I

if shutil.which("java") is None:
    pytest.skip(
        "Java is not installed: the Nu HTML checker (vnu.jar) needs Java 17 or newer "
        "(make test installs it where it may)",
        allow_module_level=True,
    )


@dataclass
class Pages:
    """Pages fetched so far: name -> (status, html)."""

    directory: Path
    seen: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, response: httpx.Response, status: int = 200) -> str:
        assert response.status_code == status, (name, response.status_code, response.text[:300])
        assert response.headers["content-type"].startswith("text/html"), name
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.directory / f"{len(self.seen):03d}-{slug}.html"
        path.write_text(response.text, encoding="utf-8")
        self.seen[path.name] = status
        return response.text

    async def get(
        self, client: httpx.AsyncClient, url: str, name: str = "", status: int = 200
    ) -> str:
        return self.add(name or url, await client.get(url), status)


@pytest.fixture
async def demo_app(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Starlette]:
    engine = await conftest.prepared_engine(sqlite_url)
    async with session_factory(engine)() as session:
        assert await load_demo(session, utcnow())
    await engine.dispose()
    application = create_app(conftest.test_settings(sqlite_url, tmp_path))
    yield application
    await application.state.app.engine.dispose()


def client_for(app: Starlette, port: int) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", port))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def visitor_pages(client: httpx.AsyncClient, pages: Pages, events: list[Event]) -> None:
    await pages.get(client, "/", "programme")
    await pages.get(client, "/?kind=training&sector=gesundheit&free_only=y", "programme filtered")
    await pages.get(client, "/?kind=party&month=2027-13", "programme refused filters", 400)
    await pages.get(client, "/?month=0000-01", "programme refused year 0", 400)
    await pages.get(client, "/?month=2000-01", "programme empty")
    for event in events:
        if event.status != "draft":
            await pages.get(client, f"/veranstaltungen/{event.id}", f"event {event.id}")
    await pages.get(client, "/veranstaltungen/999999", "unknown event", 404)
    await pages.get(client, "/bescheinigungen/pruefen", "verify a certificate")
    await pages.get(
        client, "/bescheinigungen/pruefen/erfunden-und-falsch", "unknown certificate", 404
    )
    await pages.get(client, "/gibt-es-nicht", "unknown page", 404)
    await pages.get(client, "/static/gibt-es-nicht.css", "unknown static file", 404)
    await pages.get(client, "/meine-buchungen/kalender", "wrong method", 405)
    sign_in = await pages.get(client, "/anmelden", "sign in")
    refused = await client.post(
        "/anmelden", data={"csrf_token": csrf_token(sign_in), "email": "kein-at"}
    )
    pages.add("sign in refused", refused, 422)
    pages.add("sign in without csrf", await client.post("/anmelden", data={}), 400)
    await pages.get(client, "/anmelden/gesendet", "sign in sent")
    await pages.get(client, "/anmelden/link?token=abc", "sign in link invalid", 400)


async def member_pages(app: Starlette, client: httpx.AsyncClient, pages: Pages) -> None:
    response = await post_form(client, "/anmelden", "/anmelden", {"email": MEMBER})
    assert response.status_code == 303
    link = await last_sign_in_link(app, MEMBER)
    await pages.get(client, link, "sign in link")
    assert (await use_link(client, link)).status_code == 303
    mine = await pages.get(client, "/meine-buchungen", "my bookings")
    await post_form(client, "/meine-buchungen", "/meine-buchungen/kalender")
    await pages.get(client, "/meine-buchungen", "my bookings with calendar subscription")
    for booking_id in sorted(set(re.findall(r"/buchungen/(\d+)/stornieren", mine))):
        await pages.get(client, f"/buchungen/{booking_id}/stornieren", f"cancel {booking_id}")
    first = re.findall(r"/buchungen/(\d+)/stornieren", mine)[0]
    cancel_page = await client.get(f"/buchungen/{first}/stornieren")
    cancelled = await client.post(
        f"/buchungen/{first}/stornieren", data={"csrf_token": csrf_token(cancel_page.text)}
    )
    assert cancelled.status_code == 303
    await pages.get(client, "/meine-buchungen", "my bookings after cancelling")
    await pages.get(client, f"/buchungen/{first}/stornieren", "cancel page of a cancelled booking")
    for event_id in sorted(set(re.findall(r'href="/veranstaltungen/(\d+)"', mine))):
        await pages.get(client, f"/veranstaltungen/{event_id}", f"member event {event_id}")
    profile = await pages.get(client, "/profil", "profile")
    refused = await client.post(
        "/profil", data={"csrf_token": csrf_token(profile), "first_name": "", "last_name": ""}
    )
    pages.add("profile refused", refused, 422)
    await pages.get(client, "/verwaltung/freigaben", "approvals forbidden", 403)
    await pages.get(client, "/buchungen/1/stornieren", "someone else's booking", 403)
    await material_member_pages(client, pages)
    await pages.get(client, "/profil/daten", "my data")
    erase = await pages.get(client, "/profil/loeschen", "delete my account")
    refused = await client.post("/profil/loeschen", data={"csrf_token": csrf_token(erase)})
    pages.add("delete my account refused", refused, 422)


async def member_erasure_pages(client: httpx.AsyncClient, pages: Pages, member_id: int) -> None:
    url = f"/verwaltung/mitglieder/{member_id}"
    page = await pages.get(client, url, "a member in the back office")
    refused = await client.post(url, data={"csrf_token": csrf_token(page), "reason": ""})
    pages.add("member erasure refused", refused, 422)


async def new_member_pages(app: Starlette, client: httpx.AsyncClient, pages: Pages) -> None:
    """A first sign-in (the profile form) and one that waits for approval."""
    await post_form(client, "/anmelden", "/anmelden", {"email": "neu@stadt-muenster.example"})
    assert await use_link(client, await last_sign_in_link(app, "neu@stadt-muenster.example"))
    await pages.get(client, "/profil", "first profile")
    await client.post("/abmelden", data={"csrf_token": csrf_token((await client.get("/")).text)})
    await sign_in(client, app, "unbekannt@anderswo.example", "Ute", "Unbekannt")


async def organiser_pages(
    app: Starlette, client: httpx.AsyncClient, pages: Pages, events: list[Event]
) -> None:
    await sign_in(client, app, ORGANISER_EMAIL)
    await pages.get(client, "/verwaltung", "back-office home")
    new = "/verwaltung/veranstaltungen/neu"
    await pages.get(client, new, "new event")
    more = await post_form(client, new, new, {"aktion": "termin", "title": "Entwurf"})
    pages.add("new event with a fourth session", more, 200)
    refused = await post_form(
        client, new, new, {"aktion": "entwurf", "sessions-0-day": "31.02.2030", "capacity": "x"}
    )
    pages.add("new event refused", refused, 422)
    approvals = await pages.get(client, "/verwaltung/freigaben", "approvals")
    approve = re.findall(r'action="(/verwaltung/freigaben/\d+/freigeben)"', approvals)[0]
    unknown = {"csrf_token": csrf_token(approvals), "organisation": "Gibt es nicht"}
    pages.add("approval refused", await client.post(approve, data=unknown), 422)
    await pages.get(client, "/verwaltung/freigaben?cursor=kaputt", "approvals bad cursor", 422)
    for event in events:
        manage = f"/verwaltung/veranstaltungen/{event.id}"
        await pages.get(client, manage, f"manage {event.id}")
        await pages.get(client, f"{manage}/bearbeiten", f"edit {event.id}")
        await pages.get(client, f"/veranstaltungen/{event.id}", f"organiser event {event.id}")
    event = next(e for e in events if e.kind == "training" and e.status == "published")
    manage = f"/verwaltung/veranstaltungen/{event.id}"
    refused = await post_form(client, manage, manage, {"capacity": "-1"})
    pages.add("capacity refused", refused, 422)
    edit = f"{manage}/bearbeiten"
    pages.add("edit refused", await post_form(client, edit, edit, {"title": "x"}), 422)
    message = f"{manage}/nachricht"
    await pages.get(client, message, "message")
    data = {
        "to": "all",
        "subject": "Hinweis",
        "body": "Guten Tag {name},\nbis bald.",
        "aktion": "vorschau",
    }
    pages.add("message preview", await post_form(client, message, message, data), 200)
    refused = await post_form(client, message, message, {**data, "subject": ""})
    pages.add("message refused", refused, 422)
    copy = f"{manage}/kopieren"
    await pages.get(client, copy, "copy event")
    pages.add("copy refused", await post_form(client, copy, copy, {"first_day": "x"}), 422)
    move = f"{manage}/termine/{event.sessions[0].id}"
    await pages.get(client, move, "move session")
    refused = await post_form(client, move, move, {"day": "0001-01-01", "starts": "9"})
    pages.add("move session refused", refused, 422)
    refused = await post_form(client, move, move, {"day": "2030-02-30", "starts": "09:00"})
    pages.add("move session refused date", refused, 422)
    cancel = f"{manage}/absagen"
    await pages.get(client, cancel, "cancel event")
    pages.add(
        "cancel event refused", await post_form(client, cancel, cancel, {"reason": "x" * 1001}), 422
    )
    await session_pages(client, pages, manage, event)
    await series_pages(client, pages)
    await organisation_pages(client, pages)
    await venue_pages(client, pages)
    await material_pages(client, pages)
    await feedback_pages(app, client, pages, events)
    await joining_pages(app, client, pages)
    await pages.get(client, "/verwaltung/mail", "dead letters")
    await pages.get(client, "/verwaltung/zahlen", "year in figures")
    await pages.get(client, "/verwaltung/rollen", "roles")
    await pages.get(client, "/verwaltung/protokoll", "audit log")
    await pages.get(client, "/verwaltung/protokoll?von=99.99.2026", "audit log refused", 400)
    refused = await post_form(
        client, "/verwaltung/rollen", "/verwaltung/rollen", {"email": "x", "role": "trainer"}
    )
    pages.add("role refused", refused, 422)
    await pages.get(client, "/verwaltung/zahlen?jahr=1999", "year in figures refused", 422)
    booking_ids = re.findall(
        r"/buchungen/(\d+)/stornieren\?zurueck=[^\"]+", (await client.get(manage)).text
    )
    for booking_id in booking_ids[:1] + booking_ids[-1:]:
        await pages.get(
            client, f"/buchungen/{booking_id}/stornieren?zurueck={manage}", f"cancel {booking_id}"
        )


async def session_pages(client: httpx.AsyncClient, pages: Pages, manage: str, event: Event) -> None:
    add = f"{manage}/termine/neu"
    await pages.get(client, add, "add session")
    refused = await post_form(client, add, add, {"day": "1.1.2001", "starts": "9", "ends": "8"})
    pages.add("add session refused", refused, 422)
    remove = f"{manage}/termine/{event.sessions[-1].id}/entfernen"
    await pages.get(client, remove, "remove session")


async def series_pages(client: httpx.AsyncClient, pages: Pages) -> None:
    new = "/verwaltung/reihen/neu"
    await pages.get(client, new, "plan series")
    data = {"kind": "online_qa", "title": "Frag doch mal", "capacity": "100", "rhythm": "M1",
            "week_of_month": "-1", "weekday": "3", "first_day": "1.1.2099", "starts": "17:00",
            "ends": "18:30", "count": "12", "aktion": "vorschau"}  # fmt: skip
    pages.add("series preview", await post_form(client, new, new, data), 200)
    refused = await post_form(client, new, new, {**data, "count": "0", "weekday": "9"})
    pages.add("series refused", refused, 422)
    series_id = re.findall(r'href="/\?series=(\d+)"', (await client.get("/")).text)[0]
    shown = await pages.get(client, f"/verwaltung/reihen/{series_id}", "series")
    following = re.findall(r'href="(/verwaltung/reihen/\d+/ab/\d+)"', shown)[0]
    await pages.get(client, following, "series following")
    refused = await post_form(client, following, following, {"starts": "18:00", "ends": "x"})
    pages.add("series following refused", refused, 422)
    extend = f"/verwaltung/reihen/{series_id}/verlaengern"
    refused = await post_form(client, f"/verwaltung/reihen/{series_id}", extend, {"count": "0"})
    pages.add("series extend refused", refused, 422)


async def organisation_pages(client: httpx.AsyncClient, pages: Pages) -> None:
    base = "/verwaltung/organisationen"
    listing = await pages.get(client, base, "organisations")
    await pages.get(client, f"{base}?q=stadt&sector=verwaltung&region=M%C3%BCnster", "filtered")
    await pages.get(client, f"{base}?q=gibt-es-nicht", "organisations none found")
    await pages.get(client, f"{base}/neu", "new organisation")
    refused = await post_form(client, f"{base}/neu", f"{base}/neu", {"name": ""})
    pages.add("new organisation refused", refused, 422)
    first = re.findall(r'href="/verwaltung/organisationen/(\d+)"', listing)[0]
    await pages.get(client, f"{base}/{first}", "edit organisation")
    await pages.get(client, f"{base}/{first}/zusammenfuehren", "merge organisations")


async def venue_pages(client: httpx.AsyncClient, pages: Pages) -> None:
    base, online = "/verwaltung/orte", "/verwaltung/online-raeume"
    listing = await pages.get(client, base, "venues")
    await pages.get(client, f"{base}?q=m%C3%BCnster&region=M%C3%BCnster", "venues filtered")
    await pages.get(client, f"{base}?q=gibt-es-nicht", "venues none found")
    await pages.get(client, f"{base}?nach=kaputt", "venues bad cursor", 400)
    await pages.get(client, f"{base}/neu", "new venue")
    refused = await post_form(
        client,
        f"{base}/neu",
        f"{base}/neu",
        {"name": "", "postal_code": "4814", "accessible_toilet": "y", "region": "Köln",
         "accessibility_notes": "Barrierefrei\x00"},
    )  # fmt: skip
    pages.add("new venue refused", refused, 422)
    first = re.findall(r'href="/verwaltung/orte/(\d+)"', listing)[0]
    edit = await pages.get(client, f"{base}/{first}", "edit venue")
    room = re.findall(r'href="(/verwaltung/orte/\d+/raeume/\d+)"', edit)[0]
    await pages.get(client, room, "edit room")
    refused = await post_form(client, room, room, {"name": "", "capacity": "x"})
    pages.add("edit room refused", refused, 422)
    refused = await post_form(
        client, f"{base}/{first}", f"{base}/{first}/raeume", {"room_name": "", "capacity": "0"}
    )
    pages.add("add room refused", refused, 422)
    rooms = await pages.get(client, online, "online rooms")
    await pages.get(client, f"{online}/neu", "new online room")
    refused = await post_form(
        client, f"{online}/neu", f"{online}/neu", {"name": "", "meeting_url": "http://x"}
    )
    pages.add("new online room refused", refused, 422)
    first = re.findall(r'href="/verwaltung/online-raeume/(\d+)"', rooms)[0]
    await pages.get(client, f"{online}/{first}", "edit online room")


async def material_member_pages(client: httpx.AsyncClient, pages: Pages) -> None:
    form = await pages.get(client, "/material", "material order form")
    refused = await client.post(
        "/material",
        data={"csrf_token": csrf_token(form), "address_choice": "neu", "contact": "",
              "delivery_address": "Privat\nWeg 1\n4814 Nirgendwo", "menge-1": "x"},
    )  # fmt: skip
    pages.add("material order refused", refused, 422)
    await pages.get(client, "/meine-bestellungen", "my orders")
    await pages.get(client, "/meine-bestellungen/1", "someone else's order", 403)


async def material_pages(client: httpx.AsyncClient, pages: Pages) -> None:
    await pages.get(client, "/verwaltung/material", "material catalogue")
    await pages.get(client, "/verwaltung/material/neu", "new material item")
    refused = await post_form(
        client, "/verwaltung/material/neu", "/verwaltung/material/neu", {"name": "", "stock": "-"}
    )
    pages.add("new material item refused", refused, 422)
    await pages.get(client, "/verwaltung/material/1", "edit material item")
    queue = await pages.get(client, "/verwaltung/bestellungen", "order queue")
    await pages.get(client, "/verwaltung/bestellungen?status=alle", "order queue all")
    await pages.get(client, "/verwaltung/bestellungen?status=x", "order queue refused", 400)
    for order_id in sorted(set(re.findall(r'href="/verwaltung/bestellungen/(\d+)"', queue))):
        await pages.get(client, f"/verwaltung/bestellungen/{order_id}", f"order {order_id}")
    await pages.get(client, "/verwaltung/bestellungen/1", "shipped order")
    manage = "/verwaltung/bestellungen/3"
    refused = await post_form(client, manage, f"{manage}/schritt", {"aktion": "rejected"})
    pages.add("order step refused", refused, 422)
    refused = await post_form(client, manage, f"{manage}/mengen", {"menge-1": "x"})
    pages.add("order quantities refused", refused, 422)


async def feedback_pages(
    app: Starlette, client: httpx.AsyncClient, pages: Pages, events: list[Event]
) -> None:
    """The organisers' results and overview, and the form behind a link (for one attendee of
    the past BIUS I, invited here as the job would)."""
    webinar = next(e for e in events if e.title.startswith("Webinar: Gewaltprävention"))
    await pages.get(client, f"/verwaltung/veranstaltungen/{webinar.id}/rueckmeldungen", "results")
    await pages.get(client, "/verwaltung/rueckmeldungen", "feedback overview")
    await pages.get(client, "/verwaltung/rueckmeldungen?von=x&jahr=1", "overview refused", 400)
    past = next(e for e in events if e.course_code == "BIUS-I" and e.sessions[0].starts_at < NOW)
    await pages.get(client, f"/verwaltung/veranstaltungen/{past.id}/rueckmeldungen", "none yet")
    await invite(app.state.app.sessions, past.sessions[-1].ends_at + timedelta(hours=1))
    async with app.state.app.sessions() as session:
        mail = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.template == "feedback_invitation")
        )
    assert mail is not None
    link = f"/rueckmeldung/{mail.context['token']}"
    await pages.get(client, link, "feedback link expired", 410)  # 30 days after the course
    async with app.state.app.sessions() as session:
        await session.execute(
            update(FeedbackInvitation).values(expires_at=NOW + timedelta(days=30))
        )
        await session.commit()
    form = await pages.get(client, link, "feedback form")
    refused = await client.post(link, data={"csrf_token": csrf_token(form), "usefulness": "9"})
    pages.add("feedback refused", refused, 422)
    sent = await client.post(link, data={"csrf_token": csrf_token(form), "usefulness": "4"})
    assert sent.status_code == 303
    await pages.get(client, "/rueckmeldung/danke", "feedback thanks")
    await pages.get(client, link, "feedback link used", 409)
    await pages.get(client, "/rueckmeldung/ausgedacht", "feedback link unknown", 404)


async def joining_visitor_pages(client: httpx.AsyncClient, pages: Pages) -> None:
    """The public form (refused too), its link pages, the partner list, an Urkunde's check."""
    form = await pages.get(client, "/netzwerkpartner-werden", "joining form")
    refused = await client.post(
        "/netzwerkpartner-werden",
        data={"csrf_token": csrf_token(form), "name": "", "postal_code": "123",
              "domains": "gmail.com", "contact_email": "kein-at"},
    )  # fmt: skip
    pages.add("joining form refused", refused, 422)
    await pages.get(client, "/netzwerkpartner-werden/gesendet", "joining sent")
    await pages.get(client, "/netzwerkpartner-werden/bestaetigen?token=x", "joining link bad", 400)
    await pages.get(client, "/netzwerkpartner", "partners")
    await pages.get(client, "/netzwerkpartner?sector=justiz&region=K%C3%B6ln", "partners none")
    await pages.get(client, "/netzwerkpartner?region=Bayern", "partners refused", 400)
    await pages.get(client, "/urkunden/pruefen/erfunden-und-falsch", "unknown urkunde", 404)
    await pages.get(client, "/impressum", "impressum")
    await pages.get(client, "/datenschutz", "datenschutz")
    await pages.get(client, "/barrierefreiheit", "barrierefreiheit")
    refused = await post_form(
        client, "/barrierefreiheit", "/barrierefreiheit", {"message": "", "email": "x"}
    )
    pages.add("accessibility feedback refused", refused, 422)
    await pages.get(client, "/barrierefreiheit/danke", "accessibility feedback thanks")


async def joining_pages(app: Starlette, client: httpx.AsyncClient, pages: Pages) -> None:
    """The queue, the waiting application (its refused forms too), the Urkunde's pages."""
    queue = await pages.get(client, "/verwaltung/aufnahmen", "joining queue")
    [application] = re.findall(r'href="(/verwaltung/aufnahmen/\d+)"', queue)
    page = await pages.get(client, application, "joining application")
    refused = await client.post(
        f"{application}/rueckfrage", data={"csrf_token": csrf_token(page), "question": ""}
    )
    pages.add("joining question refused", refused, 422)
    refused = await client.post(
        f"{application}/zuordnen", data={"csrf_token": csrf_token(page), "organisation": "x"}
    )
    pages.add("joining merge refused", refused, 422)
    listing = await client.get("/verwaltung/organisationen?q=hamm")
    [hamm] = re.findall(r'href="(/verwaltung/organisationen/\d+)"', listing.text)
    edit = await pages.get(client, hamm, "organisation with urkunde")
    await pages.get(client, "/organisation", "own organisation, not a coordinator", 403)
    number = re.findall(r'href="/urkunden/([0-9-]+)\.pdf"', edit)[0]
    async with client_for(app, 40007) as coordinator:
        await sign_in(coordinator, app, JOINED_EMAIL)
        own = await pages.get(coordinator, "/organisation", "own organisation")
        assert number in own
    async with client_for(app, 40008) as visitor:
        code = re.findall(r"/urkunden/pruefen/([\w-]+)", own)[0]
        await pages.get(visitor, f"/urkunden/pruefen/{code}", "urkunde valid")


def vnu_errors(directory: Path) -> dict[str, list[str]]:
    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", str(directory)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(run.stderr)
    errors: dict[str, list[str]] = {}
    for message in report["messages"]:
        if message["type"] in ("error", "non-document-error") or message.get("subType") == "fatal":
            name = Path(message.get("url", "?")).name
            where = f"line {message.get('lastLine', '?')}"
            errors.setdefault(name, []).append(
                f"{where}: {message['message']} [{message.get('extract', '').strip()}]"
            )
    return errors


async def trainer_pages(app: Starlette, client: httpx.AsyncClient, pages: Pages) -> str:
    """The trainer's pages; issues the certificates of the past course and returns the address
    of their list."""
    await sign_in(client, app, TRAINER_EMAIL)
    courses = await pages.get(client, "/meine-kurse", "my courses")
    [certificates] = re.findall(r'href="(/kurse/\d+/bescheinigungen)"', courses)
    before = await pages.get(client, certificates, "certificates before issuing")
    assert (await client.post(certificates, data={"csrf_token": csrf_token(before)})).is_redirect
    await pages.get(client, certificates, "certificates issued")
    rosters = sorted(set(re.findall(r'href="(/kurse/\d+/termine/\d+)"', courses)))
    assert rosters, "the demo trainer has courses"
    roster = await pages.get(client, rosters[0], "roster")
    await pages.get(client, rosters[0] + "?suche=niemand", "roster searched in vain")
    refused = await client.post(
        rosters[0], data={"csrf_token": csrf_token(roster), "mark-1": "anwesend"}
    )
    pages.add("roster refused", refused, 422)
    walk_in = await client.post(
        rosters[0] + "/vor-ort", data={"csrf_token": csrf_token(roster), "email": "x@y.example"}
    )
    pages.add("walk-in refused", walk_in, 422)
    return certificates


async def coordinator_pages(app: Starlette, client: httpx.AsyncClient, pages: Pages) -> None:
    """The school's coordinator: requests to release, the school's bookings, declining and
    handing a seat on (refused forms included)."""
    await sign_in(client, app, COORDINATOR_EMAIL)
    requests = await pages.get(client, "/organisation/anfragen", "requests to release")
    [decline] = re.findall(r'href="(/organisation/anfragen/\d+/ablehnen)"', requests)[:1]
    await pages.get(client, decline, "decline a request")
    pages.add("decline refused", await post_form(client, decline, decline, {"reason": ""}), 422)
    bookings = await pages.get(client, "/organisation/buchungen", "the organisation's bookings")
    [hand_on] = re.findall(r'href="(/organisation/buchungen/\d+/uebertragen)"', bookings)[:1]
    await pages.get(client, hand_on, "hand a seat on")
    refused = await post_form(client, hand_on, hand_on, {"email": "niemand@example.org"})
    pages.add("hand on refused", refused, 422)


async def revoke_pages(client: httpx.AsyncClient, pages: Pages, certificates: str) -> None:
    listing = await pages.get(client, certificates, "certificates with revocation")
    revoke = re.findall(r'action="(/bescheinigungen/[^"]+/widerrufen)"', listing)[0]
    refused = await client.post(revoke, data={"csrf_token": csrf_token(listing), "grund": ""})
    pages.add("revocation refused", refused, 422)


async def draw_pages(
    app: Starlette, client: httpx.AsyncClient, pages: Pages, events: list[Event]
) -> None:
    """The demo's BIUS I by draw: a requester's event page, the protocol before and after."""
    lottery = next(e for e in events if e.allocation == "draw")
    protocol = f"/verwaltung/veranstaltungen/{lottery.id}/platzvergabe"
    await pages.get(client, protocol, "draw pending")
    async with app.state.app.sessions() as session:
        requester = await session.scalar(
            select(Member.email)
            .join(Booking, Booking.member_id == Member.id)
            .where(Booking.event_id == lottery.id)
            .limit(1)
        )
    assert requester is not None and lottery.registration_deadline is not None
    async with client_for(app, 40007) as member:
        await sign_in(member, app, requester)
        page = await pages.get(member, f"/veranstaltungen/{lottery.id}", "draw requested")
        assert "nimmt an der Platzvergabe teil" in page
    async with app.state.app.sessions() as session:
        after = lottery.registration_deadline + timedelta(minutes=1)
        assert await draw.run_draw(session, lottery.id, after) is not None
    await pages.get(client, protocol, "draw protocol")
    await pages.get(client, f"/veranstaltungen/{lottery.id}", "drawn event")


async def test_every_page_passes_the_nu_html_checker(demo_app: Starlette, tmp_path: Path) -> None:
    assert VNU_JAR.exists(), f"{VNU_JAR} is missing: run `make vnu` (make test does)"
    pages = Pages(tmp_path / "pages")
    pages.directory.mkdir()
    async with demo_app.state.app.sessions() as session:
        events = list(
            await session.scalars(
                select(Event).order_by(Event.id).options(selectinload(Event.sessions))
            )
        )
    async with client_for(demo_app, 40001) as visitor:
        await visitor_pages(visitor, pages, events)
        await joining_visitor_pages(visitor, pages)
    async with client_for(demo_app, 40002) as member:
        await member_pages(demo_app, member, pages)
    async with client_for(demo_app, 40003) as newcomer:
        await new_member_pages(demo_app, newcomer, pages)
    async with client_for(demo_app, 40005) as trainer:
        certificates = await trainer_pages(demo_app, trainer, pages)
    async with client_for(demo_app, 40006) as coordinator:
        await coordinator_pages(demo_app, coordinator, pages)
    async with client_for(demo_app, 40004) as organiser:
        await organiser_pages(demo_app, organiser, pages, events)
        await draw_pages(demo_app, organiser, pages, events)
        await revoke_pages(organiser, pages, certificates)
        async with demo_app.state.app.sessions() as session:
            member_id = await session.scalar(select(Member.id).where(Member.email == MEMBER))
        assert member_id is not None
        await member_erasure_pages(organiser, pages, member_id)
    assert len(pages.seen) > 40
    errors = vnu_errors(pages.directory)
    assert errors == {}, "\n".join(
        f"{name}:\n  " + "\n  ".join(found) for name, found in sorted(errors.items())
    )
