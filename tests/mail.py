"""Helpers for tests that deliver mail to a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from booking.app import mail_renderer
from booking.core.db import session_factory
from booking.mail.sender import send_due
from booking.settings import Settings


def mail_settings(engine: AsyncEngine, port: int, tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        database_url=str(engine.url.render_as_string(hide_password=False)),
        secret_key="x" * 40,
        base_url="https://buchung.sicherimdienst.example",
        smtp_host="127.0.0.1",
        smtp_port=port,
        mail_from="#sicherimDienst <netzwerk@sicherimdienst.example>",
        mail_dir=tmp_path / "mail",
        **extra,  # type: ignore[arg-type]
    )


async def send(engine: AsyncEngine, settings: Settings) -> int:
    return await send_due(settings, session_factory(engine), mail_renderer())
