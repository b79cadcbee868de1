"""What the joining mails show: the application, read fresh when the message is sent, and on
acceptance the organisation's Urkunde with its signed download link and verification address."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from booking.mail.render import Loaded
from booking.organisations import urkunden
from booking.organisations.models import JoiningApplication
from booking.settings import Settings


async def application_context(
    session: AsyncSession, settings: Settings, stored: Mapping[str, Any]
) -> Loaded:
    """For messages whose context names an ``application_id``."""
    application = await session.get(JoiningApplication, int(stored["application_id"]))
    if application is None:
        raise LookupError("application is gone")
    values: dict[str, Any] = {"application": application, "organisation": None, "urkunde": None}
    if application.organisation_id is not None:
        await session.refresh(application, ["organisation"])
        values["organisation"] = application.organisation
        certificate = await urkunden.current(session, application.organisation_id)
        if certificate is not None:
            token = urkunden.download_token(
                urkunden.download_serializer(settings.secret_key), certificate
            )
            values |= {
                "urkunde": certificate,
                "urkunde_pdf_url": (
                    f"{urkunden.pdf_url(settings.base_url, certificate)}?zugang={token}"
                ),
                "urkunde_verify_url": urkunden.verify_url(settings.base_url, certificate),
            }
    return Loaded(values)
