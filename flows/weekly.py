"""The weekly review: materialize, then keep kr_progress as a snapshot labelled by ISO week.

A label names one snapshot for good: a re-run in the same week (a retry, a manual run)
returns the stored snapshot unchanged, so the review record cannot drift.
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.tasks import materialize_and_compare, publish_report, snapshot_step
from okrpipe.orchestration.config import as_of_date, flow_settings, iso_week_label, run_clock
from okrpipe.orchestration.run_report import RunReport

ARTIFACT_KEY = "weekly-review"


@flow(name="weekly-review")
def weekly_review(
    *,
    label: str | None = None,
    as_of: str | None = None,
    now: str | None = None,
    db: str | None = None,
    definitions: str | None = None,
    lock_timeout: float | None = None,
) -> dict[str, Any]:
    """Materialize as of ``as_of`` (default today), then snapshot kr_progress under
    ``label`` (default the ISO week of the as-of date, e.g. ``2026-W10``)."""
    settings = flow_settings(db=db, definitions=definitions, lock_timeout=lock_timeout)
    clock = run_clock(now)
    materialized, changes = materialize_and_compare(settings, clock, as_of_date(as_of))
    snapshot = snapshot_step(settings, label or iso_week_label(materialized.as_of), clock)
    report = RunReport(
        title=f"weekly-review {snapshot.label}",
        materialized=materialized,
        changes=changes,
        snapshot=snapshot,
    )
    return publish_report(report, ARTIFACT_KEY, "the weekly key-result snapshot")
