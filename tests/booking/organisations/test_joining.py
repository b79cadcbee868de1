"""Joining online (booking/organisations/joining.py) on SQLite and, with TEST_DATABASE_URL,
PostgreSQL: the application's checks, the double opt-in, the organisers' four answers with
their mails and audit entries, and who may do what."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.core.db import session_factory
from booking.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.members.services import complete_sign_in, request_sign_in, sign_in_serializer
from booking.organisations import joining, messages, urkunden
from booking.organisations.models import (
    JoiningApplication,
    JoiningCertificate,
    Organisation,
    OrganisationDomain,
)
from booking.privacy.models import AuditEntry
from tests import factories
from tests.factories import NOW

SERIALIZER = joining.confirm_serializer("test-secret-" + "x" * 32)
BASE = "http://testserver"

APPLICATION = joining.ApplicationInput(
    name="Stadt Mülheim an der Ruhr",
    sector="verwaltung",
    region="Düsseldorf",
    street="Ruhrstraße 32–34",
    address_extra="Ordnungsamt",
    postal_code="45468",
    city="Mülheim an der Ruhr",
    head_name="Dr. Marc Buchholz",
    head_function="Oberbürgermeister",
    contact_first_name="Ayşe",
    contact_last_name="Öztürk",
    contact_email="Ayse.Oeztuerk@Muelheim-Ruhr.example",
    domains=["muelheim-ruhr.example", "@Feuerwehr.Muelheim-Ruhr.example"],
    listed=True,
)


async def organiser(db: AsyncSession) -> Member:
    return await factories.member(db, role="organiser")


async def count(db: AsyncSession, model: type) -> int:
    await db.commit()
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def mails(db: AsyncSession, template: str | None = None) -> list[OutboxMessage]:
    await db.commit()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        query = query.where(OutboxMessage.template == template)
    return list(await db.scalars(query))


async def applied(db: AsyncSession, data: joining.ApplicationInput = APPLICATION) -> str:
    """Apply; the confirmation link's token from the mail."""
    await joining.apply(db, data, serializer=SERIALIZER, base_url=BASE, now=NOW)
    link = str((await mails(db, "joining_confirm"))[-1].context["link"])
    return link.partition("token=")[2]


async def confirmed(db: AsyncSession, data: joining.ApplicationInput = APPLICATION) -> int:
    application = await joining.confirm(
        db, token=await applied(db, data), serializer=SERIALIZER, now=NOW
    )
    return application.id


# -- the form's rules -----------------------------------------------------------------------------


def test_a_good_application_is_cleaned() -> None:
    cleaned = joining.check_application(APPLICATION)
    assert cleaned.contact_email == "ayse.oeztuerk@muelheim-ruhr.example"
    assert cleaned.domains == ["muelheim-ruhr.example", "feuerwehr.muelheim-ruhr.example"]
    assert cleaned.postal_code == "45468" and cleaned.listed is True


def test_domains_are_split_as_people_type_them() -> None:
    assert joining.split_domains(" a.de, b.de;c.de\n d.de ") == ["a.de", "b.de", "c.de", "d.de"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", messages.NAME_REQUIRED),
        ({"name": "A\x00B"}, "name", messages.NAME_CONTROL_CHARS),
        ({"name": "x" * 201}, "name", messages.NAME_TOO_LONG),
        ({"sector": "marine"}, "sector", messages.SECTOR_UNKNOWN),
        ({"region": "Bayern"}, "region", messages.REGION_UNKNOWN),
        ({"street": " "}, "street", messages.STREET_REQUIRED),
        ({"street": "x" * 201}, "street", messages.TEXT_TOO_LONG.format(max=200)),
        ({"address_extra": "a\nb"}, "address_extra", messages.CONTROL_CHARS),
        ({"postal_code": "4546"}, "postal_code", messages.POSTAL_CODE_INVALID),
        ({"postal_code": "45a68"}, "postal_code", messages.POSTAL_CODE_INVALID),
        ({"postal_code": "４５４６８"}, "postal_code", messages.POSTAL_CODE_INVALID),
        ({"city": ""}, "city", messages.CITY_REQUIRED),
        ({"head_name": ""}, "head_name", messages.HEAD_NAME_REQUIRED),
        ({"head_function": ""}, "head_function", messages.HEAD_FUNCTION_REQUIRED),
        ({"contact_first_name": ""}, "contact_first_name", messages.CONTACT_FIRST_NAME_REQUIRED),
        ({"contact_last_name": "\x7f"}, "contact_last_name", messages.CONTROL_CHARS),
        ({"contact_email": "kein-at"}, "contact_email", messages.CONTACT_EMAIL_INVALID),
        ({"contact_email": "a@b.example, c@d.example"}, "contact_email",
         messages.CONTACT_EMAIL_INVALID),
        ({"contact_email": "ayse@gmail.com"}, "contact_email", messages.CONTACT_EMAIL_NOT_OFFICIAL),
        ({"contact_email": "x@sub.muelheim-ruhr.example"}, "contact_email",
         messages.CONTACT_EMAIL_NOT_OFFICIAL),
        ({"domains": []}, "domains", messages.DOMAINS_REQUIRED),
        ({"domains": ["", " "]}, "domains", messages.DOMAINS_REQUIRED),
        ({"domains": ["nicht eine domain"]}, "domains", messages.DOMAIN_INVALID),
        ({"domains": ["localhost"]}, "domains", messages.DOMAIN_INVALID),
        ({"domains": [f"d{n}.example" for n in range(21)]}, "domains",
         messages.DOMAINS_TOO_MANY),
        ({"domains": ["muelheim-ruhr.example", "web.de"]}, "domains",
         messages.DOMAIN_FREEMAIL.format(domain="web.de")),
        ({"domains": ["GMX.de"], "contact_email": "a@gmx.de"}, "domains",
         messages.DOMAIN_FREEMAIL.format(domain="gmx.de")),
        ({"domains": ["mail.t-online.de"]}, "domains",
         messages.DOMAIN_FREEMAIL.format(domain="mail.t-online.de")),
    ],
)  # fmt: skip
def test_bad_input_is_refused_by_field_in_german(
    changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        joining.check_application(replace(APPLICATION, **changes))
    assert refused.value.fields[field] == message
    assert refused.value.message == messages.CHECK_INPUT


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ValidationFailed) as refused:
        joining.check_application(replace(APPLICATION, name="", postal_code="1", city=""))
    assert set(refused.value.fields) == {"name", "postal_code", "city"}


# -- applying and confirming ----------------------------------------------------------------------


async def test_applying_keeps_it_unconfirmed_and_mails_the_link(db: AsyncSession) -> None:
    await applied(db)
    [application] = list(await db.scalars(select(JoiningApplication)))
    assert application.status == "unconfirmed" and application.confirmed_at is None
    assert application.domains == ["muelheim-ruhr.example", "feuerwehr.muelheim-ruhr.example"]
    [mail] = await mails(db)
    assert mail.recipient == "ayse.oeztuerk@muelheim-ruhr.example"
    assert mail.template == "joining_confirm"
    assert str(mail.context["link"]).startswith(f"{BASE}/netzwerkpartner-werden/bestaetigen?")


async def test_refused_input_writes_nothing(db: AsyncSession) -> None:
    with pytest.raises(ValidationFailed):
        await joining.apply(
            db, replace(APPLICATION, name="A\x00"), serializer=SERIALIZER, base_url=BASE, now=NOW
        )
    assert await count(db, JoiningApplication) == 0
    assert await count(db, OutboxMessage) == 0


async def test_known_domains_and_names_answer_the_same(db: AsyncSession) -> None:
    """The form tells a stranger nothing: a domain or a name another organisation holds is
    taken like any other; the review shows the conflict."""
    await factories.organisation(db, domain="muelheim-ruhr.example")
    await applied(db)
    await applied(db, replace(APPLICATION, name="Organisation 1"))
    assert await count(db, JoiningApplication) == 2
    assert len(await mails(db, "joining_confirm")) == 2


async def test_the_link_confirms_once(db: AsyncSession) -> None:
    token = await applied(db)
    application = await joining.confirm(db, token=token, serializer=SERIALIZER, now=NOW)
    assert application.status == "confirmed" and application.confirmed_at == NOW
    with pytest.raises(InvalidState) as used:
        await joining.confirm(db, token=token, serializer=SERIALIZER, now=NOW)
    assert used.value.message == messages.CONFIRM_LINK_USED


async def test_the_link_expires_after_48_hours(db: AsyncSession) -> None:
    with time_machine.travel(NOW, tick=False):
        token = await applied(db)
    with (
        time_machine.travel(NOW + timedelta(hours=48, seconds=2), tick=False),
        pytest.raises(ValidationFailed) as expired,
    ):
        await joining.confirm(db, token=token, serializer=SERIALIZER, now=NOW)
    assert expired.value.message == messages.CONFIRM_LINK_INVALID
    await db.commit()
    assert (await db.scalar(select(JoiningApplication.status))) == "unconfirmed"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "kaputt",
        "x" * 1001,
        joining.confirm_serializer("another-secret-" + "y" * 32).dumps(
            {"application": 1, "nonce": "n"}
        ),
        SERIALIZER.dumps({"application": "1", "nonce": "n"}),
        SERIALIZER.dumps(["application", 1]),
        SERIALIZER.dumps({"application": 1, "nonce": "falsch"}),
        SERIALIZER.dumps({"application": 999, "nonce": "falsch"}),
    ],
)
async def test_forged_links_are_refused(db: AsyncSession, token: str) -> None:
    await applied(db)
    with pytest.raises(ValidationFailed) as refused:
        await joining.confirm(db, token=token, serializer=SERIALIZER, now=NOW)
    assert refused.value.message == messages.CONFIRM_LINK_INVALID
    await db.commit()
    assert (await db.scalar(select(JoiningApplication.status))) == "unconfirmed"


# -- the organisers' review -----------------------------------------------------------------------


async def test_the_queue_holds_confirmed_ones_oldest_first_a_page_at_a_time(
    db: AsyncSession,
) -> None:
    actor = await organiser(db)
    await applied(db, replace(APPLICATION, name="Nie bestätigt"))
    ids = []
    for n in range(5):
        token = await applied(db, replace(APPLICATION, name=f"Anfrage {n}"))
        application = await joining.confirm(
            db, token=token, serializer=SERIALIZER, now=NOW + timedelta(minutes=10 - n)
        )
        ids.append(application.id)
    first = await joining.open_applications(db, actor, limit=3)
    assert [a.name for a in first.items] == ["Anfrage 4", "Anfrage 3", "Anfrage 2"]
    assert first.total == 5 and first.next_cursor
    second = await joining.open_applications(db, actor, cursor=first.next_cursor, limit=3)
    assert [a.name for a in second.items] == ["Anfrage 1", "Anfrage 0"]
    assert second.next_cursor is None
    with pytest.raises(ValidationFailed):
        await joining.open_applications(db, actor, cursor="kaputt")


async def test_only_organisers_review(db: AsyncSession) -> None:
    application_id = await confirmed(db)
    org = await factories.organisation(db)
    coordinator = await factories.member(db, org, role="coordinator")
    for someone in (await factories.member(db), coordinator):
        with pytest.raises(Forbidden):
            await joining.open_applications(db, someone)
        with pytest.raises(Forbidden):
            await joining.get_application(db, application_id, someone)
        with pytest.raises(Forbidden):
            await joining.accept(db, actor=someone, application_id=application_id, now=NOW)
        with pytest.raises(Forbidden):
            await joining.accept_into(
                db, actor=someone, application_id=application_id, organisation_id=org.id, now=NOW
            )
        with pytest.raises(Forbidden):
            await joining.ask(
                db, actor=someone, application_id=application_id, question="?", now=NOW
            )
        with pytest.raises(Forbidden):
            await joining.decline(
                db, actor=someone, application_id=application_id, reason="Nein", now=NOW
            )
    assert await count(db, Organisation) == 2  # the coordinator's and the member's
    assert (await db.scalar(select(JoiningApplication.status))) == "confirmed"


async def test_unconfirmed_applications_are_nobodys(db: AsyncSession) -> None:
    actor = await organiser(db)
    await applied(db)
    application_id = await db.scalar(select(JoiningApplication.id))
    assert application_id is not None
    with pytest.raises(NotFound):
        await joining.get_application(db, application_id, actor)
    with pytest.raises(NotFound):
        await joining.accept(db, actor=actor, application_id=application_id, now=NOW)


async def test_accepting_creates_the_organisation_its_domains_and_the_urkunde(
    db: AsyncSession,
) -> None:
    actor = await organiser(db)
    application_id = await confirmed(db)
    accepted = await joining.accept(db, actor=actor, application_id=application_id, now=NOW)

    await db.commit()
    organisation = await db.scalar(
        select(Organisation).where(Organisation.name == "Stadt Mülheim an der Ruhr")
    )
    assert organisation is not None and organisation.listed
    assert organisation.joined_on == NOW.astimezone(urkunden.BERLIN).date()
    domains = await db.scalars(
        select(OrganisationDomain.domain).where(
            OrganisationDomain.organisation_id == organisation.id
        )
    )
    assert sorted(domains) == ["feuerwehr.muelheim-ruhr.example", "muelheim-ruhr.example"]
    certificate = accepted.certificate
    assert certificate.number == f"{NOW.astimezone(urkunden.BERLIN).year}-0001"
    assert certificate.organisation_name == organisation.name and certificate.valid
    application = await db.get(JoiningApplication, application_id, populate_existing=True)
    assert application is not None and application.status == "accepted"
    assert application.organisation_id == organisation.id and application.decided_by == actor.id
    [mail] = await mails(db, "joining_accepted")
    assert mail.recipient == "ayse.oeztuerk@muelheim-ruhr.example"
    [entry] = list(await db.scalars(select(AuditEntry)))
    assert entry.action == "joining_accepted" and entry.actor_id == actor.id
    assert entry.after["urkunde"] == certificate.number

    # Its staff sign in at once, as members of the new organisation.
    serializer = sign_in_serializer("s" * 40)
    await request_sign_in(
        db, email="kim@feuerwehr.muelheim-ruhr.example", serializer=serializer, base_url=BASE
    )
    link = str((await mails(db, "sign_in_link"))[-1].context["link"])
    result = await complete_sign_in(
        db, token=link.partition("token=")[2], serializer=serializer, now=NOW
    )
    assert result.member.status == "active"
    assert result.member.organisation_id == organisation.id


async def test_a_decided_application_takes_no_second_answer(db: AsyncSession) -> None:
    actor = await organiser(db)
    application_id = await confirmed(db)
    await joining.accept(db, actor=actor, application_id=application_id, now=NOW)
    for attempt in (
        joining.accept(db, actor=actor, application_id=application_id, now=NOW),
        joining.decline(db, actor=actor, application_id=application_id, reason="x", now=NOW),
        joining.ask(db, actor=actor, application_id=application_id, question="x", now=NOW),
    ):
        with pytest.raises(InvalidState):
            await attempt
    assert await count(db, JoiningCertificate) == 1
    assert len(await mails(db, "joining_accepted")) == 1


async def test_a_domain_of_another_organisation_refuses_acceptance_and_writes_nothing(
    db: AsyncSession,
) -> None:
    actor = await organiser(db)
    owner = await factories.organisation(db, domain="feuerwehr.muelheim-ruhr.example")
    application_id = await confirmed(db)
    with pytest.raises(ValidationFailed) as refused:
        await joining.accept(db, actor=actor, application_id=application_id, now=NOW)
    assert refused.value.fields["domains"] == messages.DOMAIN_TAKEN.format(
        domain="feuerwehr.muelheim-ruhr.example", name=owner.name
    )
    assert await count(db, Organisation) == 2  # the organiser's and the owner
    assert await count(db, JoiningCertificate) == 0
    assert await mails(db, "joining_accepted") == []
    assert await count(db, AuditEntry) == 0

    review = await joining.conflicts(db, await joining.get_application(db, application_id, actor))
    assert [o.id for o in review.candidates] == [owner.id]


async def test_a_name_taken_refuses_acceptance(db: AsyncSession) -> None:
    actor = await organiser(db)
    db.add(Organisation(name="STADT MüLHEIM AN DER RUHR", sector="verwaltung", region="Köln"))
    await db.commit()
    application_id = await confirmed(db)
    with pytest.raises(ValidationFailed) as refused:
        await joining.accept(db, actor=actor, application_id=application_id, now=NOW)
    assert "name" in refused.value.fields
    assert await count(db, JoiningCertificate) == 0


async def test_accepting_into_an_existing_organisation_adds_its_domains(
    db: AsyncSession,
) -> None:
    actor = await organiser(db)
    existing = await factories.organisation(db, domain="muelheim-ruhr.example")
    application_id = await confirmed(db)
    accepted = await joining.accept_into(
        db, actor=actor, application_id=application_id, organisation_id=existing.id, now=NOW
    )
    assert accepted.organisation.id == existing.id and accepted.new_certificate
    await db.commit()
    domains = await db.scalars(
        select(OrganisationDomain.domain).where(OrganisationDomain.organisation_id == existing.id)
    )
    assert sorted(domains) == ["feuerwehr.muelheim-ruhr.example", "muelheim-ruhr.example"]
    assert await count(db, Organisation) == 2  # the organiser's and the existing one
    assert accepted.certificate.organisation_name == existing.name
    [entry] = list(await db.scalars(select(AuditEntry)))
    assert entry.action == "joining_merged"

    # A second application into it keeps the Urkunde it has.
    second = await confirmed(db, replace(APPLICATION, domains=["muelheim-ruhr.example"]))
    again = await joining.accept_into(
        db, actor=actor, application_id=second, organisation_id=existing.id, now=NOW
    )
    assert not again.new_certificate and again.certificate.id == accepted.certificate.id
    assert await count(db, JoiningCertificate) == 1


async def test_accepting_into_refuses_a_domain_of_a_third_organisation(db: AsyncSession) -> None:
    actor = await organiser(db)
    existing = await factories.organisation(db, domain="muelheim-ruhr.example")
    third = await factories.organisation(db, domain="feuerwehr.muelheim-ruhr.example")
    application_id = await confirmed(db)
    with pytest.raises(ValidationFailed) as refused:
        await joining.accept_into(
            db, actor=actor, application_id=application_id, organisation_id=existing.id, now=NOW
        )
    assert third.name in refused.value.message
    with pytest.raises(NotFound):
        await joining.accept_into(
            db, actor=actor, application_id=application_id, organisation_id=99999, now=NOW
        )
    assert await count(db, JoiningCertificate) == 0
    assert await mails(db, "joining_accepted") == []


async def test_asking_back_keeps_it_open_and_mails_the_question(db: AsyncSession) -> None:
    actor = await organiser(db)
    application_id = await confirmed(db)
    question = "Gehört die Feuerwehr zur Stadtverwaltung?\nBitte kurz bestätigen."
    application = await joining.ask(
        db, actor=actor, application_id=application_id, question=f"  {question} ", now=NOW
    )
    assert application.status == "asked" and application.question == question
    [mail] = await mails(db, "joining_question")
    assert mail.context["question"] == question
    page = await joining.open_applications(db, actor)
    assert [a.id for a in page.items] == [application_id]
    [entry] = list(await db.scalars(select(AuditEntry)))
    assert entry.action == "joining_asked" and entry.reason == question


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001, "Nein\x00"])
async def test_a_question_or_reason_must_be_sensible(db: AsyncSession, text: str) -> None:
    actor = await organiser(db)
    application_id = await confirmed(db)
    with pytest.raises(ValidationFailed):
        await joining.ask(db, actor=actor, application_id=application_id, question=text, now=NOW)
    with pytest.raises(ValidationFailed):
        await joining.decline(db, actor=actor, application_id=application_id, reason=text, now=NOW)
    assert (await db.scalar(select(JoiningApplication.status))) == "confirmed"
    assert await mails(db, "joining_question") == await mails(db, "joining_declined") == []


async def test_declining_tells_the_reason(db: AsyncSession) -> None:
    actor = await organiser(db)
    application_id = await confirmed(db)
    application = await joining.decline(
        db, actor=actor, application_id=application_id, reason="Kein öffentlicher Dienst.", now=NOW
    )
    assert application.status == "declined"
    assert application.decline_reason == "Kein öffentlicher Dienst."
    assert len(await mails(db, "joining_declined")) == 1
    assert (await joining.open_applications(db, actor)).items == []
    assert await count(db, Organisation) == 1


async def test_two_applications_for_one_domain_accepted_at_once(
    engine: AsyncEngine, db: AsyncSession
) -> None:
    """Both pass the check before either commits; the database lets one organisation have
    the domain, and the other acceptance is refused in German with nothing written."""
    actor = await organiser(db)
    first = await confirmed(db, replace(APPLICATION, name="Stadt A"))
    second = await confirmed(db, replace(APPLICATION, name="Stadt B"))
    sessions = session_factory(engine)
    start = asyncio.Event()

    async def accept(application_id: int) -> str:
        async with sessions() as session:
            member = await session.get(Member, actor.id)
            assert member is not None
            await start.wait()
            try:
                await joining.accept(session, actor=member, application_id=application_id, now=NOW)
            except ValidationFailed as exc:
                return exc.fields.get("domains", exc.message)
            return "accepted"

    tasks = [asyncio.create_task(accept(first)), asyncio.create_task(accept(second))]
    await asyncio.sleep(0.05)
    start.set()
    results = await asyncio.gather(*tasks)
    assert results.count("accepted") == 1
    [refused] = [r for r in results if r != "accepted"]
    assert "gehört bereits zur Organisation „Stadt " in refused
    assert await count(db, JoiningCertificate) == 1
    assert len(await mails(db, "joining_accepted")) == 1
    statuses = sorted(await db.scalars(select(JoiningApplication.status)))
    assert statuses == ["accepted", "confirmed"]
