"""Members and organisations: sign-in by one-time link, approval, roles, API tokens, import."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.core.db import utcnow
from booking.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from booking.core.paging import Page, after_key, decode_cursor, encode_cursor
from booking.core.text import has_control_characters
from booking.core.transactions import write_transaction
from booking.mail.services import enqueue
from booking.members import messages
from booking.members.models import ROLES, Member, SignInLinkUse
from booking.organisations.models import Organisation
from booking.organisations.queries import (
    Match,
    all_organisations,
    domain_owner,
    find_organisation,
)
from booking.privacy.audit import record

SIGN_IN_LINK_MAX_AGE = 20 * 60
SIGN_IN_SALT = "sign-in-link"


def normalise_email(email: str) -> str:
    """For looking an address up: what the user typed, trimmed and in lower case."""
    return email.strip().lower()


def email_domain(email: str) -> str:
    return email.rpartition("@")[2]


def valid_email(text: str) -> str | None:
    """The address in normal form (lower case) if ``text`` is exactly one mailbox, else None.

    Checked by email-validator, without DNS: no display names or angle brackets, no quoted
    local parts, no lists, no domain literals, ASCII before the @-sign; so the address that
    is stored is exactly the one the mail goes to.
    """
    text = text.strip()
    if not text or len(text) > 254 or has_control_characters(text):
        return None
    try:
        result = validate_email(
            text,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except EmailNotValidError:
        return None
    normalised = result.normalized.lower()
    return normalised if len(normalised) <= 254 else None


def _members() -> Select[Member]:
    return select(Member).options(selectinload(Member.organisation))


async def get_member(session: AsyncSession, member_id: int) -> Member | None:
    return await session.scalar(_members().where(Member.id == member_id))


async def member_by_email(session: AsyncSession, email: str) -> Member | None:
    return await session.scalar(_members().where(Member.email == normalise_email(email)))


async def members_by_email(session: AsyncSession, emails: Iterable[str]) -> dict[str, Member]:
    """The members with these addresses, by normalised address, in one query."""
    wanted = {normalise_email(email) for email in emails}
    if not wanted:
        return {}
    return {m.email: m for m in await session.scalars(_members().where(Member.email.in_(wanted)))}


# -- sign-in ------------------------------------------------------------------------------------


def sign_in_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SIGN_IN_SALT)


async def request_sign_in(
    session: AsyncSession, *, email: str, serializer: URLSafeTimedSerializer, base_url: str
) -> None:
    """Send a one-time sign-in link to ``email``. Answers the same whether or not the address
    is known: known and new addresses get a link, only rejected ones get nothing."""
    checked = valid_email(email)
    if checked is None:
        raise ValidationFailed(messages.EMAIL_INVALID, {"email": messages.EMAIL_INVALID})
    email = checked
    async with write_transaction(session):
        member = await member_by_email(session, email)
        if member is not None and member.status == "rejected":
            return
        token = serializer.dumps({"email": email, "nonce": secrets.token_urlsafe(16)})
        enqueue(session, email, "sign_in_link", link=f"{base_url}/anmelden/link?token={token}")


@dataclass(frozen=True)
class SignInResult:
    member: Member
    created: bool


async def complete_sign_in(
    session: AsyncSession,
    *,
    token: str,
    serializer: URLSafeTimedSerializer,
    now: datetime,
) -> SignInResult:
    """Check a sign-in link (signed, at most 20 minutes old, unused) and return its member,
    creating them on first sign-in: active in the organisation that owns the address's domain,
    or pending an organiser's approval when the domain is unknown."""
    email, nonce = read_sign_in_token(token, serializer)
    if valid_email(email) != email:  # a link from before the strict check
        raise ValidationFailed(messages.LINK_INVALID)
    async with write_transaction(session):
        session.add(SignInLinkUse(nonce=nonce, used_at=now))
        try:
            await session.flush()
        except IntegrityError as exc:
            raise ValidationFailed(messages.LINK_USED) from exc
        member = await member_by_email(session, email)
        created = False
        if member is None:
            organisation = await domain_owner(session, email_domain(email))
            member = Member(
                email=email,
                organisation_id=organisation.id if organisation else None,
                status="active" if organisation else "pending",
                created_at=now,
                approved_at=now if organisation else None,
                last_signed_in_at=now,
            )
            session.add(member)
            await session.flush()
            created = True
        elif member.status == "rejected":
            raise Forbidden(messages.ACCOUNT_REJECTED)
        member.last_signed_in_at = now  # signing in answers "stay?" (booking.privacy.inactive)
        member.stay_asked_at = None
        member_id = member.id
    member = await get_member(session, member_id)
    assert member is not None
    return SignInResult(member=member, created=created)


def read_sign_in_token(token: str, serializer: URLSafeTimedSerializer) -> tuple[str, str]:
    if not token or len(token) > 1000:
        raise ValidationFailed(messages.LINK_INVALID)
    try:
        data = serializer.loads(token, max_age=SIGN_IN_LINK_MAX_AGE)
    except (SignatureExpired, BadSignature) as exc:
        raise ValidationFailed(messages.LINK_INVALID) from exc
    if not isinstance(data, dict):
        raise ValidationFailed(messages.LINK_INVALID)
    email, nonce = data.get("email"), data.get("nonce")
    if not isinstance(email, str) or not isinstance(nonce, str) or len(nonce) > 64:
        raise ValidationFailed(messages.LINK_INVALID)
    return email, nonce


async def update_profile(
    session: AsyncSession,
    *,
    member: Member,
    first_name: str,
    last_name: str,
    function: str,
    organisation_name: str = "",
) -> Member:
    """Name and function; a pending member also says which organisation they work for,
    and organisers are told that someone waits for approval."""
    given = {
        "first_name": first_name,
        "last_name": last_name,
        "function": function,
        "organisation_name": organisation_name,
    }
    bad = {
        name: messages.CONTROL_CHARACTERS for name, v in given.items() if has_control_characters(v)
    }
    if bad:
        raise ValidationFailed(messages.CONTROL_CHARACTERS, bad)
    async with write_transaction(session):
        target = await session.scalar(
            select(Member)
            .where(Member.id == member.id)
            .options(selectinload(Member.organisation))
            .execution_options(populate_existing=True)
        )
        if target is None:
            raise NotFound()
        if target.status == "pending" and not organisation_name.strip():
            # The organisers need it to decide on the approval.
            raise ValidationFailed(
                messages.ORGANISATION_NAME_REQUIRED,
                {"organisation_name": messages.ORGANISATION_NAME_REQUIRED},
            )
        first_profile = target.needs_profile
        target.first_name = first_name.strip()
        target.last_name = last_name.strip()
        target.function = function.strip()
        if target.status == "pending":
            target.organisation_name_given = organisation_name.strip()
            if first_profile:
                enqueue(session, target.email, "member_pending", member_id=target.id)
    return target


# -- approval -------------------------------------------------------------------------------------


PENDING_PAGE = 20


async def pending_members(
    session: AsyncSession, actor: Member, *, cursor: str | None = None, limit: int = PENDING_PAGE
) -> Page[Member]:
    """The people waiting for approval, oldest first, a page at a time, with their number."""
    if not actor.is_organiser:
        raise Forbidden()
    order = (Member.created_at, Member.id)
    key = decode_cursor(cursor, (datetime, int)) if cursor else None
    query = select(Member).where(Member.status == "pending")
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    if key is not None:
        query = query.where(after_key(order, key))
    rows = list(await session.scalars(query.order_by(*order).limit(limit + 1)))
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(rows[:limit], encode_cursor(last.created_at, last.id) if last else None, total)


async def pending_member(session: AsyncSession, member_id: int, actor: Member) -> Member:
    if not actor.is_organiser:
        raise Forbidden()
    member = await get_member(session, member_id)
    if member is None:
        raise NotFound()
    if member.status != "pending":
        raise InvalidState(messages.NOT_PENDING)
    return member


async def approve(
    session: AsyncSession,
    *,
    member_id: int,
    organisation: str,
    actor: Member,
    now: datetime,
) -> Member:
    """Make a pending member active in the organisation that ``organisation`` names (its
    name in any case, or one of its e-mail domains); refused with up to five close matches
    when it names none or several."""
    async with write_transaction(session):
        member = await pending_member(session, member_id, actor)
        text = " ".join(organisation.split())
        problem = None
        if not text:
            problem = messages.ORGANISATION_REQUIRED
        elif has_control_characters(text):
            problem = messages.CONTROL_CHARACTERS
        elif len(text) > 254:
            problem = messages.ORGANISATION_TOO_LONG
        else:
            match = await find_organisation(session, text)
            if match.organisation is None:
                problem = _unmatched(text, match)
            else:
                activate(session, member, match.organisation, now, actor)
        if problem:
            raise ValidationFailed(problem, {"organisation": problem})
    return member


def _unmatched(text: str, match: Match) -> str:
    names = ", ".join(f"„{o.name}“" for o in match.candidates)
    if match.ambiguous:
        return messages.ORGANISATION_AMBIGUOUS.format(text=text, names=names)
    if names:
        return messages.ORGANISATION_UNKNOWN_BUT.format(text=text, names=names)
    return messages.ORGANISATION_UNKNOWN.format(text=text)


def activate(
    session: AsyncSession,
    member: Member,
    organisation: Organisation,
    now: datetime,
    actor: Member,
) -> None:
    """Make a pending member active in ``organisation`` and tell them (inside the caller's
    write transaction); the audit log keeps who approved whom into which organisation."""
    member.status = "active"
    member.organisation_id = organisation.id
    member.approved_at = now
    enqueue(session, member.email, "member_approved", member_id=member.id)
    record(
        session,
        actor=actor,
        action="member_approved",
        now=now,
        member_id=member.id,
        before={"account": "pending"},
        after={"account": "active", "organisation": organisation.name},
    )


async def reject(
    session: AsyncSession, *, member_id: int, actor: Member, now: datetime | None = None
) -> Member:
    async with write_transaction(session):
        member = await pending_member(session, member_id, actor)
        member.status = "rejected"
        enqueue(session, member.email, "member_rejected", member_id=member.id)
        record(
            session,
            actor=actor,
            action="member_rejected",
            now=now or utcnow(),
            member_id=member.id,
            before={"account": "pending"},
            after={"account": "rejected"},
        )
    return member


# -- operator commands ----------------------------------------------------------------------------


async def _known_members(session: AsyncSession, emails: Sequence[str]) -> list[Member]:
    """The members with these addresses, in order; NotFound naming every unknown one."""
    found = await members_by_email(session, emails)
    unknown = [normalise_email(e) for e in emails if normalise_email(e) not in found]
    if unknown:
        raise NotFound(messages.NO_MEMBER.format(emails=", ".join(unknown)))
    return [found[normalise_email(e)] for e in emails]


async def grant_role(
    session: AsyncSession,
    *,
    email: str,
    role: str,
    actor: Member | None = None,
    now: datetime | None = None,
) -> Member:
    """Give a member a role. From the command line (the operator) ``actor`` is None; an
    organiser on the web is recorded in the audit log."""
    if actor is not None and not actor.is_organiser:
        raise Forbidden(messages.ROLES_FORBIDDEN)
    if role not in ROLES:
        raise ValidationFailed(messages.ROLE_UNKNOWN, fields={"role": messages.ROLE_UNKNOWN})
    async with write_transaction(session):
        [member] = await _known_members(session, [email])
        if role == "coordinator" and member.organisation_id is None:
            raise ValidationFailed(
                messages.COORDINATOR_WITHOUT_ORGANISATION,
                fields={"email": messages.COORDINATOR_WITHOUT_ORGANISATION},
            )
        if actor is not None and member.id == actor.id and role != "organiser":
            raise ValidationFailed(messages.OWN_ROLE, fields={"role": messages.OWN_ROLE})
        before = member.role
        member.role = role
        if actor is not None and before != role:
            record(
                session,
                actor=actor,
                action="role_granted",
                now=now or utcnow(),
                member_id=member.id,
                before={"role": before},
                after={"role": role},
            )
    return member


async def role_holders_page(
    session: AsyncSession, actor: Member, *, cursor: str | None, limit: int
) -> Page[Member]:
    """Members with a role beyond "member" (trainers, coordinators, organisers), for the
    organisers, in the order they joined, a page at a time."""
    if not actor.is_organiser:
        raise Forbidden(messages.ROLES_FORBIDDEN)
    query = _members().where(Member.role != "member")
    total = await session.scalar(
        select(func.count()).select_from(Member).where(Member.role != "member")
    )
    if cursor:
        (last_id,) = decode_cursor(cursor, (int,))
        query = query.where(Member.id > last_id)
    rows = list(await session.scalars(query.order_by(Member.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1].id) if more else None, total)


@dataclass(frozen=True)
class ImportRow:
    email: str
    first_name: str
    last_name: str
    organisation: str
    line: int = 0
    """Line of the file the row came from, for error messages (0: count the rows)."""


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    errors: list[str]


async def import_members(session: AsyncSession, rows: Iterable[ImportRow]) -> ImportReport:
    """Create or update members from a list; rows with an unknown organisation or a bad
    address are reported and skipped. All valid rows are written in one transaction."""
    rows = list(rows)
    async with write_transaction(session):
        orgs = {o.name.casefold(): o for o in await all_organisations(session)}
        known = await members_by_email(session, (valid_email(row.email) or "" for row in rows))
        created = updated = 0
        errors: list[str] = []
        for number, row in enumerate(rows, start=2):
            line = row.line or number
            email = valid_email(row.email) or ""
            org = orgs.get(row.organisation.strip().casefold())
            if not email:
                errors.append(f"Zeile {line}: ungültige E-Mail-Adresse {row.email!r}")
                continue
            names = (row.first_name, row.last_name, row.organisation)
            if any(has_control_characters(text) for text in names):
                errors.append(f"Zeile {line}: {messages.CONTROL_CHARACTERS}")
                continue
            if org is None:
                errors.append(f"Zeile {line}: unbekannte Organisation {row.organisation!r}")
                continue
            member = known.get(email)
            if member is None:
                known[email] = Member(
                    email=email,
                    first_name=row.first_name.strip(),
                    last_name=row.last_name.strip(),
                    organisation_id=org.id,
                    status="active",
                )
                session.add(known[email])
                created += 1
            else:
                member.first_name = row.first_name.strip() or member.first_name
                member.last_name = row.last_name.strip() or member.last_name
                member.organisation_id = org.id
                updated += 1
    return ImportReport(created=created, updated=updated, errors=errors)
