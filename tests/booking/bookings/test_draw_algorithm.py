"""The draw's algorithm on its own: a fixed seed gives a recorded order (so that any change
of the algorithm is noticed), the seats spread across organisations whatever the seed and the
mix, and nothing but the inputs has a say (not their order, not the hash seed)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from booking.bookings.draw import (
    ALGORITHM,
    Decided,
    Entrant,
    allocate,
    commitment,
    draw_key,
    seed_of,
)
from booking.settings import ROOT

SEED = seed_of(7, datetime(2027, 3, 1, 22, 59, tzinfo=UTC), "ab" * 32)
ENTRANTS = [
    Entrant(booking_id, org)
    for booking_id, org in zip(
        range(101, 113), [1, 1, 1, 1, 1, 1, 2, 2, 3, 4, None, 5], strict=True
    )
]


def table(decided: list[Decided]) -> list[tuple[int, str, int | None, int | None]]:
    return [(d.booking_id, d.decision.value, d.round, d.waitlist_position) for d in decided]


def test_the_seed_and_its_commitment_are_fixed_by_their_inputs() -> None:
    assert ALGORITHM == "sid-draw-1"
    assert SEED == "263dadeb7b28d3286ac3488ee2d609731bcfac5232312eeed618fe83f76fc6ff"
    assert commitment(SEED) == "a9513b9b831aa8e01385fb79bcc53e5714383a76200a0acab9e5d86adf7325c3"
    assert draw_key(SEED, 106).startswith("14c47041")
    # Another deadline, event or salt: another seed.
    assert seed_of(8, datetime(2027, 3, 1, 22, 59, tzinfo=UTC), "ab" * 32) != SEED
    assert seed_of(7, datetime(2027, 3, 2, 22, 59, tzinfo=UTC), "ab" * 32) != SEED
    assert seed_of(7, datetime(2027, 3, 1, 22, 59, tzinfo=UTC), "ac" * 32) != SEED


def test_a_fixed_seed_gives_the_recorded_allocation() -> None:
    """If this fails, the algorithm changed: stored draws would no longer verify. Give the
    new algorithm a new ALGORITHM version and keep the old one for the old draws."""
    decided = allocate(SEED, ENTRANTS, seats=5, seats_per_organisation=None, held={})
    assert table(decided) == [
        (106, "seat", 1, None),
        (102, "waiting", None, 1),
        (110, "seat", 1, None),
        (104, "waiting", None, 2),
        (103, "waiting", None, 3),
        (112, "seat", 1, None),
        (105, "waiting", None, 4),
        (107, "seat", 1, None),
        (109, "seat", 1, None),
        (101, "waiting", None, 5),
        (111, "waiting", None, 6),
        (108, "waiting", None, 7),
    ]
    assert [d.rank for d in decided] == list(range(1, 13))


def test_the_limit_per_organisation_counts_seats_held_before() -> None:
    decided = allocate(SEED, ENTRANTS, seats=8, seats_per_organisation=2, held={2: 1})
    seats = [(d.booking_id, d.round) for d in decided if d.decision == "seat"]
    # Round 1: one each (organisation 2 reaches its 2 with the seat it held; the member
    # without an organisation gets none under a limit); round 2: only organisation 1 may
    # take another; then nobody may: two seats stay free.
    assert seats == [(106, 1), (102, 2), (110, 1), (112, 1), (107, 1), (109, 1)]


def test_the_row_order_changes_nothing() -> None:
    expected = allocate(SEED, ENTRANTS, seats=5, seats_per_organisation=None, held={})
    for n in range(20):
        shuffled = list(ENTRANTS)
        random.Random(n).shuffle(shuffled)
        assert allocate(SEED, shuffled, seats=5, seats_per_organisation=None, held={}) == expected


def test_the_hash_seed_of_python_has_no_say() -> None:
    code = (
        "import json; from booking.bookings.draw import Entrant, allocate; "
        "from tests.booking.bookings.test_draw_algorithm import ENTRANTS, SEED; "
        "print(json.dumps([(d.booking_id, d.decision.value, d.round) for d in "
        "allocate(SEED, ENTRANTS, seats=5, seats_per_organisation=None, held={})]))"
    )
    results = set()
    for hash_seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
            check=True, timeout=60,
        ).stdout  # fmt: skip
        results.add(out)
    assert len(results) == 1
    assert json.loads(results.pop())[0] == [106, "seat", 1]


@dataclass(frozen=True)
class Mix:
    asked: Counter[int | None]
    won: Counter[int | None]
    held: dict[int, int]
    limit: int | None

    def room(self, org: int | None) -> int:
        """How many more seats the organisation may take."""
        left = self.asked[org] - self.won[org]
        if self.limit is None:
            return left  # without a limit, members without an organisation take seats too
        if org is None:
            return 0
        return min(left, self.limit - self.held.get(org, 0) - self.won[org])


def test_seats_spread_across_organisations_for_any_seed_and_mix() -> None:
    """Property, over many random seeds and mixes of organisations: every seat is used while
    someone may take it; no organisation has two seats more than another that still has a
    request without a seat (so none gets a second while another with a request has none,
    unless there are fewer organisations than seats); the per-organisation limit holds; the
    waiting list is the rest in draw order."""
    rng = random.Random(20270301)
    for case in range(400):
        seed = f"{rng.getrandbits(256):064x}"
        organisations = rng.randint(1, 12)
        requests = rng.randint(0, 60)
        limit = rng.choice([None, None, 1, 2, 3])
        seats = rng.randint(0, 30)
        held = {o: rng.randint(0, 2) for o in range(1, organisations + 1) if rng.random() < 0.2}
        entrants = [
            Entrant(1000 + n, rng.choice([*range(1, organisations + 1), None]))
            for n in range(requests)
        ]
        decided = allocate(seed, entrants, seats=seats, seats_per_organisation=limit, held=held)
        context = (case, seed, limit, seats, held)

        assert sorted(d.booking_id for d in decided) == [e.booking_id for e in entrants]
        assert [d.rank for d in decided] == list(range(1, requests + 1)), context
        won = Counter(d.organisation_id for d in decided if d.decision == "seat")
        asked = Counter(e.organisation_id for e in entrants)
        given = sum(won.values())
        assert given <= seats, context

        mix = Mix(asked, won, held, limit)

        if limit is not None:
            assert all(held.get(o, 0) + n <= limit for o, n in won.items() if o), context
            assert won[None] == 0, context
        # Every seat is used while someone may take it.
        assert given == seats or all(mix.room(o) <= 0 for o in asked), context
        # Round-robin: a seat count differs by more than one only from an organisation
        # that cannot take more (all its requests seated, or at its limit).
        with_org = [o for o in asked if o is not None]
        for a in with_org:
            for b in with_org:
                if won[a] > won[b] + 1:
                    assert mix.room(b) <= 0, (context, a, b)
        if len(with_org) >= seats and limit is None and None not in asked:
            assert all(n <= 1 for n in won.values()), context
        # The waiting list is the rest, in draw order.
        waiting = [d for d in decided if d.decision == "waiting"]
        assert [d.waitlist_position for d in waiting] == list(range(1, len(waiting) + 1))
        assert [d.rank for d in waiting] == sorted(d.rank for d in waiting)
        # The draw order is the order of the keys.
        keys = [d.key for d in decided]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)
