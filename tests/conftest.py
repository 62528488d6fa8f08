"""Shared fixtures: an empty database per test, one Prefect test server per session,
and Hypothesis profiles."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from okrpipe.settings import Settings

# "default" keeps the suite within minutes (each example ingests real files); run
# HYPOTHESIS_PROFILE=thorough for a long search before a release.
settings.register_profile(
    "default",
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "thorough", max_examples=200, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def db_settings(tmp_path: Path) -> Settings:
    """Settings for a fresh database in a temporary folder."""
    return Settings(db=tmp_path / "okr.duckdb", definitions=tmp_path / "okrs.yaml")


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[float]:
    """One temporary Prefect server for the whole session (it takes ~10 s to start):
    flow runs go there, with their own database and no heartbeats. Yields its start-up
    time in seconds. Prefect is imported here, so that tests without flows never pay for it."""
    from prefect.testing.utilities import prefect_test_harness

    import flows  # noqa: F401 - telemetry off before the server starts
    from flows.local import local_runs

    start = time.perf_counter()
    with prefect_test_harness(server_startup_timeout=90), local_runs():
        yield time.perf_counter() - start
