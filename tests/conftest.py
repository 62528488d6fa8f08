"""Shared fixtures: an empty database per test, and Hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from okrpipe.settings import Settings

settings.register_profile(
    "default",
    max_examples=25,
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
