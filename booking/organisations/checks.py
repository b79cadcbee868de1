"""Checking what organisers enter for an organisation: names, sectors, Regierungsbezirke and
e-mail domains, with German messages by field; and that the actor is an organiser."""

from __future__ import annotations

import re
from collections.abc import Iterable

from booking.core.errors import Forbidden, ValidationFailed
from booking.core.text import has_control_characters
from booking.members.models import Member
from booking.organisations import messages
from booking.organisations.models import Sector
from venues.models import REGIONS

NAME_MAX = 200

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"^(?:{_LABEL}\.)+(?:[a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})$")


def normalise_domain(text: str) -> str:
    """``" @Stadt-Muenster.DE "`` → ``"stadt-muenster.de"``; not checked yet."""
    return text.strip().removeprefix("@").strip().lower()


def is_valid_domain(domain: str) -> bool:
    """A host name of at least two labels with a top-level domain of letters (or IDNA)."""
    return len(domain) <= 253 and _DOMAIN.fullmatch(domain) is not None


def clean_name(name: str, errors: dict[str, str]) -> str:
    if has_control_characters(name):
        errors["name"] = messages.NAME_CONTROL_CHARS
        return name
    name = " ".join(name.split())
    if not name:
        errors["name"] = messages.NAME_REQUIRED
    elif len(name) > NAME_MAX:
        errors["name"] = messages.NAME_TOO_LONG
    return name


def clean_sector(sector: str, errors: dict[str, str]) -> str:
    if sector not in set(Sector):
        errors["sector"] = messages.SECTOR_UNKNOWN
    return sector


def clean_region(region: str, errors: dict[str, str]) -> str:
    if region not in REGIONS:
        errors["region"] = messages.REGION_UNKNOWN
    return region


def clean_domains(domains: Iterable[str], errors: dict[str, str]) -> list[str]:
    cleaned: list[str] = []
    for raw in domains:
        domain = normalise_domain(raw)
        if not domain:
            continue
        if not is_valid_domain(domain):
            errors["domains"] = messages.DOMAIN_INVALID
        elif domain not in cleaned:
            cleaned.append(domain)
    return cleaned


def require_organiser(actor: Member) -> None:
    if not actor.is_organiser:
        raise Forbidden()


def refuse(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
