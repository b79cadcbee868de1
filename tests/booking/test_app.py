"""Start-up of a server process."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from booking.app import settle_garbage_collector
from booking.cli import _parser


@pytest.fixture
def collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_server_process_freezes_what_exists_and_collects_less_often(collector: None) -> None:
    gc.unfreeze()
    settle_garbage_collector()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] >= 10_000


def test_access_log_is_off_unless_asked_for() -> None:
    assert _parser().parse_args(["serve"]).access_log is False
    assert _parser().parse_args(["serve", "--access-log"]).access_log is True
