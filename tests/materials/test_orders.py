"""Ordering material and the order's way, on every database: eligibility, the yearly limit,
the stock, the delivery address, each step's mail and audit entry, and refusals that leave
nothing half-written."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.core.db import session_factory
from booking.core.errors import Forbidden, InvalidState, NotEligible, NotFound, ValidationFailed
from booking.mail.models import OutboxMessage
from booking.privacy.models import AuditEntry
from materials import orders
from materials.checks import OutOfStock, OverLimit
from materials.models import MaterialItem, MaterialOrder, MaterialOrderLine
from materials.orders import Line, change_quantities, change_status, place_order
from tests import factories
from tests.factories import NOW
from tests.materials.factories import address, item, orderer

MID_YEAR = datetime(2026, 6, 15, 10, tzinfo=UTC)


async def stock_of(db: AsyncSession, item_id: int) -> int:
    await db.commit()
    return int(await db.scalar(select(MaterialItem.stock).where(MaterialItem.id == item_id)) or 0)


async def counts(db: AsyncSession) -> tuple[int, int, int, int]:
    await db.commit()
    return (
        int(await db.scalar(select(func.count()).select_from(MaterialOrder)) or 0),
        int(await db.scalar(select(func.count()).select_from(MaterialOrderLine)) or 0),
        int(await db.scalar(select(func.count()).select_from(OutboxMessage)) or 0),
        int(await db.scalar(select(func.count()).select_from(AuditEntry)) or 0),
    )


async def mails(db: AsyncSession) -> list[tuple[str, str]]:
    await db.commit()
    rows = await db.execute(
        select(OutboxMessage.recipient, OutboxMessage.template).order_by(OutboxMessage.id)
    )
    return [(r, t) for r, t in rows]


async def test_an_order_reserves_its_quantities_and_mails_the_orderer(db: AsyncSession) -> None:
    org, person = await orderer(db)
    wedges = await item(db, stock=50, emergency_services_only=True, yearly_limit=20)
    cards = await item(db, stock=10)
    order = await place_order(
        db, actor=person, lines=[Line(wedges.id, 5), Line(cards.id, 10)],
        delivery_address=f"  {org.name}\n\n Wache 1 \nHauptstraße   1\n48143 Münster ",
        contact="Dennis Kaya, 0201 12345", note="Bitte an die Pforte.", now=MID_YEAR,
    )  # fmt: skip
    assert order.status == "received" and order.year == 2026
    assert order.number == f"M-{order.id:06d}"
    assert order.delivery_address == f"{org.name}\nWache 1\nHauptstraße 1\n48143 Münster"
    assert [(line.item_id, line.quantity) for line in order.lines] == [
        (wedges.id, 5),
        (cards.id, 10),
    ]
    assert await stock_of(db, wedges.id) == 45
    assert await stock_of(db, cards.id) == 0
    assert await mails(db) == [(person.email, "material_order_received")]


async def test_door_wedges_only_for_emergency_services(db: AsyncSession) -> None:
    org, teacher = await orderer(db, sector="schule")
    wedges = await item(db, stock=50, emergency_services_only=True, name="Türkeil")
    with pytest.raises(NotEligible) as refused:
        await place_order(
            db, actor=teacher, lines=[Line(wedges.id, 5)], delivery_address=address(org),
            contact="Frau Demir", now=MID_YEAR,
        )  # fmt: skip
    assert refused.value.status == 403
    assert "Einsatzkräfte" in refused.value.message and "„Schule“" in refused.value.message
    assert await counts(db) == (0, 0, 0, 0)
    assert await stock_of(db, wedges.id) == 50
    for sector in ("polizei", "feuerwehr", "rettungsdienst", "thw"):
        org, crew = await orderer(db, sector=sector)
        await place_order(
            db, actor=crew, lines=[Line(wedges.id, 1)], delivery_address=address(org),
            contact="Wache", now=MID_YEAR,
        )  # fmt: skip
    assert await stock_of(db, wedges.id) == 46


async def test_the_yearly_limit_counts_the_organisations_orders_of_the_calendar_year(
    db: AsyncSession,
) -> None:
    org, first = await orderer(db)
    second = await factories.member(db, org)
    wedges = await item(db, stock=500, emergency_services_only=True, yearly_limit=20)

    async def order(who: object, quantity: int, now: datetime = MID_YEAR) -> MaterialOrder:
        return await place_order(
            db, actor=who, lines=[Line(wedges.id, quantity)],  # type: ignore[arg-type]
            delivery_address=address(org), contact="Wache", now=now,
        )  # fmt: skip

    await order(first, 12)
    with pytest.raises(OverLimit) as refused:
        await order(second, 9)
    assert refused.value.status == 422
    assert refused.value.message == (
        f"Über der Jahresgrenze: Von „{wedges.name}“ kann {org.name} 2026 noch 8 Stück "
        "bestellen (Grenze 20 je Kalenderjahr)."
    )
    assert refused.value.fields == {"items.0.quantity": refused.value.message}
    await order(second, 7)
    # A cancelled order gives its share back; shipped ones keep counting.
    cancelled = await order(first, 1, datetime(2026, 12, 31, 22, 59, tzinfo=UTC))  # 23:59 Berlin
    assert cancelled.year == 2026
    with pytest.raises(OverLimit):
        await order(first, 1)
    await change_status(db, actor=first, order_id=cancelled.id, status="cancelled", now=MID_YEAR)
    await order(second, 1)
    # New Year in Berlin is a new year of the limit.
    new_year = await order(first, 20, datetime(2026, 12, 31, 23, 0, tzinfo=UTC))
    assert new_year.year == 2027
    assert await stock_of(db, wedges.id) == 500 - 12 - 7 - 1 - 20


async def test_not_enough_stock_says_what_is_available_and_writes_nothing(
    db: AsyncSession,
) -> None:
    org, person = await orderer(db, sector="verwaltung")
    guide = await item(db, stock=3, unit="Exemplar", name="Leitfaden")
    cards = await item(db, stock=10)
    with pytest.raises(OutOfStock) as refused:
        await place_order(
            db, actor=person, lines=[Line(cards.id, 2), Line(guide.id, 4)],
            delivery_address=address(org), contact="Frau Schulte", now=MID_YEAR,
        )  # fmt: skip
    assert refused.value.status == 409
    assert (
        refused.value.message
        == "Nicht genug auf Lager: Von „Leitfaden“ sind noch 3 Exemplar verfügbar."
    )
    assert await counts(db) == (0, 0, 0, 0)
    assert (await stock_of(db, cards.id), await stock_of(db, guide.id)) == (10, 3)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "Bitte geben Sie die Lieferanschrift"),
        ("{org}", "2 bis 6 Zeilen (Sie haben 1"),
        ("{org}\na\nb\nc\nd\ne\n48143 Münster", "2 bis 6 Zeilen (Sie haben 7"),
        ("Max Mustermann\nAmselweg 3\n48143 Münster", "nie an eine Privatanschrift"),
        ("{org}sverein\nAmselweg 3\n48143 Münster", "nie an eine Privatanschrift"),
        ("{org}\nAmselweg 3\n4814 Münster", "Postleitzahl (fünf Ziffern)"),
        ("{org}\nAmselweg 3\nMünster", "Postleitzahl (fünf Ziffern)"),
        ("{org}\n" + "x" * 101 + "\n48143 Münster", "höchstens 100 Zeichen"),
        ("{org}\nAmsel\x00weg 3\n48143 Münster", "Steuerzeichen"),
    ],
)
async def test_the_delivery_address_is_an_official_one(
    db: AsyncSession, text: str, problem: str
) -> None:
    org, person = await orderer(db)
    cards = await item(db)
    with pytest.raises(ValidationFailed) as refused:
        await place_order(
            db, actor=person, lines=[Line(cards.id, 1)],
            delivery_address=text.replace("{org}", org.name), contact="x", now=MID_YEAR,
        )  # fmt: skip
    assert problem in refused.value.fields["delivery_address"]
    assert await counts(db) == (0, 0, 0, 0)


async def test_the_first_line_may_go_on_after_the_organisations_name(db: AsyncSession) -> None:
    org, person = await orderer(db)
    cards = await item(db)
    order = await place_order(
        db, actor=person, lines=[Line(cards.id, 1)],
        delivery_address=f"{org.name.upper()} – Wache 1\nz. Hd. Herrn Kaya\nD-48143 Münster",
        contact="Herr Kaya", now=MID_YEAR,
    )  # fmt: skip
    assert order.delivery_address.startswith(org.name.upper())


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "items"),
        ([(0, 1)], "items.0.quantity"),
        ([(-5, 1)], "items.0.quantity"),
        ([(100_001, 1)], "items.0.quantity"),
        ([(True, 1)], "items.0.quantity"),
        ([(1, 999_999)], "items.0.material_id"),
        ([(1, 1), (2, 1)], "items.1.material_id"),
        ([(1, 1)] * 21, "items"),
    ],
)
async def test_bad_lines_are_refused_with_the_field(
    db: AsyncSession, lines: list[tuple[int, int]], field: str
) -> None:
    org, person = await orderer(db)
    cards = await item(db)
    wanted = [Line(cards.id if i == 1 else i, q) for q, i in lines]
    with pytest.raises(ValidationFailed) as refused:
        await place_order(
            db, actor=person, lines=wanted, delivery_address=address(org), contact="x",
            now=MID_YEAR,
        )  # fmt: skip
    assert field in refused.value.fields
    assert await counts(db) == (0, 0, 0, 0)


async def test_an_inactive_item_cannot_be_ordered(db: AsyncSession) -> None:
    org, person = await orderer(db)
    old = await item(db, active=False)
    with pytest.raises(ValidationFailed) as refused:
        await place_order(
            db, actor=person, lines=[Line(old.id, 1)], delivery_address=address(org),
            contact="x", now=MID_YEAR,
        )  # fmt: skip
    assert "nicht bestellbar" in refused.value.fields["items.0.material_id"]


async def test_someone_without_an_organisation_cannot_order(db: AsyncSession) -> None:
    org, person = await orderer(db)
    person.organisation_id = None
    await db.commit()
    cards = await item(db)
    with pytest.raises(Forbidden):
        await place_order(
            db, actor=person, lines=[Line(cards.id, 1)], delivery_address=address(org),
            contact="x", now=MID_YEAR,
        )  # fmt: skip


async def place(db: AsyncSession, quantity: int = 5, **item_fields: object) -> tuple:  # type: ignore[type-arg]
    org, person = await orderer(db)
    things = await item(db, **item_fields)  # type: ignore[arg-type]
    order = await place_order(
        db, actor=person, lines=[Line(things.id, quantity)], delivery_address=address(org),
        contact="Wache", now=MID_YEAR,
    )  # fmt: skip
    organiser = await factories.member(db, role="organiser")
    return org, person, things, order, organiser


async def test_the_way_of_an_order_with_a_mail_and_an_audit_entry_at_each_step(
    db: AsyncSession,
) -> None:
    _, person, things, order, organiser = await place(db, stock=20)
    approved = await change_status(
        db, actor=organiser, order_id=order.id, status="approved", now=MID_YEAR
    )
    assert approved.status == "approved"
    shipped = await change_status(
        db, actor=organiser, order_id=order.id, status="shipped", now=MID_YEAR,
        shipped_on=date(2026, 6, 14), tracking_note="DHL 00340434161234567890",
    )  # fmt: skip
    assert (shipped.status, shipped.shipped_on, shipped.tracking_note) == (
        "shipped", date(2026, 6, 14), "DHL 00340434161234567890",
    )  # fmt: skip
    assert await stock_of(db, things.id) == 15  # shipped keeps what it took
    assert [t for _, t in await mails(db)] == [
        "material_order_received", "material_order_approved", "material_order_shipped",
    ]  # fmt: skip
    entries = list(await db.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.actor_id, e.member_id) for e in entries] == [
        ("order_status", organiser.id, person.id),
        ("order_status", organiser.id, person.id),
    ]
    assert entries[0].before == {"order": order.number, "order_status": "received"}
    assert entries[1].after == {"order_status": "shipped"}
    with pytest.raises(InvalidState) as refused:
        await change_status(db, actor=organiser, order_id=order.id, status="cancelled", now=NOW)
    assert refused.value.message == "Eine versandte Bestellung kann nicht storniert werden."


async def test_rejecting_needs_a_reason_and_gives_the_stock_back(db: AsyncSession) -> None:
    _, person, things, order, organiser = await place(db, stock=20, low_stock_threshold=18)
    await db.execute(
        MaterialItem.__table__.update().values(low_stock_alerted_at=MID_YEAR)  # alerted before
    )
    with pytest.raises(ValidationFailed) as refused:
        await change_status(db, actor=organiser, order_id=order.id, status="rejected", now=NOW)
    assert "Grund" in refused.value.fields["reason"]
    rejected = await change_status(
        db, actor=organiser, order_id=order.id, status="rejected", now=NOW,
        reason="Bitte über die Kreisverwaltung bestellen.",
    )  # fmt: skip
    assert rejected.reason == "Bitte über die Kreisverwaltung bestellen."
    assert await stock_of(db, things.id) == 20
    rearmed = await db.scalar(
        select(MaterialItem.low_stock_alerted_at).where(MaterialItem.id == things.id)
    )
    assert rearmed is None
    assert (await mails(db))[-1] == (person.email, "material_order_rejected")
    entry = await db.scalar(select(AuditEntry))
    assert entry is not None and entry.reason == "Bitte über die Kreisverwaltung bestellen."


async def test_shipping_in_the_future_is_refused(db: AsyncSession) -> None:
    *_, order, organiser = await place(db)
    await change_status(db, actor=organiser, order_id=order.id, status="approved", now=MID_YEAR)
    with pytest.raises(ValidationFailed) as refused:
        await change_status(
            db, actor=organiser, order_id=order.id, status="shipped", now=MID_YEAR,
            shipped_on=date(2026, 6, 16),
        )  # fmt: skip
    assert "Zukunft" in refused.value.fields["shipped_on"]


async def test_who_may_take_which_step(db: AsyncSession) -> None:
    org, person, things, order, organiser = await place(db, stock=20)
    colleague = await factories.member(db, org)
    coordinator = await factories.member(db, org, role="coordinator")
    _, stranger_coordinator = await orderer(db, role="coordinator")
    for actor in (person, colleague, coordinator, stranger_coordinator):
        with pytest.raises(Forbidden):
            await change_status(db, actor=actor, order_id=order.id, status="approved", now=NOW)
    for actor in (colleague, stranger_coordinator):
        with pytest.raises(Forbidden):
            await change_status(db, actor=actor, order_id=order.id, status="cancelled", now=NOW)
    with pytest.raises(NotFound):
        await change_status(db, actor=organiser, order_id=99_999, status="approved", now=NOW)
    with pytest.raises(ValidationFailed):
        await change_status(db, actor=organiser, order_id=order.id, status="received", now=NOW)
    # The coordinator of the orderer's organisation may cancel a received order; no audit
    # entry for the orderer's own cancellation, one for the coordinator's.
    await change_status(db, actor=coordinator, order_id=order.id, status="cancelled", now=NOW)
    assert await stock_of(db, things.id) == 20
    entries = list(await db.scalars(select(AuditEntry)))
    assert [(e.actor_id, e.member_id) for e in entries] == [(coordinator.id, person.id)]


async def test_the_orderer_cannot_cancel_once_approved(db: AsyncSession) -> None:
    _, person, _, order, organiser = await place(db)
    await change_status(db, actor=organiser, order_id=order.id, status="approved", now=NOW)
    with pytest.raises(Forbidden) as refused:
        await change_status(db, actor=person, order_id=order.id, status="cancelled", now=NOW)
    assert "eingegangene Bestellung" in refused.value.message


async def test_quantities_change_before_dispatch_under_the_same_rules(db: AsyncSession) -> None:
    org, person = await orderer(db)
    wedges = await item(db, stock=30, emergency_services_only=True, yearly_limit=20)
    cards = await item(db, stock=10)
    order = await place_order(
        db, actor=person, lines=[Line(wedges.id, 10), Line(cards.id, 4)],
        delivery_address=address(org), contact="Wache", now=MID_YEAR,
    )  # fmt: skip
    organiser = await factories.member(db, role="organiser")
    with pytest.raises(OverLimit) as over:
        await change_quantities(
            db, actor=organiser, order_id=order.id, quantities={wedges.id: 21}, now=MID_YEAR
        )
    assert "noch 20 Stück" in over.value.message
    with pytest.raises(OutOfStock) as short:
        await change_quantities(
            db, actor=organiser, order_id=order.id, quantities={cards.id: 11}, now=MID_YEAR
        )
    assert "noch 10 Stück verfügbar" in short.value.message
    with pytest.raises(ValidationFailed):
        await change_quantities(
            db, actor=organiser, order_id=order.id, quantities={wedges.id: 0, cards.id: 0},
            now=MID_YEAR,
        )  # fmt: skip
    with pytest.raises(Forbidden):
        await change_quantities(
            db, actor=person, order_id=order.id, quantities={cards.id: 1}, now=MID_YEAR
        )
    changed = await change_quantities(
        db, actor=organiser, order_id=order.id, quantities={wedges.id: 20, cards.id: 0},
        now=MID_YEAR,
    )  # fmt: skip
    assert [(line.item_id, line.quantity) for line in changed.lines] == [(wedges.id, 20)]
    assert (await stock_of(db, wedges.id), await stock_of(db, cards.id)) == (10, 10)
    entry = await db.scalar(select(AuditEntry))
    assert entry is not None and entry.action == "order_quantity"
    assert entry.before == {"order": order.number, wedges.name: 10, cards.name: 4}
    assert entry.after == {wedges.name: 20, cards.name: 0}
    assert (await mails(db))[-1] == (person.email, "material_order_changed")
    await change_status(db, actor=organiser, order_id=order.id, status="approved", now=NOW)
    await change_status(db, actor=organiser, order_id=order.id, status="shipped", now=NOW)
    with pytest.raises(InvalidState):
        await change_quantities(
            db, actor=organiser, order_id=order.id, quantities={wedges.id: 1}, now=NOW
        )


async def test_orders_racing_in_one_process_never_oversell(engine: AsyncEngine) -> None:
    """Twelve orders of 5 against a stock of 40 at once, each in a session of its own."""
    sessions = session_factory(engine)
    async with sessions() as db:
        org, person = await orderer(db)
        wedges = await item(db, stock=40, emergency_services_only=True)

    async def one() -> str:
        async with sessions() as session:
            try:
                await place_order(
                    session, actor=person, lines=[Line(wedges.id, 5)],
                    delivery_address=address(org), contact="Wache", now=MID_YEAR,
                )  # fmt: skip
            except OutOfStock as exc:
                return exc.message
            return "ok"

    results = await asyncio.gather(*(one() for _ in range(12)))
    assert results.count("ok") == 8
    assert set(results) - {"ok"} == {
        f"Nicht genug auf Lager: Von „{wedges.name}“ sind noch 0 Stück verfügbar."
    }
    async with sessions() as db:
        assert await stock_of(db, wedges.id) == 0


def test_the_year_is_berlins() -> None:
    assert orders.order_year(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == 2027
    assert orders.order_year(datetime(2026, 12, 31, 22, 30, tzinfo=UTC)) == 2026
    assert orders.order_year(NOW - timedelta(days=0)) >= 2026


def test_the_audit_log_reads_order_changes_in_german() -> None:
    from booking.privacy import messages as audit

    assert audit.action_label("order_status") == "Materialbestellung: Status geändert"
    assert audit.changes(
        {"order": "M-000001", "order_status": "received"}, {"order_status": "approved"}
    ) == [
        "Bestellung: bisher M-000001",
        "Status der Bestellung: eingegangen → freigegeben",
    ]
    assert audit.changes({"Türkeil": 10}, {"Türkeil": 20}) == ["Türkeil: 10 → 20"]
