"""What the newsletter's mails show, read when the message is sent: the issue rendered
from its Markdown, and for a subscriber the one-click unsubscribe (RFC 8058) as headers
and as a link in the text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from booking.mail.render import Loaded
from booking.newsletter.models import Issue, Subscription
from booking.newsletter.rendering import render_markdown
from booking.newsletter.services import unsubscribe_url
from booking.settings import Settings


def unsubscribe_headers(settings: Settings, url: str) -> dict[str, str]:
    """``List-Unsubscribe`` with the https link (which takes a POST, RFC 8058) and a mailto
    address, and ``List-Unsubscribe-Post`` for one-click."""
    subject = quote(f"Newsletter abbestellen {url}", safe="")
    return {
        "List-Unsubscribe": f"<{url}>, <mailto:{settings.mail_address}?subject={subject}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"Newsletter #sicherimDienst <newsletter.{settings.mail_domain}>",
        "Precedence": "bulk",
    }


async def issue_context(
    session: AsyncSession, settings: Settings, stored: Mapping[str, Any]
) -> Loaded:
    """For messages whose context names a ``newsletter_issue_id``: a subscriber's copy (with
    ``subscription_id``) or an organiser's test (``test``)."""
    issue = await session.get(Issue, int(stored["newsletter_issue_id"]))
    if issue is None:
        raise LookupError("issue is gone")
    rendered = render_markdown(issue.body_markdown)
    values: dict[str, Any] = {
        "issue": issue,
        "issue_html": Markup(rendered.html),
        "issue_text": rendered.text,
        "test": bool(stored.get("test")),
        "unsubscribe_url": None,
        "archive_url": f"{settings.base_url}/newsletter/archiv/{issue.id}",
    }
    headers: dict[str, str] = {}
    if "subscription_id" in stored:
        subscription = await session.get(Subscription, int(stored["subscription_id"]))
        if subscription is None:
            raise LookupError("subscription is gone")
        url = unsubscribe_url(settings.base_url, settings.secret_key, subscription)
        values["unsubscribe_url"] = url
        headers = unsubscribe_headers(settings, url)
    return Loaded(values, headers=headers)
