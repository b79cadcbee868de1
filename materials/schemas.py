"""The material endpoints' bodies and answers (pydantic, strict, German messages)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from booking.core.schemas import MESSAGES, Id, Input, Instant, Title, multi_line, without_default

Amount = Annotated[int, Field(ge=0, le=1_000_000)]
Limit = Annotated[int, Field(ge=1, le=1_000_000)]
Quantity = Annotated[int, Field(ge=1, le=100_000)]
Text = Annotated[str, StringConstraints(max_length=2000), AfterValidator(multi_line)]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Address = Annotated[str, StringConstraints(max_length=1000), AfterValidator(multi_line)]
Status = Literal["approved", "shipped", "rejected", "cancelled"]

YEARLY_LIMIT = "What one organisation may order per calendar year (Berlin); null: no limit."
EMERGENCY = "Only organisations of the Einsatzkräfte (police, fire brigade, rescue service, THW)."


class MaterialIn(Input):
    """A new catalogue item (organisers only)."""

    name: Title
    description: Text = ""
    unit: Unit = "Stück"
    stock: Amount = Field(description="What is on the shelf.")
    emergency_services_only: bool = Field(False, description=EMERGENCY)
    yearly_limit: Limit | None = Field(None, description=YEARLY_LIMIT)
    low_stock_threshold: Amount = Field(0, description="Below this the organisers are told.")
    active: bool = True


class MaterialChanges(Input):
    """Fields left out stay as they are; ``yearly_limit: null`` removes the limit."""

    name: Title = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    description: Text = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    unit: Unit = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    stock: Amount = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    emergency_services_only: bool = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    yearly_limit: Limit | None = Field(default=None, description=YEARLY_LIMIT)
    low_stock_threshold: Amount = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]
    active: bool = Field(default=None, json_schema_extra=without_default)  # type: ignore[assignment]

    @model_validator(mode="after")
    def _something_to_change(self) -> MaterialChanges:
        if not self.model_fields_set:
            raise PydanticCustomError("nothing_to_change", MESSAGES["nothing_to_change"])
        for name in self.model_fields_set - {"yearly_limit"}:
            if getattr(self, name) is None:
                raise PydanticCustomError("string_type", "Bitte geben Sie einen Wert an.")
        return self


class MaterialOut(BaseModel):
    id: int
    name: str
    description: str
    unit: str
    stock: int
    emergency_services_only: bool
    yearly_limit: int | None
    low_stock_threshold: int
    active: bool


class LineIn(Input):
    material_id: Id
    quantity: Quantity


class OrderIn(Input):
    """An order for the caller's organisation."""

    items: list[LineIn] = Field(min_length=1, max_length=20)
    delivery_address: Address = Field(
        description="The organisation's official address, one line per line: the first names "
        "the organisation, the last the postcode (five digits) and town; 2 to 6 lines."
    )
    contact: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        None, description="Who receives it (name, telephone); the caller if left out."
    )
    note: Annotated[str, StringConstraints(max_length=1000), AfterValidator(multi_line)] = ""


class LineOut(BaseModel):
    material_id: int
    name: str
    unit: str
    quantity: int


class OrderOut(BaseModel):
    id: int
    number: str = Field(description='The order number people quote, "M-000042".')
    status: Literal["received", "approved", "shipped", "rejected", "cancelled"]
    organisation_id: int
    items: list[LineOut]
    delivery_address: str
    contact: str
    note: str
    created_at: Instant
    shipped_on: date | None
    tracking_note: str
    reason: str


class QuantityIn(Input):
    material_id: Id
    quantity: Annotated[int, Field(ge=0, le=100_000)]


class OrderChange(Input):
    """The next step (organisers), or new quantities of an open order (``items``; 0 takes
    an item out)."""

    status: Status | None = None
    reason: Annotated[str, StringConstraints(max_length=1000)] = Field(
        "", description="Why it is rejected (required then); told to the orderer."
    )
    shipped_on: date | None = Field(None, description="With shipped: the day; today if left out.")
    tracking_note: Annotated[str, StringConstraints(max_length=500)] = ""
    items: list[QuantityIn] | None = Field(None, max_length=20)

    @model_validator(mode="after")
    def _one_thing(self) -> OrderChange:
        if (self.status is None) == (self.items is None):
            raise PydanticCustomError(
                "status_or_items", "Bitte geben Sie entweder status oder items an."
            )
        return self
