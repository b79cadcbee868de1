from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from booking.app import mail_renderer
from booking.bookings import services
from booking.bookings.models import Announcement
from booking.mail.models import OutboxMessage
from booking.mail.render import MAIL_TEMPLATES
from booking.mail.services import TEMPLATES
from booking.newsletter.models import Issue, Subscription
from booking.organisations.models import JoiningApplication, JoiningCertificate
from booking.settings import Settings
from courses.certificates.models import Certificate
from courses.feedback.models import FeedbackInvitation
from materials.orders import Line, place_order
from tests import factories
from tests.factories import NOW
from tests.materials import factories as material_factories


def test_every_template_folder_is_complete() -> None:
    folders = {p.name for p in MAIL_TEMPLATES.iterdir() if p.is_dir()}
    assert folders == set(TEMPLATES)
    for name in TEMPLATES:
        assert {p.name for p in (MAIL_TEMPLATES / name).iterdir()} == {
            "subject.txt",
            "body.txt",
            "body.html",
        }


@pytest.mark.parametrize("template", TEMPLATES)
async def test_every_template_renders_in_german(db: AsyncSession, template: str) -> None:
    event = await factories.event(db, title="BIUS I")
    person = await factories.member(db)
    result = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    certificate = Certificate(
        number="SID-2027-000001", code="c" * 22, booking_id=result.booking.id,
        member_id=person.id, event_id=event.id, participant_name=person.display_name,
        course_title=event.title, dates="Di., 02.03.2027", units_attended=8, units_offered=16,
        partial_note="teilgenommen an 1 von 2 Trainingstagen, 8 von 16 UE", issued_at=NOW,
        revoked_at=NOW, revoked_reason="Anwesenheit berichtigt",
    )  # fmt: skip
    announcement = Announcement(
        event_id=event.id, audience="all", subject="Hinweis zu {veranstaltung}",
        body="Guten Tag {name},\n\nbitte beachten Sie den neuen Raum.", recipients=1,
    )  # fmt: skip
    db.add_all([certificate, announcement])
    await db.commit()
    invitation = FeedbackInvitation(
        event_id=event.id, booking_id=result.booking.id, token_hash="f" * 64, sent_at=NOW,
        expires_at=NOW + timedelta(days=30),
    )  # fmt: skip
    db.add(invitation)
    await db.commit()
    wedges = await material_factories.item(db, name="Türkeil", stock=10)
    order = await place_order(
        db, actor=person, lines=[Line(wedges.id, 5)], contact="Wache",
        delivery_address=material_factories.address(person.organisation), now=NOW,
    )  # fmt: skip
    application = JoiningApplication(
        name="Kreis Borken", sector="verwaltung", region="Münster", street="Burloer Str. 93",
        postal_code="46325", city="Borken", head_name="Dr. Kai Zwicker", head_function="Landrat",
        contact_first_name="Łucja", contact_last_name="Kowalska",
        contact_email="l.kowalska@kreis-borken.example", domains=["kreis-borken.example"],
        listed=True, status="accepted", confirm_nonce="n", created_at=NOW,
        organisation_id=person.organisation_id, decline_reason="Keine Behörde.",
    )  # fmt: skip
    db.add(application)
    db.add(
        JoiningCertificate(
            year=2027, serial=42, number="2027-0042", code="u" * 22,
            organisation_id=person.organisation_id, organisation_name="Kreis Borken",
            joined_on=NOW.date(), issued_at=NOW,
        )
    )  # fmt: skip
    issue = Issue(
        subject="Neues aus dem Netzwerk", body_markdown="Guten Tag,\n\n**neue** Termine.",
        status="sent", created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    subscription = Subscription(
        email=person.email, status="confirmed", source="profile", consent_version="2026-12",
        requested_at=NOW, confirmed_at=NOW, confirm_nonce="n", unsubscribe_key="k",
    )  # fmt: skip
    db.add_all([issue, subscription])
    await db.commit()
    context = {
        "link": "https://buchung.example/anmelden/link?token=abc",
        "booking_id": result.booking.id,
        "member_id": person.id,
        "certificate_id": certificate.id,
        "announcement_id": announcement.id,
        "feedback_invitation_id": invitation.id,
        "material_order_id": order.id,
        "material_id": order.lines[0].item_id,
        "token": "t" * 43,
        "reason": "",
        "position": 1,
        "application_id": application.id,
        "question": "Wer leitet Ihre Organisation?",
        "feedback_message": "Der Kontrast der Hinweise ist zu schwach.",
        "feedback_page": "/programm",
        "feedback_name": "Ute Beispiel",
        "feedback_email": "ute@beispiel.example",
        "months": 36,
        "erase_on": "Mo., 01.03.2027",
        "newsletter_issue_id": issue.id,
        "subscription_id": subscription.id,
    }
    message = OutboxMessage(id=1, recipient=person.email, template=template, context=context)
    settings = Settings(base_url="https://buchung.example")
    rendered = await mail_renderer().render(db, settings, message)
    assert rendered.subject and "\n" not in rendered.subject
    assert "Guten Tag" in rendered.text
    assert rendered.html.startswith("<!DOCTYPE html>") and 'lang="de"' in rendered.html
    assert "{{" not in rendered.text + rendered.html
    if template == "joining_accepted":
        assert "Urkunde Nr. 2027-0042" in rendered.text
        assert "/urkunden/2027-0042.pdf?zugang=" in rendered.text
