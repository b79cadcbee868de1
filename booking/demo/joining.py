"""The demo's joining: one organisation that joined online (accepted a month ago, with its
Urkunde, named in the public list, with a coordinator) and one application waiting for the
organisers' review."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from booking.members.models import Member
from booking.organisations import joining
from booking.organisations.models import ApplicationStatus, JoiningApplication

JOINED_EMAIL = "koordination@stadt-hamm.example"
"""The contact of the organisation that joined; its coordinator in the demo."""

ACCEPTED = dict(
    name="Stadt Hamm", sector="verwaltung", region="Arnsberg", street="Theodor-Heuss-Platz 16",
    postal_code="59065", city="Hamm", head_name="Marc Herter", head_function="Oberbürgermeister",
    contact_first_name="Miriam", contact_last_name="Çelik", contact_email=JOINED_EMAIL,
    domains=["stadt-hamm.example"], listed=True,
)  # fmt: skip
WAITING = dict(
    name="Kreispolizeibehörde Coesfeld", sector="polizei", region="Münster",
    street="Friedrich-Ebert-Straße 5", postal_code="48653", city="Coesfeld",
    head_name="Dr. Christian Schulze Pellengahr", head_function="Landrat als Behördenleiter",
    contact_first_name="Tobias", contact_last_name="Wenning",
    contact_email="tobias.wenning@polizei-coesfeld.example",
    domains=["polizei-coesfeld.example"], listed=False,
)  # fmt: skip


def _confirmed(values: dict[str, object], at: datetime) -> JoiningApplication:
    return JoiningApplication(
        **values,
        status=ApplicationStatus.CONFIRMED,
        confirm_nonce=secrets.token_urlsafe(16),
        created_at=at - timedelta(hours=1),
        confirmed_at=at,
    )


async def add_joining(session: AsyncSession, now: datetime, organiser: Member) -> None:
    """Through the organisers' own service, so the Urkunde is numbered as in real life."""
    accepted_at = now - timedelta(days=30)
    accepted = _confirmed(ACCEPTED, accepted_at - timedelta(days=2))
    session.add_all([accepted, _confirmed(WAITING, now - timedelta(days=2))])
    await session.commit()
    result = await joining.accept(
        session, actor=organiser, application_id=accepted.id, now=accepted_at
    )
    session.add(
        Member(
            email=JOINED_EMAIL, first_name="Miriam", last_name="Çelik",
            function="Personalentwicklung", organisation_id=result.organisation.id,
            role="coordinator", created_at=accepted_at, approved_at=accepted_at,
        )
    )  # fmt: skip
    await session.commit()
