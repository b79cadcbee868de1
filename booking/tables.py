"""Imports every model module so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from __future__ import annotations

import booking.bookings.models
import booking.jobs.models
import booking.mail.models
import booking.members.models
import booking.newsletter.models
import booking.organisations.models
import booking.privacy.models
import courses.attendance.models
import courses.certificates.models
import courses.feedback.models
import courses.models
import materials.models
import venues.models
from booking.core.db import Base

__all__ = ["metadata"]

metadata = Base.metadata

_MODULES = (
    booking.jobs.models,
    booking.mail.models,
    booking.members.models,
    booking.newsletter.models,
    booking.organisations.models,
    booking.bookings.models,
    booking.privacy.models,
    courses.attendance.models,
    courses.certificates.models,
    courses.feedback.models,
    courses.models,
    materials.models,
    venues.models,
)
