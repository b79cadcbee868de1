"""Bodies of the organisations' JSON API, strict and with German messages (the helpers of
booking.core.schemas)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from booking.core.schemas import MESSAGES, Input, Query, Title, single_line, without_default
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
