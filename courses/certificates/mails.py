"""What certificates' mails show: the certificate as the register keeps it, with the addresses
of its PDF and its verification page (never the PDF itself)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from booking.mail.render import Loaded
from booking.settings import Settings
from courses.certificates.models import Certificate
from courses.certificates.services import pdf_url, verify_url


async def certificate_context(
    session: AsyncSession, settings: Settings, stored: Mapping[str, Any]
) -> Loaded:
    """For messages whose context names a ``certificate_id``."""
    certificate = await session.get(Certificate, int(stored["certificate_id"]))
    if certificate is None:
        raise LookupError("certificate is gone")
    return Loaded(
        {
            "certificate": certificate,
            "pdf_url": pdf_url(settings.base_url, certificate),
            "verify_url": verify_url(settings.base_url, certificate),
        }
    )
