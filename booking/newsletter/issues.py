"""The organisers' issues: write (subject and Markdown text), preview, send a test to
oneself, start the sending. The sending itself is booking.newsletter.sending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from booking.core.text import LINE_BREAKS, has_control_characters
from booking.core.transactions import write_transaction
from booking.mail.services import enqueue
from booking.members.models import Member
from booking.newsletter import messages
from booking.newsletter.models import Issue, IssueStatus, Subscription, SubscriptionStatus
from booking.newsletter.services import ISSUE_TEMPLATE

SUBJECT_MAX = 200
BODY_MAX = 50_000


@dataclass(frozen=True)
class IssueText:
    subject: str
    body_markdown: str


def check_text(subject: str, body_markdown: str) -> IssueText:
    """The subject on one line (spaces squeezed) and the text with Unix line ends, or every
    problem at once by field, in German."""
    errors: dict[str, str] = {}
    if has_control_characters(subject):
        errors["subject"] = messages.CONTROL_CHARS
    subject = " ".join(subject.split())
    if "subject" not in errors:
        if not subject:
            errors["subject"] = messages.SUBJECT_REQUIRED
        elif len(subject) > SUBJECT_MAX:
            errors["subject"] = messages.SUBJECT_TOO_LONG.format(most=SUBJECT_MAX)
    body = body_markdown.replace("\r\n", "\n").replace("\r", "\n")
    if has_control_characters(body, allowed=LINE_BREAKS):
        errors["body_markdown"] = messages.CONTROL_CHARS
    elif not body.strip():
        errors["body_markdown"] = messages.BODY_REQUIRED
    elif len(body) > BODY_MAX:
        errors["body_markdown"] = messages.BODY_TOO_LONG.format(most=BODY_MAX)
    if errors:
        raise ValidationFailed(messages.CHECK_INPUT, errors)
    return IssueText(subject, body.strip("\n") + "\n")


def require_organiser(actor: Member | None) -> None:
    """``None`` is the operator on the command line."""
    if actor is not None and not actor.is_organiser:
        raise Forbidden(messages.ORGANISERS_ONLY)


async def create_issue(
    session: AsyncSession, *, actor: Member, subject: str, body_markdown: str, now: datetime
) -> Issue:
    require_organiser(actor)
    text = check_text(subject, body_markdown)
    async with write_transaction(session):
        issue = Issue(
            subject=text.subject,
            body_markdown=text.body_markdown,
            status=IssueStatus.DRAFT,
            created_at=now,
            updated_at=now,
            created_by=actor.id,
        )
        session.add(issue)
    return issue


async def _locked(session: AsyncSession, issue_id: int) -> Issue:
    issue = await session.scalar(
        select(Issue)
        .where(Issue.id == issue_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if issue is None:
        raise NotFound(messages.ISSUE_UNKNOWN)
    return issue


async def update_issue(
    session: AsyncSession,
    *,
    issue_id: int,
    actor: Member,
    subject: str,
    body_markdown: str,
    now: datetime,
) -> Issue:
    """Change a draft (once sending has started, the text is what subscribers got)."""
    require_organiser(actor)
    text = check_text(subject, body_markdown)
    async with write_transaction(session):
        issue = await _locked(session, issue_id)
        if issue.status != IssueStatus.DRAFT:
            raise InvalidState(messages.ISSUE_NOT_DRAFT)
        issue.subject, issue.body_markdown, issue.updated_at = (
            text.subject,
            text.body_markdown,
            now,
        )
    return issue


async def get_issue(session: AsyncSession, issue_id: int, actor: Member | None) -> Issue:
    require_organiser(actor)
    issue = await session.get(Issue, issue_id, populate_existing=True)
    if issue is None:
        raise NotFound(messages.ISSUE_UNKNOWN)
    return issue


async def send_test(session: AsyncSession, *, issue_id: int, actor: Member) -> None:
    """The issue as subscribers will get it, to the organiser's own address, marked as a
    test in the subject; it counts for nothing."""
    require_organiser(actor)
    async with write_transaction(session):
        issue = await session.get(Issue, issue_id)
        if issue is None:
            raise NotFound(messages.ISSUE_UNKNOWN)
        enqueue(session, actor.email, ISSUE_TEMPLATE, newsletter_issue_id=issue.id, test=True)


async def start_sending(
    session: AsyncSession, *, issue_id: int, actor: Member | None, now: datetime
) -> Issue:
    """Fix the recipients (the confirmed subscribers now) and hand the issue to the sending
    job. Starting twice is refused: an issue goes out once."""
    require_organiser(actor)
    async with write_transaction(session):
        issue = await _locked(session, issue_id)
        if issue.status != IssueStatus.DRAFT:
            raise InvalidState(messages.ISSUE_ALREADY_SENDING)
        count, highest = (
            await session.execute(
                select(
                    func.count(Subscription.id), func.coalesce(func.max(Subscription.id), 0)
                ).where(Subscription.status == SubscriptionStatus.CONFIRMED)
            )
        ).one()
        if not count:
            raise InvalidState(messages.NO_SUBSCRIBERS)
        issue.status = IssueStatus.SENDING
        issue.send_started_at = now
        issue.sent_by = actor.id if actor is not None else None
        issue.recipients = int(count)
        issue.last_subscription_id = int(highest)
        issue.cursor = 0
    return issue
