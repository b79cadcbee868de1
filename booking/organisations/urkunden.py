"""The Urkunde: the numbered certificate that an organisation joined the network.

Numbers are ``<year>-<serial>`` ("2027-0042"), counted per year (Berlin time) without gaps:
the serial comes from the year's counter row, raised by an ``UPDATE … RETURNING`` in the
issuing transaction. Concurrent acceptances queue on that row (PostgreSQL's row lock,
SQLite's single writer); a transaction that fails rolls its serial back with it, and
``UNIQUE (year, serial)`` is the database's last word. An organisation holds one current
Urkunde (a partial unique index); a re-issue after a name change supersedes it, and the old
one's verification page says so.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from booking.core.errors import Forbidden, InvalidState, NotFound
from booking.core.formatting import BERLIN
from booking.core.text import URLSAFE_TOKEN
from booking.core.transactions import write_transaction
from booking.members.models import Member
from booking.organisations import messages
from booking.organisations.checks import require_organiser
from booking.organisations.models import (
    JoiningCertificate,
    JoiningCertificateCounter,
    Organisation,
)
from booking.organisations.urkunde_pdf import UrkundeText, render_urkunde
from booking.privacy.audit import record

NUMBER = re.compile(r"[0-9]{4}-[0-9]{4,15}")
"""What an Urkunde's number is made of (``format_number``); anything else (a NUL byte, which
PostgreSQL refuses in text, say) names no Urkunde."""
DOWNLOAD_SALT = "urkunde-download"
DOWNLOAD_MAX_AGE = 90 * 24 * 3600
"""The download link in the acceptance mail holds 90 days; coordinators download it later
from their organisation's page."""


def format_number(year: int, serial: int) -> str:
    return f"{year}-{serial:04d}"


async def next_serial(session: AsyncSession, year: int) -> int:
    """The year's next serial, inside the caller's write transaction: the counter row is
    created if missing (without a race) and raised; the row stays locked until commit."""
    bind = session.bind
    assert bind is not None
    insert = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(JoiningCertificateCounter)
        .values(year=year, last_serial=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    serial = await session.scalar(
        update(JoiningCertificateCounter)
        .where(JoiningCertificateCounter.year == year)
        .values(last_serial=JoiningCertificateCounter.last_serial + 1)
        .returning(JoiningCertificateCounter.last_serial)
    )
    assert serial is not None
    return int(serial)


async def issue(
    session: AsyncSession,
    organisation: Organisation,
    *,
    actor: Member,
    now: datetime,
    joined_on: date | None = None,
) -> JoiningCertificate:
    """Number and keep a new Urkunde for ``organisation`` (in the caller's write transaction);
    it names the organisation as it is called now and the day it joined."""
    year = now.astimezone(BERLIN).year
    serial = await next_serial(session, year)
    certificate = JoiningCertificate(
        year=year,
        serial=serial,
        number=format_number(year, serial),
        code=secrets.token_urlsafe(16),
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        joined_on=joined_on or organisation.joined_on or now.astimezone(BERLIN).date(),
        issued_at=now,
        issued_by=actor.id,
    )
    session.add(certificate)
    await session.flush()
    return certificate


async def current(session: AsyncSession, organisation_id: int) -> JoiningCertificate | None:
    """The organisation's Urkunde that holds (not superseded), if it has one."""
    result: JoiningCertificate | None = await session.scalar(
        select(JoiningCertificate)
        .where(
            JoiningCertificate.organisation_id == organisation_id,
            JoiningCertificate.superseded_at.is_(None),
        )
        .execution_options(populate_existing=True)
    )
    return result


async def reissue(
    session: AsyncSession, *, actor: Member, organisation_id: int, now: datetime
) -> JoiningCertificate:
    """After a name change: a new Urkunde with a new number and the new name, the day of
    joining kept; the old one is superseded by it. Refused while the name is unchanged."""
    require_organiser(actor)
    async with write_transaction(session):
        organisation = await session.scalar(
            select(Organisation).where(Organisation.id == organisation_id).with_for_update()
        )
        if organisation is None:
            raise NotFound(messages.MERGE_UNKNOWN)
        old = await current(session, organisation.id)
        if old is None:
            raise InvalidState(messages.CERTIFICATE_NONE)
        if old.organisation_name == organisation.name:
            raise InvalidState(messages.CERTIFICATE_NAME_UNCHANGED)
        old.superseded_at = now
        await session.flush()
        new = await issue(session, organisation, actor=actor, now=now, joined_on=old.joined_on)
        old.superseded_by_id = new.id
        record(
            session, actor=actor, action="urkunde_reissued", now=now,
            before={"urkunde": old.number, "organisation": old.organisation_name},
            after={"urkunde": new.number, "organisation": new.organisation_name},
        )  # fmt: skip
    return new


async def of_organisation(
    session: AsyncSession, organisation_id: int, viewer: Member
) -> JoiningCertificate:
    """The current Urkunde, for organisers and the organisation's coordinators (403 for
    everyone else); 404 when it has none."""
    if not viewer.is_organiser and viewer.coordinates != organisation_id:
        raise Forbidden()
    found = await current(session, organisation_id)
    if found is None:
        raise NotFound(messages.CERTIFICATE_NONE)
    return found


async def by_code(session: AsyncSession, code: str) -> JoiningCertificate:
    if not URLSAFE_TOKEN.fullmatch(code):
        raise NotFound(messages.CERTIFICATE_UNKNOWN)
    found = await session.scalar(
        select(JoiningCertificate)
        .where(JoiningCertificate.code == code)
        .options(joinedload(JoiningCertificate.superseded_by))
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound(messages.CERTIFICATE_UNKNOWN)
    return found


async def by_number(session: AsyncSession, number: str) -> JoiningCertificate:
    if not NUMBER.fullmatch(number):
        raise NotFound(messages.CERTIFICATE_UNKNOWN)
    found = await session.scalar(
        select(JoiningCertificate)
        .where(JoiningCertificate.number == number)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound(messages.CERTIFICATE_UNKNOWN)
    return found


async def for_download(
    session: AsyncSession, number: str, viewer: Member | None, *, signed_for: str | None
) -> JoiningCertificate:
    """An Urkunde to download: with the signed link of the acceptance mail (``signed_for``
    the number it names), or for an organiser or a coordinator of its organisation; 404 for
    everyone else (its existence is not told to strangers)."""
    certificate = await by_number(session, number)
    if signed_for == certificate.number:
        return certificate
    if viewer is not None and (
        viewer.is_organiser
        or (certificate.organisation_id is not None
            and viewer.coordinates == certificate.organisation_id)
    ):  # fmt: skip
        return certificate
    raise NotFound(messages.CERTIFICATE_UNKNOWN)


def download_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=DOWNLOAD_SALT)


def download_token(serializer: URLSafeTimedSerializer, certificate: JoiningCertificate) -> str:
    return serializer.dumps({"urkunde": certificate.number})


def read_download_token(serializer: URLSafeTimedSerializer, token: str) -> str | None:
    """The number a download link names, or None when it is forged or expired."""
    if not token or len(token) > 500:
        return None
    try:
        data = serializer.loads(token, max_age=DOWNLOAD_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return None
    number = data.get("urkunde") if isinstance(data, dict) else None
    return number if isinstance(number, str) else None


def verify_url(base_url: str, certificate: JoiningCertificate) -> str:
    return f"{base_url}/urkunden/pruefen/{certificate.code}"


def pdf_url(base_url: str, certificate: JoiningCertificate) -> str:
    return f"{base_url}/urkunden/{certificate.number}.pdf"


def render(certificate: JoiningCertificate, verify_url: str) -> bytes:
    """The Urkunde's PDF from what the register keeps (call it in a thread)."""
    return render_urkunde(
        UrkundeText(
            number=certificate.number,
            organisation=certificate.organisation_name,
            joined_on=certificate.joined_on,
            issued_on=certificate.issued_at.astimezone(BERLIN).date(),
            verify_url=verify_url,
        )
    )
