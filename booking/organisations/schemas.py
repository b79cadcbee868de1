"""Bodies of the organisations' JSON API, strict and with German messages (the helpers of
booking.core.schemas)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from booking.core.schemas import (
    MESSAGES,
    Id,
    Input,
    Instant,
    Query,
    Title,
    multi_line,
    single_line,
    without_default,
)
from booking.organisations.checks import is_valid_domain, normalise_domain

Sector = Literal[
    "verwaltung",
    "soziales",
    "schule",
    "hochschule",
    "gesundheit",
    "polizei",
    "feuerwehr",
    "rettungsdienst",
    "thw",
    "justiz",
]
"""The keys of booking.organisations.models.SECTORS (a test keeps them equal)."""

Region = Literal["Arnsberg", "Detmold", "Düsseldorf", "Köln", "Münster"]
"""venues.models.REGIONS (a test keeps them equal)."""

DOMAIN_INVALID = MESSAGES["domain_invalid"]


def _domain(value: str) -> str:
    domain = normalise_domain(value)
    if not is_valid_domain(domain):
        raise PydanticCustomError("domain_invalid", DOMAIN_INVALID)
    return domain


Domain = Annotated[
    str,
    StringConstraints(max_length=253),
    AfterValidator(single_line),
    AfterValidator(_domain),
]
Domains = Annotated[list[Domain], Field(max_length=50)]


class OrganisationIn(Input):
    """A new organisation (organisers only)."""

    name: Title
    sector: Sector
    region: Region
    domains: Domains = Field(
        default_factory=list,
        description="E-mail domains of its staff, lower-case; each belongs to one organisation.",
    )


class OrganisationChanges(Input):
    """Fields left out stay as they are; ``domains`` replaces the whole set."""

    # None only stands for "not sent" (read only when in model_fields_set); a client's
    # explicit null is refused like any other wrong type.
    name: Title = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    sector: Sector = Field(default=None, json_schema_extra=without_default)  # type: ignore[arg-type]
    region: Region = Field(default=None, json_schema_extra=without_default)  # type: ignore[arg-type]
    domains: Domains = Field(default=None, json_schema_extra=without_default)  # type: ignore[arg-type]

    @model_validator(mode="after")
    def _something_to_change(self) -> OrganisationChanges:
        if not self.model_fields_set:
            raise PydanticCustomError("nothing_to_change", MESSAGES["nothing_to_change"])
        return self


class OrganisationOut(BaseModel):
    id: int
    name: str
    sector: Sector
    sector_label: str = Field(description="The sector's German name.")
    emergency_services: bool = Field(
        description="Counts as Einsatzkräfte (police, fire brigade, rescue service, THW)."
    )
    region: Region
    domains: list[str]
    members: int = Field(description="How many members belong to it.")


class OrganisationPageOut(BaseModel):
    items: list[OrganisationOut]
    next_cursor: str | None = Field(
        description="Pass as ?after= for the next page; null on the last page."
    )


class OrganisationListQuery(Query):
    """The list's parameters; the service checks them and answers in German."""

    search: str | None = Field(None, description="Part of the name, in any case.")
    sector: str | None = Field(None, description="One of the sectors.")
    region: str | None = Field(None, description="A Regierungsbezirk.")
    limit: str | None = Field(None, description="Entries per page (1 to 200, default 50).")
    after: str | None = Field(None, description="The previous page's next_cursor.")
    cursor: str | None = Field(None, description="The same as after.")


# -- joining online ------------------------------------------------------------------------------

Line = Annotated[str, StringConstraints(max_length=200), AfterValidator(single_line)]
ShortLine = Annotated[str, StringConstraints(max_length=100), AfterValidator(single_line)]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(multi_line),
]  # fmt: skip


class ApplicationIn(Input):
    """An organisation asks to join (public). The contact confirms by the link in a mail;
    the answer is the same whether or not the organisation or its domains are known."""

    name: Title
    sector: Sector
    region: Region
    street: Line = Field(description="Straße und Hausnummer oder Postfach.")
    address_extra: Line = Field("", description="Second address line, may be empty.")
    postal_code: Annotated[str, StringConstraints(max_length=5)] = Field(description="Five digits.")
    city: ShortLine
    head_name: Line = Field(description="The head of the organisation, who signs the joining.")
    head_function: Line
    contact_first_name: ShortLine
    contact_last_name: ShortLine
    contact_email: Annotated[str, StringConstraints(max_length=254)] = Field(
        description="The contact's official address: at one of the domains."
    )
    domains: Annotated[
        list[Annotated[str, StringConstraints(max_length=253), AfterValidator(single_line)]],
        Field(min_length=1, max_length=20),
    ] = Field(description="The organisation's e-mail domains; no free-mail providers.")
    listed: bool = Field(False, description="Consent to be named in the public list.")


class ApplicationReceived(BaseModel):
    message: str = Field(description="What happens next, in German.")


class ApplicationOut(BaseModel):
    id: int
    name: str
    sector: Sector
    region: Region
    street: str
    address_extra: str
    postal_code: str
    city: str
    head_name: str
    head_function: str
    contact_first_name: str
    contact_last_name: str
    contact_email: str
    domains: list[str]
    listed: bool
    status: Literal["confirmed", "asked", "accepted", "declined"]
    confirmed_at: Instant | None
    asked_at: Instant | None
    question: str
    decided_at: Instant | None
    decline_reason: str
    organisation_id: int | None


class ApplicationPageOut(BaseModel):
    items: list[ApplicationOut]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null on the last page."
    )
    total: int = Field(description="Open applications in all.")


class IntoIn(Input):
    organisation_id: Id = Field(description="The existing organisation to accept into.")


class QuestionIn(Input):
    question: Text


class DeclineIn(Input):
    reason: Text


class UrkundeOut(BaseModel):
    number: str = Field(description='"<year>-<serial>", e.g. "2027-0042".')
    organisation_id: int | None
    organisation_name: str = Field(description="The name it was issued to.")
    joined_on: date
    issued_at: Instant
    valid: bool = Field(description="False once superseded by a re-issue.")
    pdf_url: str = Field(description="The PDF (organisers and the organisation's coordinators).")
    verify_url: str = Field(description="The public verification page (the QR code's address).")


class AcceptedOut(BaseModel):
    application: ApplicationOut
    organisation: OrganisationOut
    certificate: UrkundeOut
