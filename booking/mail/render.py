"""Rendering a queued message: its template folder (subject, text, html) and its context,
read fresh from the database when the message is sent.

Mail knows no domain: what a message's context names (``booking_id``, ``member_id``) is
loaded by the domains' context loaders, which the app factory hands to :class:`MailRenderer`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from booking.mail.models import OutboxMessage
from booking.settings import ROOT, Settings

MAIL_TEMPLATES = ROOT / "templates" / "mail"


@dataclass(frozen=True)
class CalendarPart:
    method: str
    ics: str


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str
    calendar_parts: list[CalendarPart] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    """Headers of this message only (say ``List-Unsubscribe``), added to the common ones."""


@dataclass(frozen=True)
class Loaded:
    """What a context loader adds to a message: template values, calendar parts and headers
    of its own."""

    values: dict[str, Any]
    calendar_parts: list[CalendarPart] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


ContextLoader = Callable[[AsyncSession, Settings, Mapping[str, Any]], Awaitable[Loaded]]
"""Loads what a message's stored context names; raises LookupError when it is gone."""


def _environment(autoescape: bool, filters: Mapping[str, Callable[..., object]]) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(MAIL_TEMPLATES)),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html"]) if autoescape else False,
        keep_trailing_newline=True,
    )
    env.filters.update(filters)
    return env


class MailRenderer:
    """Renders outbox messages with the pages' filters; ``loaders`` maps a context key (say
    ``booking_id``) to the loader of what it names."""

    def __init__(
        self,
        filters: Mapping[str, Callable[..., object]],
        loaders: Mapping[str, ContextLoader],
    ) -> None:
        self._text = _environment(autoescape=False, filters=filters)
        self._html = _environment(autoescape=True, filters=filters)
        self._loaders = dict(loaders)

    def render_templates(self, name: str, context: dict[str, Any]) -> tuple[str, str, str]:
        subject = self._text.get_template(f"{name}/subject.txt").render(context).strip()
        text = self._text.get_template(f"{name}/body.txt").render(context)
        html = self._html.get_template(f"{name}/body.html").render(context)
        return " ".join(subject.split()), text, html

    async def render(
        self, session: AsyncSession, settings: Settings, message: OutboxMessage
    ) -> RenderedMail:
        context: dict[str, Any] = {"base_url": settings.base_url, **message.context}
        parts: list[CalendarPart] = []
        headers: dict[str, str] = {}
        for key, loader in self._loaders.items():
            if key in message.context:
                loaded = await loader(session, settings, message.context)
                context.update(loaded.values)
                parts += loaded.calendar_parts
                headers.update(loaded.headers)
        subject, text, html = self.render_templates(message.template, context)
        return RenderedMail(
            subject=subject, text=text, html=html, calendar_parts=parts, headers=headers
        )
