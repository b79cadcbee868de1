"""Organisations of the network, their sectors, and the e-mail domains that identify their staff."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
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
    joined_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """When it joined the network by the online form (None: joined before, or not yet)."""
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Consented to be named in the public list of partner organisations."""

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


class ApplicationStatus(StrEnum):
    """Where an application to join stands."""

    UNCONFIRMED = "unconfirmed"
    """Sent; the contact has not yet confirmed their address by the link."""
    CONFIRMED = "confirmed"
    """Confirmed by the contact: waits for the organisers' review."""
    ASKED = "asked"
    """The organisers asked back; still in the queue."""
    ACCEPTED = "accepted"
    DECLINED = "declined"


OPEN_STATUSES = (ApplicationStatus.CONFIRMED, ApplicationStatus.ASKED)
"""Applications in the organisers' queue."""


class JoiningApplication(Base):
    """An organisation's application to join the network, sent with the public form.

    Organisers see it only once the contact has confirmed their address (double opt-in);
    accepting creates the organisation with its domains (or adds them to an existing one).
    """

    __tablename__ = "joining_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(30))
    region: Mapped[str] = mapped_column(String(20))
    street: Mapped[str] = mapped_column(String(200))
    address_extra: Mapped[str] = mapped_column(String(200), default="", server_default="")
    """A second address line (department, Postfach), may be empty."""
    postal_code: Mapped[str] = mapped_column(String(5))
    city: Mapped[str] = mapped_column(String(100))
    head_name: Mapped[str] = mapped_column(String(200))
    """The head of the organisation, who signs the joining."""
    head_function: Mapped[str] = mapped_column(String(200))
    contact_first_name: Mapped[str] = mapped_column(String(100))
    contact_last_name: Mapped[str] = mapped_column(String(100))
    contact_email: Mapped[str] = mapped_column(String(254))
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The organisation's e-mail domains, lower case; the contact's address is at one of them."""
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Consent to be named in the public list of partner organisations."""
    status: Mapped[str] = mapped_column(String(20), default=ApplicationStatus.UNCONFIRMED)
    confirm_nonce: Mapped[str] = mapped_column(String(64))
    """The nonce of the confirmation link: the link confirms only this application, once."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    question: Mapped[str] = mapped_column(Text, default="", server_default="")
    """The organisers' last question to the contact."""
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    decline_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True
    )
    """The organisation it became (or was merged into) on acceptance."""

    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s.value}'" for s in ApplicationStatus)),
            name="status",
        ),
        CheckConstraint("contact_email = lower(contact_email)", name="contact_email_lower"),
        CheckConstraint("length(postal_code) = 5", name="postal_code_length"),
        Index("ix_joining_applications_queue", "status", "confirmed_at", "id"),
    )

    @property
    def contact_name(self) -> str:
        return f"{self.contact_first_name} {self.contact_last_name}".strip()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class JoiningCertificate(Base):
    """An Urkunde: the certificate that an organisation joined the network, numbered
    ``<year>-<serial, four digits>`` without gaps per year. A re-issue after a name change
    gets a new number and supersedes the one before; each keeps what it printed."""

    __tablename__ = "joining_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    """The secret part of the verification address (128 random bits)."""
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True
    )
    organisation_name: Mapped[str] = mapped_column(String(200))
    joined_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("joining_certificates.id", ondelete="SET NULL"), nullable=True
    )

    superseded_by: Mapped[JoiningCertificate | None] = relationship(remote_side=[id])

    __table_args__ = (
        UniqueConstraint("year", "serial", name="uq_joining_certificates_year_serial"),
        CheckConstraint("serial >= 1", name="serial_positive"),
        Index("ix_joining_certificates_organisation", "organisation_id"),
        Index(
            "uq_joining_certificates_current",
            "organisation_id",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
    )

    @property
    def valid(self) -> bool:
        return self.superseded_at is None


class JoiningCertificateCounter(Base):
    """The last serial given per year: an Urkunde takes the next one by updating this row in
    its transaction, so concurrent acceptances queue on it and no number is skipped."""

    __tablename__ = "joining_certificate_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)
