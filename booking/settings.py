"""Typed settings, read once from the environment."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"

SmtpSecurity = Literal["none", "starttls", "tls"]


@dataclass(frozen=True)
class Retention:
    """How long each kind of personal data is kept: the one place that says so. The retention
    job, `sid privacy retention` and the Datenschutzerklärung all read it. Each value can be
    set in the environment (``RETENTION_<NAME>``, a whole number)."""

    sent_mail_days: int = 90
    """Sent mails (outbox bodies and recipients), after sending or giving up."""
    pending_account_days: int = 30
    """Accounts waiting for approval, or rejected, after their last change."""
    booking_months: int = 24
    """Bookings (with their attendance marks) after the event's last session; then
    anonymised: the counts for the figures stay, the person goes."""
    certificate_years: int = 10
    """The certificate register (number, name, course, units, dates) after issue, so that
    certificates stay verifiable."""
    audit_months: int = 24
    """Audit log entries after they were written."""
    inactive_months: int = 36
    """Members without a sign-in for this long are asked by mail whether to stay ..."""
    inactive_grace_days: int = 30
    """... and erased this many days later if they do not answer (sign in)."""
    application_days: int = 90
    """Applications to join that were never confirmed, declined or answered."""
    order_months: int = 24
    """Material orders: the contact person and the note, after the order was shipped,
    rejected or cancelled (the order and its quantities stay, for the yearly limits)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Retention:
        values: dict[str, int] = {}
        for name in cls.__dataclass_fields__:
            raw = env.get(f"RETENTION_{name.upper()}")
            if raw is None or not raw.strip():
                continue
            if not raw.strip().isdigit() or int(raw) < 1:
                raise ValueError(f"RETENTION_{name.upper()} must be a whole number from 1 on")
            values[name] = int(raw)
        return cls(**values)


def _placeholder(variable: str, what: str) -> str:
    return f"[{what} – in {variable} eintragen]"


@dataclass(frozen=True)
class Operator:
    """Who runs the platform, for the Impressum, the Datenschutzerklärung and the
    Erklärung zur Barrierefreiheit. The defaults are visible placeholders, so that no
    invented authority data is shown as fact. Each is set as ``OPERATOR_<NAME>`` (the
    address lines separated by ``|``)."""

    name: str = _placeholder("OPERATOR_NAME", "Name der Behörde")
    address: tuple[str, ...] = (_placeholder("OPERATOR_ADDRESS", "Anschrift, Zeilen mit |"),)
    phone: str = _placeholder("OPERATOR_PHONE", "Telefonnummer")
    email: str = _placeholder("OPERATOR_EMAIL", "E-Mail-Adresse")
    responsible: str = _placeholder("OPERATOR_RESPONSIBLE", "Vertretungsberechtigte Person")
    dpo_name: str = _placeholder("OPERATOR_DPO_NAME", "Datenschutzbeauftragte Person")
    dpo_email: str = _placeholder("OPERATOR_DPO_EMAIL", "E-Mail des Datenschutzes")
    accessibility_checked: str = _placeholder("OPERATOR_ACCESSIBILITY_CHECKED", "Datum")
    """The date of the last accessibility check, as written (e.g. 01.12.2025)."""
    accessibility_gaps: tuple[str, ...] = ()
    """Known gaps, one each (``|``-separated); empty: none known."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Operator:
        values: dict[str, object] = {}
        for name in cls.__dataclass_fields__:
            raw = env.get(f"OPERATOR_{name.upper()}", "").strip()
            if not raw:
                continue
            if name in ("address", "accessibility_gaps"):
                values[name] = tuple(line.strip() for line in raw.split("|") if line.strip())
            else:
                values[name] = raw
        return cls(**values)  # type: ignore[arg-type]


def _default_database_url() -> str:
    return f"sqlite+aiosqlite:///{VAR / 'sicherimdienst.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    secret_key: str = "change-me"
    base_url: str = "http://127.0.0.1:8000"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: SmtpSecurity = "none"
    smtp_ca_file: str = ""
    """CA bundle that signs the SMTP server's certificate (an internal CA); empty: the system's."""
    mail_from: str = "sicherimDienst <netzwerk@sicherimdienst.example>"
    mail_dir: Path = VAR / "mail"
    ratelimit_storage: str = "memory://"
    run_mail_sender: bool = True
    run_jobs: bool = True
    """Run the scheduler inside each server process (``JOBS=off`` when ``sid jobs worker``
    runs them apart)."""
    jobs_module: str = "booking.jobs.schedule"
    """The module whose ``JOBS`` tuple the scheduler runs."""
    https_only: bool = False
    forwarded_allow_ips: tuple[str, ...] = ()
    """Proxies whose ``X-Forwarded-For``/``-Proto`` are believed (addresses, networks, or
    ``*``); empty: none, the client is the peer of the TCP connection."""
    retention: Retention = field(default_factory=Retention)
    operator: Operator = field(default_factory=Operator)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def mail_address(self) -> str:
        """The bare address of ``mail_from`` (the envelope sender)."""
        return parseaddr(self.mail_from)[1] or parseaddr(Settings.mail_from)[1]

    @property
    def mail_domain(self) -> str:
        """The domain of ``mail_from``: Message-IDs and the newsletter's List-Id name it."""
        return self.mail_address.rpartition("@")[2]

    def with_changes(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        security = env.get("SMTP_SECURITY", "none").lower()
        if security not in ("none", "starttls", "tls"):
            raise ValueError("SMTP_SECURITY must be one of: none, starttls, tls")
        default_port = {"none": 25, "starttls": 587, "tls": 465}[security]
        secret = env.get("SECRET_KEY") or _development_secret()
        base_url = env.get("BASE_URL", cls.base_url).rstrip("/")
        return cls(
            database_url=env.get("DATABASE_URL") or _default_database_url(),
            secret_key=secret,
            base_url=base_url,
            smtp_host=env.get("SMTP_HOST", ""),
            smtp_port=int(env.get("SMTP_PORT") or default_port),
            smtp_username=env.get("SMTP_USERNAME", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            smtp_security=security,  # type: ignore[arg-type]
            smtp_ca_file=env.get("SMTP_CA_FILE", ""),
            mail_from=env.get("MAIL_FROM", cls.mail_from),
            mail_dir=Path(env.get("MAIL_DIR") or VAR / "mail"),
            ratelimit_storage=env.get("RATELIMIT_STORAGE", "memory://"),
            run_mail_sender=env.get("MAIL_SENDER", "on").lower() not in ("off", "0", "no"),
            run_jobs=env.get("JOBS", "on").lower() not in ("off", "0", "no"),
            jobs_module=env.get("JOBS_MODULE") or cls.jobs_module,
            https_only=base_url.startswith("https://"),
            forwarded_allow_ips=_proxies(env.get("FORWARDED_ALLOW_IPS", "")),
            retention=Retention.from_env(env),
            operator=Operator.from_env(env),
        )


def _proxies(value: str) -> tuple[str, ...]:
    proxies = tuple(item.strip() for item in value.split(",") if item.strip())
    for proxy in proxies:
        if proxy == "*":
            continue
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ValueError(
                f"FORWARDED_ALLOW_IPS: {proxy!r} is no IP address or network "
                "(comma-separated, e.g. 10.0.0.5,10.1.0.0/16, or *)"
            ) from None
    return proxies


def _development_secret() -> str:
    """A secret kept under var/ so that sessions survive a restart in development."""
    path = VAR / "secret_key"
    VAR.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x") as handle:  # exclusive: two workers starting at once agree
            handle.write(secrets.token_urlsafe(48))
    except FileExistsError:
        pass
    return path.read_text().strip()
