"""Certificates on the web: issued from Meine Kurse, downloaded by their owner (the QR code
leads to the verification page), verified by anyone without learning more than needed."""

from __future__ import annotations

from pathlib import Path

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
    issued = await post_form(client, "/meine-kurse", f"/kurse/{event.id}/bescheinigungen")
    assert issued.status_code == 303
    assert "2 Bescheinigung(en) ausgestellt." in (await client.get("/meine-kurse")).text

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
