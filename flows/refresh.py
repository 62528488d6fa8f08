"""The key-result refresh: materialize only (a new day moves every window), e.g. hourly."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.tasks import materialize_and_compare, publish_report
from okrpipe.orchestration.config import as_of_date, flow_settings, run_clock
from okrpipe.orchestration.run_report import RunReport

ARTIFACT_KEY = "kr-refresh"


@flow(name="kr-refresh")
def kr_refresh(
    *,
    as_of: str | None = None,
    now: str | None = None,
    db: str | None = None,
    definitions: str | None = None,
    lock_timeout: float | None = None,
) -> dict[str, Any]:
    """Bring every projection up to date as of ``as_of`` (default today in the definitions'
    time zone) and report the key results whose status changed."""
    settings = flow_settings(db=db, definitions=definitions, lock_timeout=lock_timeout)
    clock = run_clock(now)
    materialized, changes = materialize_and_compare(settings, clock, as_of_date(as_of))
    report = RunReport(
        title=f"kr-refresh as of {materialized.as_of}",
        materialized=materialized,
        changes=changes,
    )
    return publish_report(report, ARTIFACT_KEY, "key-result status changes")
