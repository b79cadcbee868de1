"""The application factory: routes, middleware and a lifespan that owns the engine."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable

from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from sqlalchemy.orm import configure_mappers
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from booking import api
from booking.bookings import coordination as coordination_pages
from booking.bookings import manage as draw_pages
from booking.bookings import routes as booking_routes
from booking.bookings.announcements import fill
from booking.bookings.mails import announcement_context, booking_context
from booking.bookings.messages import CANCELLED_BY_LABELS, status_label
from booking.bookings.models import ACTIVE_STATUSES
from booking.bookings.queue import BookingQueue
from booking.calendar import routes as calendar_routes
from booking.calendar.feeds import ProgrammeFeed
from booking.core import http_errors
from booking.core.db import create_engine, session_factory
from booking.core.formatting import load_locale_data
from booking.core.logtext import install_log_masking
from booking.core.middleware import (
    BodySizeLimit,
    CountRequests,
    DatabaseSession,
    InFlight,
    SecurityHeaders,
)
from booking.core.sessions import ServerSessions
from booking.core.templating import FILTERS, create_templates
from booking.core.web import AppState
from booking.jobs.scheduler import load_jobs, run_jobs
from booking.legal import routes as legal_routes
from booking.mail import manage as mail_manage
from booking.mail.render import MailRenderer
from booking.mail.sender import run_sender
from booking.members import routes as member_routes
from booking.members.mails import member_context
from booking.members.messages import ROLE_LABELS
from booking.members.services import get_member, sign_in_serializer
from booking.members.sessions import session_store
from booking.newsletter import manage as newsletter_pages
from booking.newsletter import routes as newsletter_routes
from booking.newsletter.mails import issue_context
from booking.organisations import joining_manage, joining_pages
from booking.organisations import manage as organisation_pages
from booking.organisations.mails import application_context
from booking.organisations.messages import SECTORS
from booking.privacy import manage as audit_pages
from booking.privacy import messages as audit_messages
from booking.privacy import routes as privacy_routes
from booking.settings import ROOT, Settings
from courses import manage as course_pages
from courses import planning as planning_pages
from courses import routes as course_routes
from courses import series_pages
from courses.attendance import routes as attendance_pages
from courses.certificates import routes as certificate_pages
from courses.certificates.mails import certificate_context
from courses.feedback import manage as feedback_pages
from courses.feedback import routes as feedback_routes
from courses.feedback.mails import invitation_context
from courses.figures import routes as figure_pages
from courses.messages import KIND_LABELS
from materials import mails as material_mails
from materials import manage as material_pages
from materials import routes as material_routes
from venues import manage as venue_pages

TEMPLATE_FILTERS: dict[str, Callable[..., object]] = {
    "kind_label": lambda kind: KIND_LABELS.get(kind, kind),
    "sector_label": lambda sector: SECTORS.get(sector, sector),
    "fill_placeholders": lambda text, member, event: fill(text, member.display_name, event.title),
    "audit_action": audit_messages.action_label,
    "role_label": lambda role: ROLE_LABELS.get(role, role),
    "audit_changes": lambda entry: audit_messages.changes(entry.before, entry.after),
}
"""The domains' labels, for pages and mails alike (on top of the core's date filters)."""
TEMPLATE_GLOBALS: dict[str, object] = {
    "ACTIVE_STATUSES": ACTIVE_STATUSES,
    "status_label": status_label,
    "CANCELLED_BY_LABELS": CANCELLED_BY_LABELS,
    "SECTORS": SECTORS,
    "KIND_LABELS": KIND_LABELS,
}


def mail_renderer() -> MailRenderer:
    """Mails with the pages' filters; a message's ``booking_id``, ``member_id`` and
    ``certificate_id`` are loaded by their rooms (in this order: a member named on its own
    wins over a booking's)."""
    return MailRenderer(
        {**FILTERS, **TEMPLATE_FILTERS},
        {
            "booking_id": booking_context,
            "member_id": member_context,
            "certificate_id": certificate_context,
            "announcement_id": announcement_context,
            "feedback_invitation_id": invitation_context,
            "material_order_id": material_mails.order_context,
            "material_id": material_mails.item_context,
            "application_id": application_context,
            "newsletter_issue_id": issue_context,
        },
    )


TOKEN_PATHS = (
    "/rueckmeldung",
    "/kalender",
    "/bescheinigungen/pruefen",
    "/urkunden/pruefen",
    "/newsletter/abmelden",
)
"""Paths whose next segment is a secret (a token or a verification code): masked in logs."""


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    install_log_masking(TOKEN_PATHS)
    configure_mappers()  # at start-up, not in the first request
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    in_flight = InFlight()
    jobs = load_jobs(settings.jobs_module) if settings.run_jobs else ()
    storage = settings.ratelimit_storage
    if storage.startswith("memory"):
        storage = "async+memory://"
    elif not storage.startswith("async+"):
        storage = "async+" + storage
    app_state = AppState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        templates=create_templates(TEMPLATE_FILTERS, TEMPLATE_GLOBALS),
        limiter=MovingWindowRateLimiter(storage_from_string(storage)),
        serializer=sign_in_serializer(settings.secret_key),
        load_member=get_member,
        load_token_member=api.member_for_token,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        load_locale_data()
        background: list[asyncio.Task[None]] = []
        if settings.run_mail_sender:
            sender = run_sender(settings, sessions, mail_renderer(), in_flight.quiet)
            background.append(asyncio.create_task(sender))
        if settings.run_jobs:
            background.append(asyncio.create_task(run_jobs(sessions, jobs, in_flight.quiet)))
        try:
            yield
        finally:
            for task in background:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await engine.dispose()

    all_routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        # The API first: a booking request is matched against two entries, not all pages.
        Mount("/api/v1", routes=api.routes),
        *course_routes.routes,
        *attendance_pages.routes,
        *certificate_pages.routes,
        *feedback_routes.routes,
        *feedback_pages.routes,
        *course_pages.routes,
        *planning_pages.routes,
        *series_pages.routes,
        *figure_pages.routes,
        *booking_routes.routes,
        *coordination_pages.routes,
        *draw_pages.routes,
        *audit_pages.routes,
        *calendar_routes.routes,
        *legal_routes.routes,
        *member_routes.routes,
        *privacy_routes.routes,
        *organisation_pages.routes,
        *venue_pages.routes,
        *mail_manage.routes,
        *material_routes.routes,
        *material_pages.routes,
        *joining_pages.routes,
        *joining_manage.routes,
        *newsletter_routes.routes,
        *newsletter_pages.routes,
        Mount("/static", app=StaticFiles(directory=str(ROOT / "static")), name="static"),
    ]
    middleware = [
        Middleware(CountRequests, in_flight=in_flight),
        # Answers from 1 KB on go out compressed to clients that accept gzip: the programme
        # page to a fifth, the calendar feed to a tenth.
        Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6),
        Middleware(SecurityHeaders),
        Middleware(BodySizeLimit),
        Middleware(
            ServerSessions,
            store=session_store(sessions),
            secret_key=settings.secret_key,
            https_only=settings.https_only,
            unavailable=http_errors.database_error,
        ),
        Middleware(DatabaseSession, sessions=sessions),
    ]
    app = Starlette(
        routes=all_routes,
        middleware=middleware,
        exception_handlers=http_errors.handlers,
        lifespan=lifespan,
    )
    app.state.app = app_state
    app.state.bookings = BookingQueue(sessions)
    app.state.programme_feed = ProgrammeFeed()
    return app


async def healthz(request: Request) -> PlainTextResponse:
    """For load balancers: the process answers. Touches no database."""
    return PlainTextResponse("ok")


def create_app_from_env() -> Starlette:
    """Entry point for uvicorn's ``--factory`` (``sid serve``; called in each worker)."""
    app = create_app(Settings.from_env())
    settle_garbage_collector()
    return app


def settle_garbage_collector() -> None:
    """Tune Python's cycle collector for a server process.

    What exists once the app is built (modules, mappers, templates) lives as long as the
    process; frozen, the collector stops walking it again and again. Young objects are
    collected after 50,000 allocations instead of 700, so that a rush, which creates and
    drops many thousands of short-lived objects, is not interrupted by collections every
    few requests. Together this takes about a third off the cost of a booking request.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
