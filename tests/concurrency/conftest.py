from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.concurrency.server import fresh_database
from tests.databases import postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database of the test's own, on each database engine."""
    pg = postgres_url()
    if request.param == "postgresql" and pg is None:
        pytest.skip("TEST_DATABASE_URL not set")
    async with fresh_database(request.param, tmp_path, pg) as url:
        yield url
