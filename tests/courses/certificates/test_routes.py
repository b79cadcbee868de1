"""Certificates on the web: issued from Meine Kurse, downloaded by their owner (the QR code
leads to the verification page), verified by anyone without learning more than needed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import httpx
import zxingcpp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.members.models import Member
from courses.attendance import services as attendance
from courses.certificates.models import Certificate
from tests import factories
from tests.api import assert_german_error, token_of
from tests.courses.certificates.test_services import marked_training
from tests.factories import NOW
from tests.pdfs import page_texts, render_page
from tests.web import post_form, sign_in


async def test_issue_download_and_verify(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, tmp_path: Path
) -> None:
    trainer, event, full, half, _ = await marked_training(db)
    trainer.email = "trainer@akademie.example"
    org = await factories.organisation(db, domain="akademie.example")
    trainer.organisation_id = org.id
    await db.commit()
    await sign_in(client, app, "trainer@akademie.example")
    page_url = f"/kurse/{event.id}/bescheinigungen"
    assert page_url in (await client.get("/meine-kurse")).text
    before = await client.get(page_url)
    assert "Teilweise teilgenommen: <strong>1</strong>" in before.text
    assert "Ausgestellte Bescheinigungen" not in before.text
    assert "2 Bescheinigungen ausstellen" in before.text
    issued = await post_form(client, page_url, page_url)
    assert issued.status_code == 303 and issued.headers["location"] == page_url
    after = (await client.get(page_url)).text
    assert "2 Bescheinigung(en) ausgestellt" in after and 'value="0"' in after
    assert "0 von 2 versandt" in after and "Widerrufen" not in after  # revoking: organisers
    assert "Bescheinigungen ausstellen" not in after and "haben eine gültige" in after
    stand = await client.get(f"{page_url}/stand")
    assert stand.json() == {"valid": 2, "mailed": 0, "failed": 0, "done": False}

    await db.commit()
    certificate = await db.scalar(select(Certificate).where(Certificate.booking_id == half.id))
    assert certificate is not None
    number, code = certificate.number, certificate.code
    owner = await db.get(Member, half.member_id)
    assert owner is not None

    not_theirs = await client.get(f"/bescheinigungen/{number}.pdf")  # the trainer's: 404
    assert not_theirs.status_code == 404

    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as mine:
        await sign_in(mine, app, owner.email)
        pdf = await mine.get(f"/bescheinigungen/{number}.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        (text,) = page_texts(pdf.content)
        assert owner.display_name in text and "8 von 16 UE" in text and number in text
        page = render_page(pdf.content, tmp_path)
        [qr] = zxingcpp.read_barcodes(page)
        assert qr.text == f"http://testserver/bescheinigungen/pruefen/{code}"
        listed = await mine.get("/meine-buchungen")
        assert f"/bescheinigungen/{number}.pdf" in listed.text

    verified = await client.get(qr.text.removeprefix("http://testserver"))
    assert verified.status_code == 200
    assert "Gültig." in verified.text and "BIUS II" in verified.text
    assert f"{owner.first_name} {owner.last_name[0]}." in verified.text
    assert owner.email not in verified.text and owner.last_name not in verified.text
    by_number = await client.get("/bescheinigungen/pruefen", params={"nummer": number.lower()})
    assert "Gültig." in by_number.text
    for unknown in (
        "/bescheinigungen/pruefen/erfunden-und-falsch",
        "/bescheinigungen/pruefen?nummer=SID-1",
    ):
        answer = await client.get(unknown)
        assert answer.status_code == 404 and "nicht bekannt" in answer.text


async def test_the_api_issues_lists_and_revokes(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    trainer, event, full, half, _ = await marked_training(db)
    organiser = await factories.member(db, role="organiser")
    issued = await client.post(
        f"/api/v1/events/{event.id}/certificates", headers=await token_of(db, trainer)
    )
    assert issued.status_code == 201, issued.text
    rows = {row["booking_id"]: row for row in issued.json()}
    assert set(rows) == {full.id, half.id}
    assert (rows[half.id]["partial"], rows[half.id]["units_attended"]) == (True, 8)
    number = rows[half.id]["number"]

    owner = await db.get(Member, half.member_id)
    assert owner is not None
    mine = await client.get("/api/v1/me/certificates", headers=await token_of(db, owner))
    assert [row["number"] for row in mine.json()] == [number]

    url = f"/api/v1/certificates/{number}/revoke"
    assert_german_error(
        await client.post(url, json={"reason": "x"}, headers=await token_of(db, trainer)), 403
    )
    auth = await token_of(db, organiser)
    assert_german_error(await client.post(url, json={"reason": ""}, headers=auth), 422)
    revoked = await client.post(url, json={"reason": "Anwesenheit berichtigt"}, headers=auth)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert_german_error(await client.post(url, json={"reason": "nochmal"}, headers=auth), 409)
    assert_german_error(
        await client.post("/api/v1/certificates/SID-1/revoke", json={"reason": "x"}, headers=auth),
        404,
    )
    verified = await client.get(rows[half.id]["verify_url"].removeprefix("http://testserver"))
    assert "Widerrufen" in verified.text

    # After the correction, a new certificate with a new number.
    await attendance.mark(
        db, event_id=event.id, session_id=event.sessions[1].id, marks=[(half.id, "present")],
        actor=trainer, now=NOW,
    )  # fmt: skip
    again = await client.post(f"/api/v1/events/{event.id}/certificates", headers=auth)
    [renewed] = again.json()
    assert renewed["booking_id"] == half.id and renewed["number"] != number
    assert (renewed["partial"], renewed["units_attended"]) == (False, 16)


async def test_organisers_revoke_on_the_page_with_a_reason(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    trainer, event, full, half, _ = await marked_training(db)
    organiser = await factories.member(db, role="organiser")
    await db.commit()
    await sign_in(client, app, organiser.email)
    page_url = f"/kurse/{event.id}/bescheinigungen"
    await post_form(client, page_url, page_url)
    await db.commit()
    certificate = await db.scalar(select(Certificate).where(Certificate.booking_id == half.id))
    assert certificate is not None
    action = f"/bescheinigungen/{certificate.number}/widerrufen"

    refused = await post_form(client, page_url, action, {"grund": "  "})
    assert refused.status_code == 422
    assert "Bitte geben Sie einen Grund für den Widerruf an" in refused.text
    assert f'id="grund-{certificate.number}"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    revoked = await post_form(client, page_url, action, {"grund": "Anwesenheit berichtigt"})
    assert revoked.status_code == 303 and revoked.headers["location"] == page_url
    listed = (await client.get(page_url)).text
    assert f"Bescheinigung {certificate.number} widerrufen." in listed
    assert "Anwesenheit berichtigt" in listed and "1 gültig, 1 widerrufen" in listed
    verified = await client.get(f"/bescheinigungen/pruefen/{certificate.code}")
    assert "Widerrufen" in verified.text


async def test_pdfs_answer_an_api_token_as_well_as_a_session(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    trainer, event, full, half, _ = await marked_training(db)
    answer = await client.post(
        f"/api/v1/events/{event.id}/certificates", headers=await token_of(db, trainer)
    )
    rows = {row["booking_id"]: row for row in answer.json()}
    pdf_path = rows[half.id]["pdf_url"].removeprefix("http://testserver")
    owner = await db.get(Member, half.member_id)
    other = await db.get(Member, full.member_id)
    assert owner is not None and other is not None

    mine = await client.get(pdf_path, headers=await token_of(db, owner))
    assert mine.status_code == 200 and mine.content.startswith(b"%PDF")
    theirs = await client.get(pdf_path, headers=await token_of(db, other))
    assert theirs.status_code == 404
    forged = await client.get(pdf_path, headers={"Authorization": "Bearer erfunden"})
    assert forged.status_code == 401 and "API-Token ist ungültig" in forged.text
    assert (await client.get(pdf_path)).status_code == 303  # no one: to the sign-in page

    detail = await client.get(f"/api/v1/events/{event.id}", headers=await token_of(db, trainer))
    sheet = detail.json()["sign_in_sheet_url"].removeprefix("http://testserver")
    printed = await client.get(sheet, headers=await token_of(db, trainer))
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    assert (await client.get(sheet, headers=await token_of(db, owner))).status_code == 403


async def test_the_roster_keeps_certified_marks_and_says_why(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    trainer, event, full, half, absent = await marked_training(db)
    organiser = await factories.member(db, role="organiser")
    await db.commit()
    await sign_in(client, app, organiser.email)
    await post_form(
        client, f"/kurse/{event.id}/bescheinigungen", f"/kurse/{event.id}/bescheinigungen"
    )
    roster = f"/kurse/{event.id}/termine/{event.sessions[1].id}"
    page = (await client.get(roster)).text
    assert page.count("Bescheinigung ausgestellt (Berichtigung nach Widerruf)") == 2
    assert f'name="mark-{half.id}" value="present" disabled' in page
    assert f'name="mark-{absent.id}" value="present">' in page

    changed = await post_form(client, roster, roster, {f"mark-{half.id}": "present"})
    assert changed.status_code == 409 and "nach einem Widerruf berichtigen" in changed.text
    corrected = await post_form(client, roster, roster, {f"mark-{absent.id}": "late"})
    assert corrected.status_code == 303
    issue_page = (await client.get(f"/kurse/{event.id}/bescheinigungen")).text
    assert "Bescheinigung ausstellen" in issue_page and "die Person, die" in issue_page


async def test_a_number_or_code_with_a_nul_byte_is_unknown(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    """PostgreSQL refuses a NUL byte in text; a number or code holding one names no
    certificate (404 in German), on every database."""
    organiser = await factories.member(db, role="organiser")
    auth = await token_of(db, organiser)
    await sign_in(client, app, organiser.email)
    number, code = "SID-2026-\x00000001", "A\x00" + "b" * 20
    for answer in (
        await client.get("/bescheinigungen/pruefen", params={"nummer": number}),
        await client.get(f"/bescheinigungen/pruefen/{quote(code)}"),
        await client.get(f"/bescheinigungen/{quote(number)}.pdf"),
    ):
        assert answer.status_code == 404 and "nicht bekannt" in answer.text
    revoked = await client.post(
        f"/api/v1/certificates/{quote(number)}/revoke", json={"reason": "Irrtum"}, headers=auth
    )
    assert_german_error(revoked, 404, "not_found")
