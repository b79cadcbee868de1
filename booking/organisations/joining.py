"""Organisations join online: the public application, its confirmation by the contact (double
opt-in), and the organisers' review (accept, accept into an existing organisation, ask back,
decline), each with a mail to the contact and an entry in the audit log.

The public side answers the same whether or not the organisation, its domains or the contact
are known: a domain that already belongs to an organisation is shown to the organisers in the
review, never to the sender.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.core.errors import InvalidState, NotFound, ValidationFailed
from booking.core.formatting import BERLIN
from booking.core.paging import Page, after_key, decode_cursor, encode_cursor
from booking.core.text import has_control_characters
from booking.core.transactions import write_transaction
from booking.mail.services import enqueue
from booking.members.models import Member
from booking.members.services import valid_email
from booking.organisations import messages, services, urkunden
from booking.organisations.checks import (
    clean_domains,
    clean_name,
    clean_region,
    clean_sector,
    require_organiser,
)
from booking.organisations.models import (
    OPEN_STATUSES,
    ApplicationStatus,
    JoiningApplication,
    JoiningCertificate,
    Organisation,
)
from booking.organisations.queries import domain_owners, named
from booking.privacy.audit import record

CONFIRM_SALT = "joining-confirm"
CONFIRM_MAX_AGE = 48 * 3600
"""The confirmation link holds 48 hours."""
DOMAINS_MAX = 20
TEXT_MAX = 2000
QUEUE_PAGE = 20


def confirm_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=CONFIRM_SALT)


# -- checking the form --------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationInput:
    """What the form (or the API) sends; :func:`check_application` cleans it."""

    name: str
    sector: str
    region: str
    street: str
    postal_code: str
    city: str
    head_name: str
    head_function: str
    contact_first_name: str
    contact_last_name: str
    contact_email: str
    domains: Sequence[str]
    listed: bool = False
    address_extra: str = ""


def split_domains(text: str) -> list[str]:
    """ "stadt.de, @amt.stadt.de; kreis.de" → the three, as typed."""
    return [part for part in re.split(r"[\s,;]+", text) if part]


def _line(text: str, field: str, required: str | None, most: int, errors: dict[str, str]) -> str:
    if has_control_characters(text):
        errors[field] = messages.CONTROL_CHARS
        return text
    text = " ".join(text.split())
    if not text and required:
        errors[field] = required
    elif len(text) > most:
        errors[field] = messages.TEXT_TOO_LONG.format(max=most)
    return text


def is_freemail(domain: str) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in messages.FREEMAIL_DOMAINS)


def check_application(data: ApplicationInput) -> ApplicationInput:
    """The input cleaned (spaces squeezed, domains and address in lower case), or every
    problem at once by field, in German."""
    errors: dict[str, str] = {}
    name = clean_name(data.name, errors)
    clean_sector(data.sector, errors)
    clean_region(data.region, errors)
    street = _line(data.street, "street", messages.STREET_REQUIRED, 200, errors)
    extra = _line(data.address_extra, "address_extra", None, 200, errors)
    postal_code = data.postal_code.strip()
    if not (len(postal_code) == 5 and postal_code.isascii() and postal_code.isdigit()):
        errors["postal_code"] = messages.POSTAL_CODE_INVALID
    city = _line(data.city, "city", messages.CITY_REQUIRED, 100, errors)
    head_name = _line(data.head_name, "head_name", messages.HEAD_NAME_REQUIRED, 200, errors)
    head_function = _line(
        data.head_function, "head_function", messages.HEAD_FUNCTION_REQUIRED, 200, errors
    )
    first = _line(
        data.contact_first_name, "contact_first_name", messages.CONTACT_FIRST_NAME_REQUIRED, 100,
        errors,
    )  # fmt: skip
    last = _line(
        data.contact_last_name, "contact_last_name", messages.CONTACT_LAST_NAME_REQUIRED, 100,
        errors,
    )  # fmt: skip
    email = valid_email(data.contact_email) or ""
    if not email:
        errors["contact_email"] = messages.CONTACT_EMAIL_INVALID
    domain_errors: dict[str, str] = {}
    domains = clean_domains(data.domains, domain_errors) if len(data.domains) <= 100 else []
    if domain_errors:
        errors["domains"] = domain_errors["domains"]
    elif not domains:
        errors["domains"] = messages.DOMAINS_REQUIRED
    elif len(domains) > DOMAINS_MAX:
        errors["domains"] = messages.DOMAINS_TOO_MANY
    elif free := next((d for d in domains if is_freemail(d)), None):
        errors["domains"] = messages.DOMAIN_FREEMAIL.format(domain=free)
    elif email and email.rpartition("@")[2] not in domains:
        errors["contact_email"] = messages.CONTACT_EMAIL_NOT_OFFICIAL
    refuse_all(errors)
    return replace(
        data, name=name, street=street, address_extra=extra, postal_code=postal_code, city=city,
        head_name=head_name, head_function=head_function, contact_first_name=first,
        contact_last_name=last, contact_email=email, domains=domains,
    )  # fmt: skip


def refuse_all(errors: dict[str, str]) -> None:
    """Every field's problem at once, with a summary sentence."""
    if errors:
        raise ValidationFailed(messages.CHECK_INPUT, errors)


def _text(text: str, message: str) -> str:
    """A multi-line text of an organiser (question, reason): 1 to 2000 characters."""
    text = text.strip()
    if (
        not text
        or len(text) > TEXT_MAX
        or any((ord(c) < 32 and c not in "\n\r\t") or ord(c) == 127 for c in text)
    ):
        raise ValidationFailed(message, {"text": message})
    return text.replace("\r\n", "\n")


# -- applying and confirming -------------------------------------------------------------------


async def apply(
    session: AsyncSession,
    data: ApplicationInput,
    *,
    serializer: URLSafeTimedSerializer,
    base_url: str,
    now: datetime,
) -> None:
    """Keep the application and send the contact the confirmation link. Says nothing about
    whether the organisation or its domains are known."""
    cleaned = check_application(data)
    nonce = secrets.token_urlsafe(16)
    async with write_transaction(session):
        application = JoiningApplication(
            name=cleaned.name, sector=cleaned.sector, region=cleaned.region,
            street=cleaned.street, address_extra=cleaned.address_extra,
            postal_code=cleaned.postal_code, city=cleaned.city, head_name=cleaned.head_name,
            head_function=cleaned.head_function, contact_first_name=cleaned.contact_first_name,
            contact_last_name=cleaned.contact_last_name, contact_email=cleaned.contact_email,
            domains=list(cleaned.domains), listed=cleaned.listed, confirm_nonce=nonce,
            status=ApplicationStatus.UNCONFIRMED, created_at=now,
        )  # fmt: skip
        session.add(application)
        await session.flush()
        token = serializer.dumps({"application": application.id, "nonce": nonce})
        enqueue(
            session,
            cleaned.contact_email,
            "joining_confirm",
            application_id=application.id,
            link=f"{base_url}/netzwerkpartner-werden/bestaetigen?token={token}",
        )


def read_confirm_token(token: str, serializer: URLSafeTimedSerializer) -> tuple[int, str]:
    if not token or len(token) > 1000:
        raise ValidationFailed(messages.CONFIRM_LINK_INVALID)
    try:
        data = serializer.loads(token, max_age=CONFIRM_MAX_AGE)
    except (SignatureExpired, BadSignature) as exc:
        raise ValidationFailed(messages.CONFIRM_LINK_INVALID) from exc
    if not isinstance(data, dict):
        raise ValidationFailed(messages.CONFIRM_LINK_INVALID)
    application_id, nonce = data.get("application"), data.get("nonce")
    if type(application_id) is not int or not isinstance(nonce, str) or len(nonce) > 64:
        raise ValidationFailed(messages.CONFIRM_LINK_INVALID)
    return application_id, nonce


async def confirm(
    session: AsyncSession, *, token: str, serializer: URLSafeTimedSerializer, now: datetime
) -> JoiningApplication:
    """The contact confirms their address: the application goes to the organisers' queue.
    A link works once (a conditional update: two clicks at once confirm once)."""
    application_id, nonce = read_confirm_token(token, serializer)
    async with write_transaction(session):
        result = await session.execute(
            update(JoiningApplication)
            .where(
                JoiningApplication.id == application_id,
                JoiningApplication.confirm_nonce == nonce,
                JoiningApplication.status == ApplicationStatus.UNCONFIRMED,
            )
            .values(status=ApplicationStatus.CONFIRMED, confirmed_at=now)
            .execution_options(synchronize_session=False)
        )
        application = await session.get(JoiningApplication, application_id, populate_existing=True)
        if application is None or application.confirm_nonce != nonce:
            raise ValidationFailed(messages.CONFIRM_LINK_INVALID)
        if not getattr(result, "rowcount", 0):
            raise InvalidState(messages.CONFIRM_LINK_USED)
    return application


# -- the organisers' review ------------------------------------------------------------------------


async def open_applications(
    session: AsyncSession, actor: Member, *, cursor: str | None = None, limit: int = QUEUE_PAGE
) -> Page[JoiningApplication]:
    """Confirmed applications waiting for a decision (also those asked back), the longest
    waiting first, a page at a time, with their number."""
    require_organiser(actor)
    order = (JoiningApplication.confirmed_at, JoiningApplication.id)
    query = select(JoiningApplication).where(JoiningApplication.status.in_(OPEN_STATUSES))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    if cursor:
        query = query.where(after_key(order, decode_cursor(cursor, (datetime, int))))
    rows = list(await session.scalars(query.order_by(*order).limit(limit + 1)))
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(last.confirmed_at, last.id) if last and last.confirmed_at else None
    return Page(rows[:limit], next_cursor, total)


async def get_application(
    session: AsyncSession, application_id: int, actor: Member
) -> JoiningApplication:
    """A confirmed application (organisers only; an unconfirmed one is nobody's yet: 404)."""
    require_organiser(actor)
    application = await session.scalar(
        select(JoiningApplication)
        .where(
            JoiningApplication.id == application_id,
            JoiningApplication.status != ApplicationStatus.UNCONFIRMED,
        )
        .options(selectinload(JoiningApplication.organisation))
        .execution_options(populate_existing=True)
    )
    if application is None:
        raise NotFound(messages.APPLICATION_UNKNOWN)
    return application


@dataclass(frozen=True)
class Conflicts:
    """What stands in the way of accepting as a new organisation."""

    same_name: Organisation | None
    domain_owners: dict[str, Organisation]

    @property
    def candidates(self) -> list[Organisation]:
        """The organisations to offer for accepting into, without repeats."""
        found = {o.id: o for o in self.domain_owners.values()}
        if self.same_name is not None:
            found.setdefault(self.same_name.id, self.same_name)
        return list(found.values())


async def conflicts(session: AsyncSession, application: JoiningApplication) -> Conflicts:
    same = await named(session, [application.name])
    owners = await domain_owners(session, application.domains)
    return Conflicts(same[0] if same else None, owners)


async def _open_locked(session: AsyncSession, application_id: int) -> JoiningApplication:
    application = await session.scalar(
        select(JoiningApplication)
        .where(
            JoiningApplication.id == application_id,
            JoiningApplication.status != ApplicationStatus.UNCONFIRMED,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if application is None:
        raise NotFound(messages.APPLICATION_UNKNOWN)
    if application.status not in OPEN_STATUSES:
        raise InvalidState(messages.APPLICATION_DECIDED)
    return application


def _decided(
    application: JoiningApplication, actor: Member, now: datetime, status: ApplicationStatus
) -> None:
    application.status = status
    application.decided_at = now
    application.decided_by = actor.id


@dataclass(frozen=True)
class Accepted:
    application: JoiningApplication
    organisation: Organisation
    certificate: JoiningCertificate
    new_certificate: bool


async def accept(
    session: AsyncSession, *, actor: Member, application_id: int, now: datetime
) -> Accepted:
    """Create the organisation with its domains (its staff can sign in at once), number its
    Urkunde, tell the contact: one transaction. A name or domain another organisation holds
    is refused in German (accept into that one instead)."""
    require_organiser(actor)
    try:
        async with write_transaction(session):
            application = await _open_locked(session, application_id)
            organisation = await services.add_organisation(
                session, name=application.name, sector=application.sector,
                region=application.region, domains=application.domains,
            )  # fmt: skip
            organisation.joined_on = now.astimezone(BERLIN).date()
            organisation.listed = application.listed
            certificate = await urkunden.issue(session, organisation, actor=actor, now=now)
            _decided(application, actor, now, ApplicationStatus.ACCEPTED)
            application.organisation_id = organisation.id
            enqueue(
                session, application.contact_email, "joining_accepted",
                application_id=application.id,
            )  # fmt: skip
            record(
                session, actor=actor, action="joining_accepted", now=now,
                after={"application": application.id, "organisation": organisation.name,
                       "urkunde": certificate.number},
            )  # fmt: skip
    except IntegrityError as exc:  # a name or domain taken meanwhile
        found = await session.get(JoiningApplication, application_id)
        raise await services.explain_conflict(
            session,
            name=found.name if found else "",
            domains=found.domains if found else [],
            organisation_id=None,
        ) from exc
    return Accepted(application, organisation, certificate, True)


async def accept_into(
    session: AsyncSession,
    *,
    actor: Member,
    application_id: int,
    organisation_id: int,
    now: datetime,
) -> Accepted:
    """Accept into an organisation that exists already (a duplicate, a department): the
    application's domains are added to it, its consent to be listed taken over; it keeps its
    Urkunde, or gets its first."""
    require_organiser(actor)
    try:
        async with write_transaction(session):
            application = await _open_locked(session, application_id)
            organisation = await services.locked_organisation(session, organisation_id)
            await services.check_domains_free(session, application.domains, organisation.id)
            have = {d.domain for d in organisation.domains}
            await services.add_domains(session, organisation, [
                d for d in application.domains if d not in have
            ])  # fmt: skip
            organisation.joined_on = organisation.joined_on or now.astimezone(BERLIN).date()
            organisation.listed = application.listed
            certificate = await urkunden.current(session, organisation.id)
            new = certificate is None
            if certificate is None:
                certificate = await urkunden.issue(session, organisation, actor=actor, now=now)
            _decided(application, actor, now, ApplicationStatus.ACCEPTED)
            application.organisation_id = organisation.id
            enqueue(
                session, application.contact_email, "joining_accepted",
                application_id=application.id,
            )  # fmt: skip
            record(
                session, actor=actor, action="joining_merged", now=now,
                after={"application": application.id, "applied_as": application.name,
                       "organisation": organisation.name, "urkunde": certificate.number},
            )  # fmt: skip
    except IntegrityError as exc:  # a domain taken by a third organisation meanwhile
        found = await session.get(JoiningApplication, application_id)
        raise await services.explain_conflict(
            session, name="", domains=found.domains if found else [],
            organisation_id=organisation_id,
        ) from exc  # fmt: skip
    return Accepted(application, organisation, certificate, new)


async def ask(
    session: AsyncSession, *, actor: Member, application_id: int, question: str, now: datetime
) -> JoiningApplication:
    """Ask the contact something by mail; the application stays in the queue."""
    require_organiser(actor)
    question = _text(question, messages.QUESTION_REQUIRED)
    async with write_transaction(session):
        application = await _open_locked(session, application_id)
        application.status = ApplicationStatus.ASKED
        application.asked_at = now
        application.question = question
        enqueue(
            session, application.contact_email, "joining_question",
            application_id=application.id, question=question,
        )  # fmt: skip
        record(
            session, actor=actor, action="joining_asked", now=now,
            after={"application": application.id, "organisation": application.name},
            reason=question,
        )  # fmt: skip
    return application


async def decline(
    session: AsyncSession, *, actor: Member, application_id: int, reason: str, now: datetime
) -> JoiningApplication:
    """Decline with a reason, which the contact is told by mail."""
    require_organiser(actor)
    reason = _text(reason, messages.REASON_REQUIRED)
    async with write_transaction(session):
        application = await _open_locked(session, application_id)
        _decided(application, actor, now, ApplicationStatus.DECLINED)
        application.decline_reason = reason
        enqueue(
            session, application.contact_email, "joining_declined", application_id=application.id
        )
        record(
            session, actor=actor, action="joining_declined", now=now,
            after={"application": application.id, "organisation": application.name},
            reason=reason,
        )  # fmt: skip
    return application
