"""The jobs the scheduler runs: name, how often, the function. This tuple is the whole list.

``JOBS_MODULE`` may name another module with a ``JOBS`` tuple (the process tests do).
"""

from __future__ import annotations

from datetime import timedelta

from booking.jobs.draw import draw_allocation
from booking.jobs.feedback import feedback_invitations
from booking.jobs.newsletter import newsletter_sending
from booking.jobs.offers import offer_expiry
from booking.jobs.release import release_lapse
from booking.jobs.reminders import booking_reminders
from booking.jobs.retention import privacy_retention
from booking.jobs.scheduler import Job
from booking.jobs.stock import low_stock_alerts
from booking.jobs.sweep import promotion_sweep

JOBS: tuple[Job, ...] = (
    Job(name="promotion-sweep", every=timedelta(minutes=15), run=promotion_sweep),
    Job(
        name="booking-reminders",
        every=timedelta(minutes=15),
        run=booking_reminders,
        offset=timedelta(minutes=5),
    ),
    Job(
        name="feedback-invitations",
        every=timedelta(hours=1),
        run=feedback_invitations,
        offset=timedelta(minutes=20),
    ),
    Job(
        name="release-lapse",
        every=timedelta(minutes=15),
        run=release_lapse,
        offset=timedelta(minutes=10),
    ),
    Job(
        name="draw-allocation",
        every=timedelta(minutes=5),
        run=draw_allocation,
        offset=timedelta(minutes=1),
    ),
    Job(
        name="low-stock-alerts",
        every=timedelta(minutes=15),
        run=low_stock_alerts,
        offset=timedelta(minutes=12),
    ),
    Job(
        name="privacy-retention",
        every=timedelta(days=1),
        run=privacy_retention,
        offset=timedelta(hours=2, minutes=30),
    ),
    Job(
        name="offer-expiry",
        every=timedelta(minutes=5),
        run=offer_expiry,
        offset=timedelta(minutes=1),
    ),
    Job(name="newsletter-sending", every=timedelta(minutes=1), run=newsletter_sending),
)
