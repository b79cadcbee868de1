"""Organisations of the network, their sectors, and the e-mail domains that identify their staff."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.core.db import Base, UTCDateTime, utcnow


class Sector(StrEnum):
    """The network's sectors; the values are the keys stored in the database."""

    VERWALTUNG = "verwaltung"
    SOZIALES = "soziales"
    SCHULE = "schule"
    HOCHSCHULE = "hochschule"
    GESUNDHEIT = "gesundheit"
    POLIZEI = "polizei"
    FEUERWEHR = "feuerwehr"
    RETTUNGSDIENST = "rettungsdienst"
    THW = "thw"
    JUSTIZ = "justiz"

    @property
    def is_emergency(self) -> bool:
        """Counts as emergency services ("Einsatzkräfte"), e.g. for door-wedge orders."""
        return self in EMERGENCY_SECTORS


EMERGENCY_SECTORS: frozenset[Sector] = frozenset(
    {Sector.POLIZEI, Sector.FEUERWEHR, Sector.RETTUNGSDIENST, Sector.THW}
)
"""Einsatzkräfte: police, fire brigade, rescue service, THW."""


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(30))
    region: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    domains: Mapped[list[OrganisationDomain]] = relationship(
        back_populates="organisation",
        cascade="all, delete-orphan",
        order_by="OrganisationDomain.domain",
    )

    __table_args__ = (
        CheckConstraint(
            "sector IN ({})".format(", ".join(f"'{s.value}'" for s in Sector)), name="sector"
        ),
    )

    @property
    def is_emergency(self) -> bool:
        return self.sector in EMERGENCY_SECTORS


class OrganisationDomain(Base):
    __tablename__ = "organisation_domains"

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    """Unique across organisations: the primary key lets the database refuse a second owner."""
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )

    organisation: Mapped[Organisation] = relationship(back_populates="domains")

    __table_args__ = (CheckConstraint("domain = lower(domain)", name="domain_lower"),)
