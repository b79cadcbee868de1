"""Start-up of a server process, and what every answer gets (compression)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.app import create_app, settle_garbage_collector
from booking.cli import build_parser
from booking.jobs.models import JobRun
from booking.settings import Settings
from tests import conftest, factories


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
    assert build_parser().parse_args(["serve"]).access_log is False
    assert build_parser().parse_args(["serve", "--access-log"]).access_log is True


def test_jobs_run_in_the_server_unless_turned_off() -> None:
    assert Settings.from_env({"SECRET_KEY": "x"}).run_jobs is True
    assert Settings.from_env({"SECRET_KEY": "x", "JOBS": "off"}).run_jobs is False
    assert Settings.from_env({"SECRET_KEY": "x"}).jobs_module == "booking.jobs.schedule"
    assert Settings.from_env({"SECRET_KEY": "x", "JOBS_MODULE": "a.b"}).jobs_module == "a.b"


@pytest.mark.parametrize("run_jobs", [True, False])
async def test_the_server_process_runs_the_due_jobs(
    db: AsyncSession,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_jobs: bool,
) -> None:
    log = tmp_path / "runs.log"
    monkeypatch.setenv("RECORDING_LOG", str(log))
    settings = conftest.test_settings(database_url, tmp_path).with_changes(
        run_jobs=run_jobs, jobs_module="tests.booking.jobs.recording"
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        for _ in range(100 if run_jobs else 10):
            if log.exists() and "end" in log.read_text():
                break
            await asyncio.sleep(0.05)
    await app.state.app.engine.dispose()

    runs = list(await db.scalars(select(JobRun.job)))
    assert runs == (["recording"] if run_jobs else [])
    assert log.exists() is run_jobs


async def test_large_answers_go_out_compressed_to_clients_that_accept_gzip(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    for d in range(1, 15):
        await factories.event(db, starts_in=timedelta(days=d))
    for path in ("/", "/api/v1/events", "/programm.ics"):
        packed = await client.get(path, headers={"Accept-Encoding": "gzip"})
        assert packed.status_code == 200
        assert packed.headers["content-encoding"] == "gzip", path
        assert "accept-encoding" in packed.headers["vary"].lower()
        assert int(packed.headers["content-length"]) < len(packed.content) / 2
        plain = await client.get(path, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        if path != "/":  # the page carries a fresh CSRF token each time
            assert plain.content == packed.content
    small = await client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
