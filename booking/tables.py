"""Imports every model module so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from __future__ import annotations

import booking.mail.models
import booking.members.models
import booking.models
import courses.models
import materials.models
import venues.models
from booking.db import Base

__all__ = ["metadata"]

metadata = Base.metadata

_MODULES = (
    booking.mail.models,
    booking.members.models,
    booking.models,
    courses.models,
    materials.models,
    venues.models,
)
