"""Organisations of the network and the e-mail domains that identify their staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.core.db import Base, UTCDateTime, utcnow

SECTORS: dict[str, str] = {
    "verwaltung": "Kommunal- und Landesverwaltung",
    "schule": "Schule",
    "gesundheit": "Gesundheitswesen",
    "polizei": "Polizei",
    "feuerwehr": "Feuerwehr und Rettungsdienst",
    "justiz": "Justiz",
    "hochschule": "Hochschule",
}


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(30))
    region: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    domains: Mapped[list[OrganisationDomain]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(
            "sector IN ('verwaltung', 'schule', 'gesundheit', 'polizei', 'feuerwehr', 'justiz',"
            " 'hochschule')",
            name="sector",
        ),
    )


class OrganisationDomain(Base):
    __tablename__ = "organisation_domains"

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )

    organisation: Mapped[Organisation] = relationship(back_populates="domains")

    __table_args__ = (CheckConstraint("domain = lower(domain)", name="domain_lower"),)
